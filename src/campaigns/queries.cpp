// Reading the store back: campaign summaries for the reports, the stored
// assignments, and retention. Everything here only reads, except prune().
#include <algorithm>
#include <charconv>
#include <map>

#include <nlohmann/json.hpp>

#include "campaigns/store.hpp"

namespace sluice::campaigns {
namespace {

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;
constexpr std::size_t kMaxBuckets = 400;

std::vector<Counted> sorted(const std::map<std::string, std::int64_t>& m) {
  std::vector<Counted> out;
  out.reserve(m.size());
  for (const auto& [v, n] : m) out.push_back({v, n});
  std::stable_sort(out.begin(), out.end(), [](const Counted& a, const Counted& b) { return a.count > b.count; });
  return out;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t e = s.find(',', i);
    if (e == std::string::npos) e = s.size();
    if (e > i) out.push_back(s.substr(i, e - i));
    i = e + 1;
  }
  return out;
}

// A message's fingerprint_ids column: value ids, space-separated.
std::vector<std::int64_t> parse_ids(const std::string& text) {
  std::vector<std::int64_t> out;
  const char* at = text.data();
  const char* end = text.data() + text.size();
  while (at < end) {
    std::int64_t v = 0;
    const auto [next, ec] = std::from_chars(at, end, v);
    if (ec == std::errc{} && v > 0) out.push_back(v);
    at = next == at ? at + 1 : next;
    while (at < end && *at == ' ') ++at;
  }
  return out;
}

// `sql` ends in "IN (" and is run for each 64 of `ids` after the `fixed`
// parameters (the last chunk padded with its last id, so one statement serves
// every chunk); `each` gets each statement's rows.
template <typename Each>
Status in_chunks(Db& db, std::string sql, const std::vector<SqlValue>& fixed, std::span<const std::int64_t> ids,
                 Each each) {
  constexpr std::size_t kChunk = 64;
  sql += "?";
  for (std::size_t k = 1; k < kChunk; ++k) sql += ", ?";
  sql += ")";
  for (std::size_t at = 0; at < ids.size(); at += kChunk) {
    std::vector<SqlValue> p = fixed;
    p.reserve(fixed.size() + kChunk);
    for (std::size_t k = 0; k < kChunk; ++k) p.emplace_back(ids[std::min(at + k, ids.size() - 1)]);
    auto rows = db.query(sql, p);
    if (!rows) return std::unexpected(rows.error());
    each(*rows);
  }
  return {};
}

// The (kind, value) of each id.
Result<std::map<std::int64_t, std::pair<std::string, std::string>>> value_names(Db& db,
                                                                                std::vector<std::int64_t>& ids) {
  std::map<std::int64_t, std::pair<std::string, std::string>> out;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  auto s = in_chunks(db, "SELECT id, kind, value FROM fingerprint_values WHERE id IN (", {}, ids,
                     [&](const std::vector<SqlRow>& rows) {
                       for (const SqlRow& r : rows) out.try_emplace(as_int(r[0]), as_text(r[1]), as_text(r[2]));
                     });
  if (!s) return std::unexpected(s.error());
  return out;
}

void fill_timeline(CampaignSummary& c, const std::vector<std::int64_t>& seen) {
  const std::int64_t span = c.last_seen - c.first_seen;
  std::int64_t bucket = span <= 3 * kDay ? kHour : kDay;
  while (span / bucket + 1 > static_cast<std::int64_t>(kMaxBuckets)) bucket *= 2;
  c.bucket_seconds = bucket;
  const std::int64_t start = c.first_seen - ((c.first_seen % bucket) + bucket) % bucket;
  const std::size_t n = static_cast<std::size_t>((c.last_seen - start) / bucket + 1);
  c.timeline.assign(n, {});
  for (std::size_t i = 0; i < n; ++i) c.timeline[i].start = start + static_cast<std::int64_t>(i) * bucket;
  for (std::int64_t t : seen) {
    const auto i = static_cast<std::size_t>((t - start) / bucket);
    if (i < n) ++c.timeline[i].messages;
  }
}

Status fill(Db& db, CampaignSummary& c) {
  const std::vector<SqlValue> id{c.id};
  auto msgs = db.query(
      "SELECT seen_at, message_id, verdict, score, recipient_domains, findings, evidence, fingerprint_ids "
      "FROM messages WHERE campaign = ? ORDER BY id",
      id);
  if (!msgs) return std::unexpected(msgs.error());
  if (msgs->empty()) return fail(Errc::invalid_argument, 0, "campaign " + c.label + " has no messages");
  std::vector<std::int64_t> seen;
  std::map<std::string, std::int64_t> rcpt, findings;
  std::map<std::int64_t, std::int64_t> naming;  // value id -> messages naming it
  c.first_seen = INT64_MAX;
  c.last_seen = INT64_MIN;
  c.max_verdict = "suspicious";
  for (const SqlRow& r : *msgs) {
    const std::int64_t t = as_int(r[0]);
    seen.push_back(t);
    c.first_seen = std::min(c.first_seen, t);
    c.last_seen = std::max(c.last_seen, t);
    if (as_text(r[2]) == "malicious") c.max_verdict = "malicious";
    c.max_score = std::max(c.max_score, as_real(r[3]));
    for (const auto& d : split(as_text(r[4]))) ++rcpt[d];
    for (const auto& f : split(as_text(r[5]))) ++findings[f];
    for (const std::int64_t v : parse_ids(as_text(r[7]))) ++naming[v];
    if (c.sample_evidence.empty()) {
      c.sample_evidence = as_text(r[6]);
      c.sample_message_id = as_text(r[1]);
    }
  }
  c.size = static_cast<std::int64_t>(msgs->size());
  fill_timeline(c, seen);
  c.recipient_domains = sorted(rcpt);
  c.findings = sorted(findings);

  std::vector<std::int64_t> ids;
  ids.reserve(naming.size());
  for (const auto& [v, n] : naming) ids.push_back(v);
  auto names = value_names(db, ids);
  if (!names) return std::unexpected(names.error());
  std::map<std::string, std::map<std::string, std::int64_t>> by_kind;
  for (const auto& [v, n] : naming) {
    if (const auto it = names->find(v); it != names->end()) by_kind[it->second.first][it->second.second] = n;
  }
  auto take = [&](std::string_view kind) { return sorted(by_kind[std::string(kind)]); };
  c.brands = take("brand");
  c.themes = take("theme");
  c.sender_domains = take("from_domain");
  c.sender_hosts = take("sender_host");
  for (auto& ip : take("sender_ip")) c.sender_hosts.push_back(std::move(ip));
  c.display_names = take("display_name");
  c.subjects = take("subject");
  c.techniques = take("chain");
  c.payload_hashes = take("payload");
  c.imphashes = take("imphash");
  c.families = take("family");
  c.c2 = take("c2");
  c.mutexes = take("mutex");
  c.url_domains = take("url_domain");

  auto merged = db.query("SELECT id FROM campaigns WHERE merged_into = ? ORDER BY id", id);
  if (!merged) return std::unexpected(merged.error());
  for (const SqlRow& r : *merged) c.merged.push_back(as_int(r[0]));
  return {};
}

}  // namespace

Result<std::vector<CampaignSummary>> Store::summaries() {
  auto ids = db_->query(
      "SELECT DISTINCT campaign FROM messages WHERE campaign IS NOT NULL ORDER BY campaign", {});
  if (!ids) return std::unexpected(ids.error());
  std::vector<CampaignSummary> out;
  out.reserve(ids->size());
  for (const SqlRow& r : *ids) {
    CampaignSummary c;
    c.id = as_int(r[0]);
    c.label = campaign_label(c.id);
    if (auto s = fill(*db_, c); !s) return std::unexpected(s.error());
    out.push_back(std::move(c));
  }
  return out;
}

Result<CampaignSummary> Store::summary(std::string_view which) {
  const auto id = parse_campaign_label(which);
  if (!id) return fail(Errc::invalid_argument, 0, "not a campaign ID: '" + std::string(which) + "' (want C-<n>)");
  auto rows = db_->query("SELECT id, merged_into FROM campaigns WHERE id = ?", std::vector<SqlValue>{*id});
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty()) return fail(Errc::invalid_argument, 0, "no campaign " + campaign_label(*id));
  CampaignSummary c;
  c.id = is_null(rows->front()[1]) ? *id : as_int(rows->front()[1]);
  c.label = campaign_label(c.id);
  if (auto s = fill(*db_, c); !s) return std::unexpected(s.error());
  return c;
}

namespace {

Status check_label(std::string_view label) {
  if (label == "malicious" || label == "benign" || label.empty()) return {};
  return fail(Errc::invalid_argument, 0, "a label is malicious or benign (or \"\" to clear), not '" + std::string(label) + "'");
}

// One entry of a message's stored evidence: since schema 6 a [value id,
// message id] pair (resolved by the caller), before it the whole object.
struct Link {
  std::int64_t value = 0;
  std::int64_t with = 0;
  SharedFingerprint shared;
};

std::string text_member(const nlohmann::json& o, const char* name) {
  const auto it = o.find(name);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A damaged column reads as no evidence rather than failing the listing.
std::vector<Link> parse_links(const std::string& text, std::vector<std::int64_t>& values) {
  std::vector<Link> out;
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& item : j) {
    if (item.is_array() && item.size() == 2 && item[0].is_number_integer() && item[1].is_number_integer()) {
      Link l{.value = item[0].get<std::int64_t>(), .with = item[1].get<std::int64_t>(), .shared = {}};
      values.push_back(l.value);
      out.push_back(std::move(l));
    } else if (item.is_object()) {
      out.push_back({.value = 0,
                     .with = 0,
                     .shared = {text_member(item, "kind"), text_member(item, "value"), text_member(item, "link"),
                                text_member(item, "with")}});
    }
  }
  return out;
}

}  // namespace

Result<std::string> Store::label_campaign(std::string_view which, std::string_view label) {
  if (auto s = check_label(label); !s) return std::unexpected(s.error());
  auto c = summary(which);
  if (!c) return std::unexpected(c.error());
  const std::vector<SqlValue> p{std::string(label), c->id};
  if (auto s = db_->exec("UPDATE campaigns SET label = ? WHERE id = ?", p); !s) return std::unexpected(s.error());
  return c->label;
}

Status Store::label_message(std::int64_t id, std::string_view label) {
  if (auto s = check_label(label); !s) return s;
  auto rows = db_->query("SELECT id FROM messages WHERE id = ?", std::vector<SqlValue>{id});
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty()) return fail(Errc::invalid_argument, 0, "no stored message " + std::to_string(id));
  return db_->exec("UPDATE messages SET label = ? WHERE id = ?", std::vector<SqlValue>{std::string(label), id});
}

Result<std::vector<LabelledMessage>> Store::labelled() {
  // Merges point every member at the surviving campaign, whose label counts.
  auto rows = db_->query(
      "SELECT m.id, m.input, m.label, COALESCE(c.label, ''), c.id, m.feature_version, m.features "
      "FROM messages m LEFT JOIN campaigns c ON c.id = COALESCE((SELECT merged_into FROM campaigns k "
      "WHERE k.id = m.campaign), m.campaign) ORDER BY m.id",
      {});
  if (!rows) return std::unexpected(rows.error());
  std::vector<LabelledMessage> out;
  for (const SqlRow& r : *rows) {
    const std::string own = as_text(r[2]), inherited = as_text(r[3]);
    const std::string& label = own.empty() ? inherited : own;
    if (label.empty()) continue;
    out.push_back({as_int(r[0]), as_text(r[1]), label == "malicious",
                   is_null(r[4]) ? std::string() : campaign_label(as_int(r[4])), as_text(r[5]), as_text(r[6])});
  }
  return out;
}

Result<std::vector<StoredMessage>> Store::assignments() {
  auto rows = db_->query(
      "SELECT id, seen_at, input, message_id, verdict, score, campaign, links FROM messages ORDER BY id", {});
  if (!rows) return std::unexpected(rows.error());
  std::vector<StoredMessage> out;
  out.reserve(rows->size());
  std::map<std::int64_t, std::size_t> at;  // message id -> its place in `out`
  std::vector<std::vector<Link>> links(rows->size());
  std::vector<std::int64_t> values;
  for (const SqlRow& r : *rows) {
    at.emplace(as_int(r[0]), out.size());
    links[out.size()] = parse_links(as_text(r[7]), values);
    out.push_back({as_int(r[0]), as_int(r[1]), as_text(r[2]), as_text(r[3]), as_text(r[4]), as_real(r[5]),
                   is_null(r[6]) ? std::string() : campaign_label(as_int(r[6])), {}});
  }
  auto named = value_names(*db_, values);
  if (!named) return std::unexpected(named.error());
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (Link& l : links[i]) {
      if (l.value != 0) {
        const auto v = named->find(l.value);
        if (v == named->end()) continue;
        l.shared.kind = v->second.first;
        l.shared.value = v->second.second;
        l.shared.link = std::string(to_string(link_class(l.shared.kind)));
      }
      if (l.with != 0) {
        const auto w = at.find(l.with);
        if (w != at.end()) {
          const StoredMessage& earlier = out[w->second];
          l.shared.with = message_name(earlier.message_id, earlier.input);
        }
      }
      out[i].shared.push_back(std::move(l.shared));
    }
  }
  return out;
}

Result<std::int64_t> Store::prune(std::int64_t now) {
  if (options_.keep_days <= 0) return 0;
  const std::int64_t cutoff = now - options_.keep_days * kDay;
  candidates_.forget();  // the rows it holds may be the ones deleted
  if (auto s = db_->begin_write(); !s) return std::unexpected(s.error());
  auto work = [&]() -> Result<std::int64_t> {
    auto old = db_->query("SELECT id, fingerprint_ids FROM messages WHERE seen_at < ?", std::vector<SqlValue>{cutoff});
    if (!old) return std::unexpected(old.error());
    if (old->empty()) return std::int64_t{0};
    // Each old message's linking rows (found by their key: the message names
    // its values), then the message; a value goes with the last message naming it.
    std::vector<std::int64_t> named;
    for (const SqlRow& r : *old) {
      const std::vector<std::int64_t> ids = parse_ids(as_text(r[1]));
      named.insert(named.end(), ids.begin(), ids.end());
      if (auto s = in_chunks(*db_, "DELETE FROM linking_fingerprints WHERE message = ? AND fingerprint IN (",
                             {as_int(r[0])}, ids, [](const std::vector<SqlRow>&) {});
          !s) {
        return std::unexpected(s.error());
      }
    }
    if (auto s = db_->exec("DELETE FROM messages WHERE seen_at < ?", std::vector<SqlValue>{cutoff}); !s) {
      return std::unexpected(s.error());
    }
    std::sort(named.begin(), named.end());
    named.erase(std::unique(named.begin(), named.end()), named.end());
    auto kept = db_->query("SELECT fingerprint_ids FROM messages", {});
    if (!kept) return std::unexpected(kept.error());
    std::vector<bool> still(named.size(), false);
    for (const SqlRow& r : *kept) {
      for (const std::int64_t v : parse_ids(as_text(r[0]))) {
        const auto it = std::lower_bound(named.begin(), named.end(), v);
        if (it != named.end() && *it == v) still[static_cast<std::size_t>(it - named.begin())] = true;
      }
    }
    std::vector<std::int64_t> unnamed;
    for (std::size_t i = 0; i < named.size(); ++i) {
      if (!still[i]) unnamed.push_back(named[i]);
    }
    if (auto s = in_chunks(*db_, "DELETE FROM fingerprint_values WHERE id IN (", {}, unnamed,
                           [](const std::vector<SqlRow>&) {});
        !s) {
      return std::unexpected(s.error());
    }
    if (auto s = db_->exec(
            "UPDATE campaigns SET size = (SELECT COUNT(*) FROM messages WHERE messages.campaign = campaigns.id), "
            "first_seen = (SELECT MIN(seen_at) FROM messages WHERE messages.campaign = campaigns.id), "
            "last_seen = (SELECT MAX(seen_at) FROM messages WHERE messages.campaign = campaigns.id) "
            "WHERE merged_into IS NULL");
        !s) {
      return std::unexpected(s.error());
    }
    // A campaign with no message left goes, and the campaigns merged into it.
    if (auto s = db_->exec(
            "DELETE FROM campaigns WHERE merged_into IS NULL AND id NOT IN "
            "(SELECT campaign FROM messages WHERE campaign IS NOT NULL)");
        !s) {
      return std::unexpected(s.error());
    }
    return static_cast<std::int64_t>(old->size());
  }();
  if (!work) {
    db_->rollback();
    return work;
  }
  if (auto s = db_->commit(); !s) return std::unexpected(s.error());
  return work;
}

}  // namespace sluice::campaigns
