#pragma once
// Each fingerprint value's id in the store and the recent messages that
// grouping compares a new message with, kept in memory between messages
// (docs/campaigns.md). Every
// message of a wave asks for the same dozen values, and reading their rows
// from the store again for each one was the largest part of what recording
// cost (bench/README.md). The cache answers exactly what the query answers:
// the value's id and its kCandidatesPerValue most recent rows, newest first.
//
// It is only trusted while no other connection has written to the store:
// sync() is called with the write lock held and forgets everything when the
// store's data version moved (SQLite's PRAGMA data_version). A backend that
// cannot tell (PostgreSQL, shared by several gateways) is never cached.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "campaigns/db.hpp"

namespace sluice::campaigns {

// The most recent messages per shared value that are compared: enough to find
// the wave a message belongs to, bounded however common the value is (a
// builder's imphash may be in half the store).
inline constexpr std::int64_t kCandidatesPerValue = 50;

// One stored fingerprint row: its message, the campaign that message was
// recorded into, and the message's time.
struct CandidateRow {
  std::int64_t message = 0;
  std::int64_t campaign = 0;
  std::int64_t seen_at = 0;
};

// A (kind, value) as stored: its id in fingerprint_values (0 while the store
// has none) and, when they were asked for, its most recent rows, newest first.
struct StoredValue {
  std::int64_t id = 0;
  std::vector<CandidateRow> rows;
  bool with_rows = false;  // a report-only kind never links: its id alone is read
};

class CandidateCache {
 public:
  // With the write lock held: keep the cache if nobody else wrote since the
  // last call, else forget it.
  Status sync(Db& db);
  // The value as stored, its rows only `with_rows`; valid until the next call.
  Result<const StoredValue*> find(Db& db, std::string_view kind, std::string_view value, bool with_rows);
  // A message's fingerprint row (of value `id`), once it is stored and
  // committed to (the message's savepoint released, or its transaction
  // committed); kept where the value's rows are.
  void add(std::string_view kind, std::string_view value, std::int64_t id, const CandidateRow& row);
  // After a rollback or a delete: the store may no longer hold what is cached.
  void forget() noexcept;

  // Under the same rule, what grouping reads about the candidates it links
  // to: a message's name (Message-ID, else input) and the campaign a
  // campaign is part of now (itself, or the one it was merged into). The
  // setters take what the store answered or, after a commit, what was written.
  [[nodiscard]] const std::string* name(std::int64_t message) const;
  void set_name(std::int64_t message, std::string name);
  [[nodiscard]] std::optional<std::int64_t> campaign(std::int64_t id) const;
  void set_campaign(std::int64_t id, std::int64_t now);
  // Campaign `from` (and what was merged into it) is part of `into` now.
  void merged(std::int64_t from, std::int64_t into);

 private:
  const std::string& key(std::string_view kind, std::string_view value);
  // Values cached at most; past it the cache starts again (a store of
  // one-off payload hashes must not grow the process without bound).
  static constexpr std::size_t kMaxValues = 16'384;

  std::unordered_map<std::string, StoredValue> values_;
  std::unordered_map<std::int64_t, std::string> names_;
  std::unordered_map<std::int64_t, std::int64_t> campaigns_;
  StoredValue scratch_;  // an uncached backend's answer
  std::string key_;      // the last key built
  std::int64_t version_ = 0;
  bool enabled_ = false;
};

}  // namespace sluice::campaigns
