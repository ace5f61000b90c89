#pragma once
// A campaign as a STIX 2.1 bundle (OASIS STIX 2.1, sections 4 and 9) for MISP
// and OpenCTI: the campaign, indicators for what to block (payload hashes, C2
// hosts, sender domains), the malware families, and the relationships between
// them. IDs are UUIDv5 of the campaign and the value, so exporting the same
// campaign twice gives the same objects.
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "campaigns/summary.hpp"

namespace sluice::campaigns {

[[nodiscard]] nlohmann::ordered_json to_stix_bundle(const CampaignSummary& c, std::int64_t now);

// RFC 4122 §4.3 name-based UUID (SHA-1) in Sluice's namespace.
[[nodiscard]] std::string uuid5(std::string_view name);
// "2020-05-20T10:00:00.000Z" (STIX timestamps carry milliseconds here).
[[nodiscard]] std::string stix_time(std::int64_t unix_seconds);
// A STIX patterning string literal's contents: \ and ' escaped.
[[nodiscard]] std::string stix_literal(std::string_view s);

}  // namespace sluice::campaigns
