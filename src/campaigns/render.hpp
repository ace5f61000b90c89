#pragma once
// Campaigns as JSON and as text: what `sluice scan` adds to a result and what
// `sluice campaigns list|show|assignments` print. (The HTML report and the
// STIX bundle have files of their own.)
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "campaigns/store.hpp"
#include "codecs/text/dates.hpp"
#include "campaigns/summary.hpp"

namespace sluice::campaigns {

// "2020-05-21T10:00:00Z"
using codecs::text::iso_time;

// The result's "campaign" member (docs/report.schema.json), compact, written
// straight: `sluice scan` adds one to every stored message.
[[nodiscard]] std::string assignment_json(const Assignment& a);
[[nodiscard]] nlohmann::ordered_json to_json(const CampaignSummary& c);
[[nodiscard]] nlohmann::ordered_json to_json(const StoredMessage& m);

// One line for `sluice scan` text output.
[[nodiscard]] std::string to_text(const Assignment& a);
// A table row for `list`, and the whole story for `show`.
[[nodiscard]] std::string list_line(const CampaignSummary& c);
[[nodiscard]] std::string to_text(const CampaignSummary& c);

}  // namespace sluice::campaigns
