// JSON and text renderings of assignments and campaign summaries. Every value
// here came from mail an attacker wrote: JSON escapes it; text output strips
// control characters so a subject cannot move the analyst's cursor.
#include "campaigns/render.hpp"

#include <ctime>
#include <sstream>

#include "report/json_writer.hpp"

namespace sluice::campaigns {
namespace {

using Json = nlohmann::ordered_json;

std::string printable(std::string_view s, std::size_t max = 120) {
  std::string out;
  for (unsigned char c : s.substr(0, max)) out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  if (s.size() > max) out += "…";
  return out;
}

Json counted(const std::vector<Counted>& v) {
  Json a = Json::array();
  for (const auto& c : v) a.push_back({{"value", c.value}, {"count", c.count}});
  return a;
}

std::string top(const std::vector<Counted>& v, std::size_t n = 5) {
  std::string out;
  for (std::size_t i = 0; i < v.size() && i < n; ++i) {
    if (i) out += ", ";
    out += printable(v[i].value, 80) + " (" + std::to_string(v[i].count) + ")";
  }
  if (v.size() > n) out += ", … " + std::to_string(v.size() - n) + " more";
  return out;
}

}  // namespace

namespace {

void write_shared(report::JsonWriter& w, const std::vector<SharedFingerprint>& shared) {
  w.begin_array();
  for (const auto& s : shared) {
    w.begin_object();
    w.member("kind", s.kind);
    w.member("value", s.value);
    w.member("link", s.link);
    w.member("with", s.with);
    w.end_object();
  }
  w.end_array();
}

}  // namespace

std::string assignment_json(const Assignment& a) {
  std::string out;
  // Written for every recorded message: grown once, not member by member.
  std::size_t size = 160;
  for (const auto& s : a.shared) size += 40 + s.kind.size() + s.value.size() + s.link.size() + s.with.size();
  out.reserve(size);
  report::JsonWriter w(out, -1);
  w.begin_object();
  w.member("id", a.label);
  w.member("size", a.size);
  w.member("first_seen", iso_time(a.first_seen));
  w.member("last_seen", iso_time(a.last_seen));
  w.member("started", a.started);
  w.key("merged");
  w.begin_array();
  for (auto id : a.merged) w.value(campaign_label(id));
  w.end_array();
  w.key("shared");
  write_shared(w, a.shared);
  w.end_object();
  return out;
}

Json to_json(const CampaignSummary& c) {
  Json timeline = Json::array();
  for (const auto& b : c.timeline) timeline.push_back({{"start", iso_time(b.start)}, {"messages", b.messages}});
  Json merged = Json::array();
  for (auto id : c.merged) merged.push_back(campaign_label(id));
  return Json{{"id", c.label},
              {"size", c.size},
              {"first_seen", iso_time(c.first_seen)},
              {"last_seen", iso_time(c.last_seen)},
              {"max_verdict", c.max_verdict},
              {"max_score", c.max_score},
              {"bucket_seconds", c.bucket_seconds},
              {"timeline", std::move(timeline)},
              {"recipient_domains", counted(c.recipient_domains)},
              {"brands", counted(c.brands)},
              {"themes", counted(c.themes)},
              {"sender_domains", counted(c.sender_domains)},
              {"sender_hosts", counted(c.sender_hosts)},
              {"display_names", counted(c.display_names)},
              {"subjects", counted(c.subjects)},
              {"techniques", counted(c.techniques)},
              {"payload_hashes", counted(c.payload_hashes)},
              {"imphashes", counted(c.imphashes)},
              {"families", counted(c.families)},
              {"c2", counted(c.c2)},
              {"mutexes", counted(c.mutexes)},
              {"url_domains", counted(c.url_domains)},
              {"findings", counted(c.findings)},
              {"sample_evidence", c.sample_evidence},
              {"sample_message_id", c.sample_message_id},
              {"merged", std::move(merged)}};
}

Json to_json(const StoredMessage& m) {
  Json shared = Json::array();
  for (const auto& s : m.shared) {
    shared.push_back({{"kind", s.kind}, {"value", s.value}, {"link", s.link}, {"with", s.with}});
  }
  return Json{{"message_id", m.message_id}, {"input", m.input},   {"seen_at", iso_time(m.seen_at)},
              {"verdict", m.verdict},       {"score", m.score},
              {"campaign", m.campaign.empty() ? Json(nullptr) : Json(m.campaign)},
              {"shared", std::move(shared)}};
}

std::string to_text(const Assignment& a) {
  std::ostringstream os;
  os << "  campaign " << a.label << ": " << a.size << (a.size == 1 ? " message" : " messages") << " since "
     << iso_time(a.first_seen);
  if (a.started) os << " (new)";
  if (!a.merged.empty()) {
    os << ", merged";
    for (auto id : a.merged) os << ' ' << campaign_label(id);
  }
  if (!a.shared.empty()) {
    os << "; shares";
    std::size_t n = 0;
    for (const auto& s : a.shared) {
      if (n++ == 4) {
        os << " …";
        break;
      }
      os << ' ' << s.kind << '=' << printable(s.value, 40);
    }
    os << " with " << printable(a.shared.front().with, 80);
  }
  os << '\n';
  return os.str();
}

std::string list_line(const CampaignSummary& c) {
  std::ostringstream os;
  os << c.label << "  " << c.size << (c.size == 1 ? " message  " : " messages  ") << iso_time(c.first_seen)
     << " … " << iso_time(c.last_seen) << "  " << c.max_verdict;
  if (!c.families.empty()) os << "  " << printable(c.families.front().value, 40);
  if (!c.brands.empty()) os << "  brand " << printable(c.brands.front().value, 40);
  if (!c.subjects.empty()) os << "  \"" << printable(c.subjects.front().value, 60) << '"';
  os << '\n';
  return os.str();
}

std::string to_text(const CampaignSummary& c) {
  std::ostringstream os;
  os << "campaign " << c.label << ": " << c.size << " messages, " << c.max_verdict << " (max score "
     << c.max_score << ")\n"
     << "  seen:            " << iso_time(c.first_seen) << " … " << iso_time(c.last_seen) << '\n';
  auto row = [&](std::string_view name, const std::vector<Counted>& v) {
    if (!v.empty()) os << "  " << name << std::string(17 - std::min<std::size_t>(16, name.size()), ' ') << top(v) << '\n';
  };
  row("recipients:", c.recipient_domains);
  row("brands:", c.brands);
  row("themes:", c.themes);
  row("from domains:", c.sender_domains);
  row("sending hosts:", c.sender_hosts);
  row("display names:", c.display_names);
  row("subjects:", c.subjects);
  row("techniques:", c.techniques);
  row("payloads:", c.payload_hashes);
  row("imphashes:", c.imphashes);
  row("families:", c.families);
  row("c2:", c.c2);
  row("mutexes:", c.mutexes);
  row("link domains:", c.url_domains);
  row("findings:", c.findings);
  if (!c.sample_evidence.empty()) os << "  sample:          " << printable(c.sample_evidence, 300) << '\n';
  if (!c.merged.empty()) {
    os << "  merged:         ";
    for (auto id : c.merged) os << ' ' << campaign_label(id);
    os << '\n';
  }
  os << "  volume (" << (c.bucket_seconds == 3600    ? std::string("per hour")
                       : c.bucket_seconds == 86400 ? std::string("per day")
                                                   : "per " + std::to_string(c.bucket_seconds / 3600) + " h")
     << "):\n";
  std::int64_t peak = 1;
  for (const auto& b : c.timeline) peak = std::max(peak, b.messages);
  std::size_t shown = 0;
  for (const auto& b : c.timeline) {
    if (b.messages == 0) continue;
    if (++shown > 48) {
      os << "    …\n";
      break;
    }
    os << "    " << iso_time(b.start) << "  " << std::string(static_cast<std::size_t>(1 + 39 * b.messages / peak), '#')
       << ' ' << b.messages << '\n';
  }
  return os.str();
}

}  // namespace sluice::campaigns
