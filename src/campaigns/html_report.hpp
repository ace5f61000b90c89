#pragma once
// The campaign report as one self-contained HTML page: no scripts, no fonts,
// no images, no network — a SOC analyst can open it from a ticket or a mail
// without anything leaving the machine. Charts are inline SVG.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "campaigns/summary.hpp"

namespace sluice::campaigns {

// Deterministic for the same input. Every value from the store is attacker
// text and is escaped.
[[nodiscard]] std::string render_html(std::span<const CampaignSummary> campaigns, std::int64_t generated_at,
                                      std::string_view title);

// "&lt;script&gt;": text safe in element content and quoted attributes.
[[nodiscard]] std::string html_escape(std::string_view s, std::size_t max = 200);

}  // namespace sluice::campaigns
