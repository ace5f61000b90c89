// One page: a summary table, then a section per campaign with its timeline,
// who it targets, how it is built, what to block. Colours are fixed per role
// (the section header band is #1f4e79) so a screenshot test can find them.
#include "campaigns/html_report.hpp"

#include <algorithm>
#include <sstream>

#include "campaigns/render.hpp"

namespace sluice::campaigns {
namespace {

constexpr std::size_t kListMax = 20;
constexpr int kChartWidth = 720;
constexpr int kChartHeight = 140;

constexpr std::string_view kStyle = R"(
body{font-family:sans-serif;margin:24px;color:#1b1b1b;background:#ffffff}
h1{font-size:22px} table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #c8c8c8;padding:3px 8px;text-align:left;font-size:13px;vertical-align:top}
th{background:#eef2f6} section.campaign{border:1px solid #1f4e79;margin:22px 0}
section.campaign>h2{background:#1f4e79;color:#ffffff;margin:0;padding:8px 12px;font-size:18px}
.body{padding:8px 12px} .mal{color:#a40000;font-weight:bold} .sus{color:#8a5a00;font-weight:bold}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:6px 18px}
code{font-size:12px;word-break:break-all} .muted{color:#666666}
)";

void list(std::ostringstream& o, std::string_view heading, const std::vector<Counted>& values, bool code = false) {
  o << "<div><h3>" << heading << "</h3>";
  if (values.empty()) {
    o << "<p class=\"muted\">none seen</p></div>";
    return;
  }
  o << "<table><tr><th>value</th><th>messages</th></tr>";
  for (std::size_t i = 0; i < values.size() && i < kListMax; ++i) {
    o << "<tr><td>" << (code ? "<code>" : "") << html_escape(values[i].value) << (code ? "</code>" : "")
      << "</td><td>" << values[i].count << "</td></tr>";
  }
  o << "</table>";
  if (values.size() > kListMax) o << "<p class=\"muted\">and " << values.size() - kListMax << " more</p>";
  o << "</div>";
}

std::string axis_label(std::int64_t t, std::int64_t bucket) {
  const std::string iso = iso_time(t);  // 2020-05-20T10:00:00Z
  return bucket < 86400 ? iso.substr(5, 5) + " " + iso.substr(11, 5) : iso.substr(0, 10);
}

// Bars of messages per bucket; the y axis starts at zero, so heights compare.
void timeline(std::ostringstream& o, const CampaignSummary& c) {
  std::int64_t peak = 1;
  for (const auto& b : c.timeline) peak = std::max(peak, b.messages);
  const int n = static_cast<int>(std::max<std::size_t>(1, c.timeline.size()));
  const int left = 36, bottom = 22, top = 8;
  const int plot_w = kChartWidth - left - 8;
  const int plot_h = kChartHeight - bottom - top;
  const double step = static_cast<double>(plot_w) / n;
  o << "<svg class=\"timeline\" role=\"img\" width=\"" << kChartWidth << "\" height=\"" << kChartHeight
    << "\" viewBox=\"0 0 " << kChartWidth << ' ' << kChartHeight << "\" xmlns=\"http://www.w3.org/2000/svg\">"
    << "<title>messages per " << (c.bucket_seconds == 3600 ? "hour" : c.bucket_seconds == 86400 ? "day" : "period")
    << "</title>"
    << "<line x1=\"" << left << "\" y1=\"" << top + plot_h << "\" x2=\"" << kChartWidth - 8 << "\" y2=\""
    << top + plot_h << "\" stroke=\"#555555\"/>"
    << "<text x=\"2\" y=\"" << top + 10 << "\" font-size=\"11\">" << peak << "</text>"
    << "<text x=\"2\" y=\"" << top + plot_h << "\" font-size=\"11\">0</text>";
  for (int i = 0; i < static_cast<int>(c.timeline.size()); ++i) {
    const auto& b = c.timeline[static_cast<std::size_t>(i)];
    if (b.messages == 0) continue;
    const int h = static_cast<int>(static_cast<double>(plot_h) * static_cast<double>(b.messages) / static_cast<double>(peak));
    o << "<rect class=\"bar\" x=\"" << left + static_cast<int>(i * step) + 1 << "\" y=\"" << top + plot_h - h
      << "\" width=\"" << std::max(1, static_cast<int>(step) - 2) << "\" height=\"" << h
      << "\" fill=\"#c0504d\" data-messages=\"" << b.messages << "\"><title>" << axis_label(b.start, c.bucket_seconds)
      << ": " << b.messages << "</title></rect>";
  }
  // First, middle and last bucket labels: enough to read the span at a glance.
  for (int i : {0, n / 2, n - 1}) {
    if (i >= static_cast<int>(c.timeline.size())) continue;
    const int x = left + static_cast<int>(i * step);
    o << "<text x=\"" << std::min(x, kChartWidth - 90) << "\" y=\"" << kChartHeight - 6 << "\" font-size=\"11\">"
      << axis_label(c.timeline[static_cast<std::size_t>(i)].start, c.bucket_seconds) << "</text>";
  }
  o << "</svg>";
}

void section(std::ostringstream& o, const CampaignSummary& c) {
  const std::string label = html_escape(c.label, 32);
  const bool mal = c.max_verdict == "malicious";
  o << "<section class=\"campaign\" id=\"campaign-" << label << "\"><h2>Campaign " << label << " · " << c.size
    << (c.size == 1 ? " message" : " messages") << "</h2><div class=\"body\">"
    << "<p>first seen <b>" << iso_time(c.first_seen) << "</b>, last seen <b>" << iso_time(c.last_seen)
    << "</b>; worst verdict <span class=\"" << (mal ? "mal" : "sus") << "\">" << html_escape(c.max_verdict, 16)
    << "</span> (score " << c.max_score << ")</p>";
  if (!c.merged.empty()) {
    o << "<p>merged from";
    for (auto id : c.merged) o << " C-" << id;
    o << "</p>";
  }
  timeline(o, c);
  if (!c.sample_evidence.empty()) {
    o << "<p>sample evidence: <code>" << html_escape(c.sample_evidence, 400) << "</code>";
    if (!c.sample_message_id.empty()) o << " <span class=\"muted\">(" << html_escape(c.sample_message_id) << ")</span>";
    o << "</p>";
  }
  o << "<div class=\"grid\">";
  list(o, "Targeted recipient domains", c.recipient_domains);
  list(o, "Lure brands", c.brands);
  list(o, "Lure themes", c.themes);
  list(o, "Subjects (templates)", c.subjects);
  list(o, "Sender domains", c.sender_domains);
  list(o, "Sending hosts", c.sender_hosts);
  list(o, "Display names", c.display_names);
  list(o, "Container techniques", c.techniques, true);
  list(o, "Families", c.families);
  list(o, "C2", c.c2, true);
  list(o, "Mutexes", c.mutexes, true);
  list(o, "Payload SHA-256", c.payload_hashes, true);
  list(o, "Imphashes", c.imphashes, true);
  list(o, "Link domains", c.url_domains);
  list(o, "Findings", c.findings, true);
  o << "</div></div></section>\n";
}

}  // namespace

std::string html_escape(std::string_view s, std::size_t max) {
  std::string out;
  const bool cut = s.size() > max;
  s = s.substr(0, max);
  // Never end inside a UTF-8 sequence: drop continuation bytes at the cut.
  while (cut && !s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.remove_suffix(1);
  if (cut && !s.empty() && static_cast<unsigned char>(s.back()) >= 0xC0) s.remove_suffix(1);
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        out += (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ? '?' : ch;
    }
  }
  if (cut) out += "…";
  return out;
}

std::string render_html(std::span<const CampaignSummary> campaigns, std::int64_t generated_at,
                        std::string_view title) {
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
    << "<title>" << html_escape(title) << "</title><style>" << kStyle << "</style></head><body>\n"
    << "<h1>" << html_escape(title) << "</h1><p class=\"muted\">generated " << iso_time(generated_at) << " · "
    << campaigns.size() << (campaigns.size() == 1 ? " campaign" : " campaigns") << "</p>\n";
  if (campaigns.empty()) {
    o << "<p id=\"none\">No campaigns recorded.</p></body></html>\n";
    return o.str();
  }
  o << "<table id=\"summary\"><tr><th>campaign</th><th>messages</th><th>first seen</th><th>last seen</th>"
    << "<th>verdict</th><th>family</th><th>brand</th><th>top recipient domain</th></tr>";
  for (const auto& c : campaigns) {
    const std::string label = html_escape(c.label, 32);
    o << "<tr><td><a href=\"#campaign-" << label << "\">" << label << "</a></td><td>" << c.size << "</td><td>"
      << iso_time(c.first_seen) << "</td><td>" << iso_time(c.last_seen) << "</td><td>"
      << html_escape(c.max_verdict, 16) << "</td><td>"
      << (c.families.empty() ? "" : html_escape(c.families.front().value)) << "</td><td>"
      << (c.brands.empty() ? "" : html_escape(c.brands.front().value)) << "</td><td>"
      << (c.recipient_domains.empty() ? "" : html_escape(c.recipient_domains.front().value)) << "</td></tr>";
  }
  o << "</table>\n";
  for (const auto& c : campaigns) section(o, c);
  o << "</body></html>\n";
  return o.str();
}

}  // namespace sluice::campaigns
