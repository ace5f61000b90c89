// Online, incremental grouping (docs/campaigns.md). Each recorded message is
// compared with the earlier messages that share one of its fingerprints —
// found through each value's rows (stored once per value, schema 5), at most
// kCandidatesPerValue per value (candidate_cache.hpp), so the cost of a
// message does not grow with the store. A strong link
// (payload hash, C2, mutex, icon+imphash) puts it in that message's campaign;
// weaker evidence needs two different classes (template, infrastructure,
// layout, payload traits, link domains) shared with one message within the
// window. Linked campaigns merge into the oldest: an ID seen yesterday still
// names the campaign today.
#include <algorithm>
#include <bit>

#include "campaigns/render.hpp"
#include "campaigns/store.hpp"

namespace sluice::campaigns {
namespace {

constexpr std::size_t kSharedReported = 16;
constexpr std::size_t kRowsPerInsert = 16;

// "INSERT … VALUES (…), (…)" for n rows: the same text for the same n, so
// each is prepared once per connection.
std::string insert_fingerprints(std::size_t n) {
  std::string sql = "INSERT INTO linking_fingerprints (fingerprint, message, seen_at, campaign) VALUES (?, ?, ?, ?)";
  for (std::size_t k = 1; k < n; ++k) sql += ", (?, ?, ?, ?)";
  return sql;
}

// The id of a value the store did not hold when the message was looked up.
// (PostgreSQL's writers hold one advisory lock, SQLite's one write lock, so
// the conflict arm is for a store written outside Sluice's locking.)
Result<std::int64_t> value_id(Db& db, std::string_view kind, std::string_view value) {
  const std::vector<SqlValue> p{std::string(kind), std::string(value)};
  auto made = db.query_ints(
      "INSERT INTO fingerprint_values (kind, value) VALUES (?, ?) ON CONFLICT (kind, value) DO NOTHING RETURNING id", p);
  if (!made) return std::unexpected(made.error());
  if (made->size() == 1) return made->front();
  auto had = db.query_ints("SELECT id FROM fingerprint_values WHERE kind = ? AND value = ?", p);
  if (!had) return std::unexpected(had.error());
  if (had->size() != 1) return fail(Errc::io, 0, "campaign store: a fingerprint value has no id");
  return had->front();
}

// An earlier message and the classes of what it shares with the message
// being recorded. Which fingerprints those are is kept beside the candidates
// in one list (Evidence): a vector per candidate was most of what grouping
// allocated.
struct Candidate {
  std::int64_t message = 0;
  std::int64_t campaign = 0;  // the one it was recorded into, then the one it is part of now
  std::int64_t seen_at = 0;
  bool strong = false;
  std::uint32_t classes = 0;  // bit per LinkClass
};

// Fingerprint `fp` is evidence shared with the candidate in slot `slot`
// (strong, or weak inside the window); in fingerprint order.
struct Evidence {
  std::uint32_t slot = 0;
  std::uint32_t fp = 0;
};

constexpr std::uint32_t bit(LinkClass c) { return 1U << static_cast<unsigned>(c); }

// Weak evidence needs two classes, one of them the actor's own lure or
// infrastructure: a kit's layout and a builder's imphash are shared by many
// actors, and a brand by every wave that imitates it.
bool links(const Candidate& c) {
  const bool actor = (c.classes & (bit(LinkClass::template_) | bit(LinkClass::infrastructure))) != 0;
  return c.strong || (std::popcount(c.classes) >= 2 && actor);
}

// A fingerprint of class `cls` is shared with candidate `c`: whether it is
// evidence.
bool share(Candidate& c, LinkClass cls, std::int64_t seen_at, std::int64_t window) {
  if (cls == LinkClass::strong) {
    c.strong = true;
  } else if (window <= 0 || (seen_at - c.seen_at <= window && c.seen_at - seen_at <= window)) {
    c.classes |= bit(cls);
  } else {
    return false;  // weak evidence outside the window says nothing
  }
  return true;
}

// Candidates carry the campaign each earlier message was recorded into; one
// merged since answers for the campaign it is part of now (merges flatten
// merged_into, so one step is enough). Returns the slots of the candidates
// with a live campaign (a store upgraded from schema 3 may hold rows of
// messages never grouped) in message order, so the evidence reported is
// deterministic.
Result<std::vector<std::uint32_t>> place(Db& db, CandidateCache& cache, std::vector<Candidate>& cands) {
  std::vector<std::int64_t> recorded;
  for (const Candidate& c : cands) {
    if (c.campaign != 0) recorded.push_back(c.campaign);
  }
  std::sort(recorded.begin(), recorded.end());
  recorded.erase(std::unique(recorded.begin(), recorded.end()), recorded.end());
  std::vector<std::int64_t> now(recorded.size(), 0);
  for (std::size_t i = 0; i < recorded.size(); ++i) {
    if (const auto known = cache.campaign(recorded[i])) {
      now[i] = *known;
      continue;
    }
    auto rows = db.query_ints("SELECT COALESCE(merged_into, id) FROM campaigns WHERE id = ?",
                              std::vector<SqlValue>{recorded[i]});
    if (!rows) return std::unexpected(rows.error());
    if (!rows->empty()) now[i] = rows->front();
    cache.set_campaign(recorded[i], now[i]);
  }
  for (Candidate& c : cands) {
    const auto it = std::lower_bound(recorded.begin(), recorded.end(), c.campaign);
    c.campaign = it != recorded.end() && *it == c.campaign ? now[static_cast<std::size_t>(it - recorded.begin())] : 0;
  }
  std::vector<std::uint32_t> order;
  for (std::uint32_t slot = 0; slot < cands.size(); ++slot) {
    if (cands[slot].campaign != 0) order.push_back(slot);
  }
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return cands[a].message < cands[b].message; });
  return order;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

// A campaign gains `n` messages seen between `first` and `last`; its size,
// first and last seen after that (none when there is no such campaign).
Result<std::vector<std::int64_t>> grow(Db& db, std::int64_t id, std::int64_t n, std::int64_t first,
                                       std::int64_t last) {
  return db.query_ints(
      "UPDATE campaigns SET size = size + ?, "
      "first_seen = CASE WHEN first_seen IS NULL OR first_seen > ? THEN ? ELSE first_seen END, "
      "last_seen = CASE WHEN last_seen IS NULL OR last_seen < ? THEN ? ELSE last_seen END WHERE id = ? "
      "RETURNING size, first_seen, last_seen",
      std::vector<SqlValue>{n, first, first, last, last, id});
}

bool is_postgres_uri(std::string_view w) {
  return w.starts_with("postgresql://") || w.starts_with("postgres://");
}

}  // namespace

std::string campaign_label(std::int64_t id) { return "C-" + std::to_string(id); }

std::optional<std::int64_t> parse_campaign_label(std::string_view s) {
  if (s.starts_with("C-") || s.starts_with("c-")) s.remove_prefix(2);
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

Store::~Store() = default;

Result<Store> Store::open(const std::string& where, StoreOptions options) {
  auto db = is_postgres_uri(where) ? open_postgresql(where) : open_sqlite(where);
  if (!db) return std::unexpected(db.error());
  if (auto s = migrate(**db, kSchemaVersion); !s) return std::unexpected(s.error());
  return Store(std::move(*db), options);
}

Result<std::int64_t> Store::schema_version() { return stored_schema_version(*db_); }

Result<std::optional<Assignment>> Store::record(const MessageRecord& m, std::int64_t seen_at) {
  if (m.facts.verdict == Verdict::error || m.facts.verdict < options_.min_verdict) {
    return std::optional<Assignment>{};
  }
  Db& db = *db_;
  // Alone: one transaction. In a batch: a savepoint, so a failed message
  // undoes only itself.
  if (auto s = batch_ ? db.exec("SAVEPOINT sluice_record") : db.begin_write(); !s) return std::unexpected(s.error());
  if (!batch_) {
    if (auto s = candidates_.sync(db); !s) {
      db.rollback();
      return std::unexpected(s.error());
    }
  }
  std::int64_t self = 0;
  std::vector<std::int64_t> ids(m.fingerprints.size(), 0);  // each fingerprint's value in the store
  std::vector<LinkClass> classes(m.fingerprints.size(), LinkClass::report);
  auto out = [&]() -> Result<Assignment> {
    const MessageFacts& f = m.facts;
    // One candidate per earlier message, found through any of the values:
    // a message of the same wave comes back for most of them.
    const std::int64_t window = options_.window_days * 86400;
    std::vector<Candidate> cands;
    std::vector<Evidence> evidence;
    // Message id -> its slot + 1 (0: free), open-addressed and kept at most
    // half full: a wave's message meets dozens of candidates, and a hash
    // node each was a third of what recording allocated.
    std::vector<std::pair<std::int64_t, std::uint32_t>> table(64);
    const auto probe = [&](std::int64_t message) {
      const std::size_t mask = table.size() - 1;
      std::size_t h = static_cast<std::size_t>((static_cast<std::uint64_t>(message) * 0x9E3779B97F4A7C15ULL) >> 32) & mask;
      while (table[h].second != 0 && table[h].first != message) h = (h + 1) & mask;
      return h;
    };
    for (std::uint32_t i = 0; i < m.fingerprints.size(); ++i) {
      const Fingerprint& fp = m.fingerprints[i];
      const LinkClass cls = classes[i] = link_class(fp.kind);
      auto stored = candidates_.find(db, fp.kind, fp.value, cls != LinkClass::report);
      if (!stored) return std::unexpected(stored.error());
      ids[i] = (*stored)->id;
      if (cls == LinkClass::report) continue;
      for (const CandidateRow& r : (*stored)->rows) {
        std::size_t h = probe(r.message);
        if (table[h].second == 0) {
          cands.push_back(
              {.message = r.message, .campaign = r.campaign, .seen_at = r.seen_at, .strong = false, .classes = 0});
          table[h] = {r.message, static_cast<std::uint32_t>(cands.size())};
          if (2 * cands.size() > table.size()) {
            table.assign(2 * table.size(), {0, 0});
            for (std::uint32_t k = 0; k < cands.size(); ++k) table[probe(cands[k].message)] = {cands[k].message, k + 1};
            h = probe(r.message);
          }
        }
        const std::uint32_t slot = table[h].second - 1;
        if (share(cands[slot], cls, seen_at, window)) evidence.push_back({.slot = slot, .fp = i});
      }
    }
    auto order = place(db, candidates_, cands);
    if (!order) return std::unexpected(order.error());

    // The campaigns this message links to, oldest first; candidates are
    // visited in id order, so the evidence reported is deterministic.
    std::vector<std::int64_t> linked;
    for (const std::uint32_t slot : *order) {
      if (links(cands[slot])) linked.push_back(cands[slot].campaign);
    }
    std::sort(linked.begin(), linked.end());
    linked.erase(std::unique(linked.begin(), linked.end()), linked.end());
    Assignment a;
    if (linked.empty()) {
      auto created = db.query("INSERT INTO campaigns (created_at, size, first_seen, last_seen) VALUES (?, 0, ?, ?) "
                              "RETURNING id",
                              std::vector<SqlValue>{seen_at, seen_at, seen_at});
      if (!created) return std::unexpected(created.error());
      if (created->size() != 1) return fail(Errc::io, 0, "campaign store: insert returned no id");
      a.campaign = as_int(created->front().front());
      a.started = true;
    } else {
      a.campaign = *linked.begin();
      for (auto it = std::next(linked.begin()); it != linked.end(); ++it) {
        const std::vector<SqlValue> p{a.campaign, *it, *it};
        if (auto s = db.exec("UPDATE campaigns SET merged_into = ? WHERE id = ? OR merged_into = ?", p); !s) {
          return std::unexpected(s.error());
        }
        if (auto s = db.exec("UPDATE messages SET campaign = ? WHERE campaign = ?",
                             std::vector<SqlValue>{a.campaign, *it});
            !s) {
          return std::unexpected(s.error());
        }
        auto folded = db.query("SELECT size, first_seen, last_seen FROM campaigns WHERE id = ?",
                               std::vector<SqlValue>{*it});
        if (!folded) return std::unexpected(folded.error());
        if (!folded->empty()) {
          const SqlRow& counts = folded->front();
          if (auto s = grow(db, a.campaign, as_int(counts[0]), as_int(counts[1]), as_int(counts[2])); !s) {
            return std::unexpected(s.error());
          }
        }
        a.merged.push_back(*it);
      }
    }
    // A message's fingerprints are distinct (they are the table's key with
    // it), so an index names a (kind, value) pair.
    std::vector<bool> reported(m.fingerprints.size(), false);
    // Names are read only for the few candidates the result reports: the
    // look-ups above carry integers alone (they run for every fingerprint).
    // Each candidate's evidence, grouped by slot (a counting sort keeps
    // fingerprint order within a slot).
    std::vector<std::uint32_t> start(cands.size() + 1, 0), by_slot(evidence.size());
    for (const Evidence& e : evidence) ++start[e.slot + 1];
    for (std::size_t k = 1; k < start.size(); ++k) start[k] += start[k - 1];
    {
      std::vector<std::uint32_t> next(start.begin(), start.end() - 1);
      for (const Evidence& e : evidence) by_slot[next[e.slot]++] = e.fp;
    }
    // The evidence is stored as [value id, message id] pairs (docs/campaigns.md):
    // names and values are in their own tables already, and written out here
    // they made the message row a page of its own.
    std::string stored_links = "[";
    for (const std::uint32_t slot : *order) {
      const Candidate& c = cands[slot];
      if (!links(c)) continue;
      std::string name;
      for (std::uint32_t k = start[slot]; k < start[slot + 1]; ++k) {
        const std::uint32_t i = by_slot[k];
        if (a.shared.size() >= kSharedReported) break;
        if (reported[i]) continue;
        reported[i] = true;
        if (name.empty()) {
          if (const std::string* known = candidates_.name(c.message)) {
            name = *known;
          } else {
            auto n = db.query("SELECT message_id, input FROM messages WHERE id = ?",
                              std::vector<SqlValue>{c.message});
            if (!n) return std::unexpected(n.error());
            if (!n->empty()) name = message_name(as_text(n->front()[0]), as_text(n->front()[1]));
            candidates_.set_name(c.message, name);
          }
        }
        const Fingerprint& fp = m.fingerprints[i];
        a.shared.push_back({fp.kind, fp.value, std::string(to_string(classes[i])), name});
        if (stored_links.size() > 1) stored_links += ',';
        stored_links += '[' + std::to_string(ids[i]) + ',' + std::to_string(c.message) + ']';
      }
    }
    stored_links += ']';
    // A value new to the store gets its id first: the message row names them all.
    std::string fingerprint_ids;
    for (std::size_t i = 0; i < m.fingerprints.size(); ++i) {
      if (ids[i] == 0) {
        auto id = value_id(db, m.fingerprints[i].kind, m.fingerprints[i].value);
        if (!id) return std::unexpected(id.error());
        ids[i] = *id;
      }
      if (i) fingerprint_ids += ' ';
      fingerprint_ids += std::to_string(ids[i]);
    }
    // The message row is written once, with its campaign and evidence.
    const std::vector<SqlValue> row{seen_at, f.input, f.message_id, f.from_domain, f.envelope_sender,
                                    joined(f.recipient_domains), f.subject, std::string(to_string(f.verdict)),
                                    f.score, joined(f.findings), f.evidence, f.feature_version, f.features,
                                    a.campaign, std::move(stored_links), std::move(fingerprint_ids)};
    auto ins = db.query(
        "INSERT INTO messages (seen_at, input, message_id, from_domain, sender_domain, recipient_domains, "
        "subject, verdict, score, findings, evidence, feature_version, features, campaign, links, fingerprint_ids) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        row);
    if (!ins) return std::unexpected(ins.error());
    if (ins->size() != 1) return fail(Errc::io, 0, "campaign store: insert returned no id");
    self = as_int(ins->front().front());
    // The rows later messages are linked through, stored once the campaign is
    // known (they carry it), several per statement; a report-only value is
    // in the message row alone.
    std::vector<std::int64_t> linking;
    for (std::size_t i = 0; i < m.fingerprints.size(); ++i) {
      if (classes[i] != LinkClass::report) linking.push_back(ids[i]);
    }
    for (std::size_t at = 0; at < linking.size(); at += kRowsPerInsert) {
      const std::size_t n = std::min(kRowsPerInsert, linking.size() - at);
      std::vector<SqlValue> p;
      p.reserve(4 * n);
      for (std::size_t k = at; k < at + n; ++k) p.insert(p.end(), {linking[k], self, seen_at, a.campaign});
      if (auto s = db.exec(insert_fingerprints(n), p); !s) return std::unexpected(s.error());
    }
    auto stats = grow(db, a.campaign, 1, seen_at, seen_at);
    if (!stats) return std::unexpected(stats.error());
    if (stats->size() != 3) return fail(Errc::malformed, 0, "campaign store: campaign vanished during recording");
    a.size = (*stats)[0];
    a.first_seen = (*stats)[1];
    a.last_seen = (*stats)[2];
    a.label = campaign_label(a.campaign);
    return a;
  }();
  if (batch_) {
    if (!out) {
      (void)db.exec("ROLLBACK TO SAVEPOINT sluice_record");
      (void)db.exec("RELEASE SAVEPOINT sluice_record");
      return std::unexpected(out.error());
    }
    if (auto s = db.exec("RELEASE SAVEPOINT sluice_record"); !s) {
      candidates_.forget();
      return std::unexpected(s.error());
    }
    ++batched_;
    remember(m, ids, {.message = self, .campaign = out->campaign, .seen_at = seen_at}, out->merged);
    return std::optional<Assignment>(std::move(*out));
  }
  if (!out) {
    db.rollback();
    return std::unexpected(out.error());
  }
  if (auto s = db.commit(); !s) {
    db.rollback();
    candidates_.forget();
    return std::unexpected(s.error());
  }
  remember(m, ids, {.message = self, .campaign = out->campaign, .seen_at = seen_at}, out->merged);
  return std::optional<Assignment>(std::move(*out));
}

void Store::remember(const MessageRecord& m, std::span<const std::int64_t> ids, const CandidateRow& row,
                     std::span<const std::int64_t> merged) {
  for (std::size_t i = 0; i < m.fingerprints.size(); ++i) {
    candidates_.add(m.fingerprints[i].kind, m.fingerprints[i].value, ids[i], row);
  }
  candidates_.set_name(row.message, message_name(m.facts.message_id, m.facts.input));
  for (const std::int64_t from : merged) candidates_.merged(from, row.campaign);
  candidates_.set_campaign(row.campaign, row.campaign);
}

Status Store::begin_batch() {
  if (batch_) return {};
  if (auto s = db_->begin_write(); !s) return s;
  if (auto s = candidates_.sync(*db_); !s) {
    db_->rollback();
    return s;
  }
  batch_ = true;
  batched_ = 0;
  batch_started_ = std::chrono::steady_clock::now();
  return {};
}

Status Store::end_batch() {
  if (!batch_) return {};
  batch_ = false;
  if (auto s = db_->commit(); !s) {
    db_->rollback();
    candidates_.forget();
    return s;
  }
  return {};
}

}  // namespace sluice::campaigns
