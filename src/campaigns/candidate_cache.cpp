#include "campaigns/candidate_cache.hpp"

#include <algorithm>
#include <span>

namespace sluice::campaigns {

const std::string& CandidateCache::key(std::string_view kind, std::string_view value) {
  // Kinds are fixed identifiers without control characters, so the
  // separator cannot be forged by a value. Built in place: a look-up per
  // fingerprint allocates nothing once the buffer has grown.
  key_.assign(kind).push_back('\x1f');
  key_.append(value);
  return key_;
}

Status CandidateCache::sync(Db& db) {
  auto v = db.data_version();
  if (!v) {
    forget();
    enabled_ = false;
    return std::unexpected(v.error());
  }
  if (!v->has_value() || !enabled_ || **v != version_) forget();
  enabled_ = v->has_value();
  if (enabled_) version_ = **v;
  return {};
}

Result<const StoredValue*> CandidateCache::find(Db& db, std::string_view kind, std::string_view value,
                                                bool with_rows) {
  if (enabled_) {
    if (const auto it = values_.find(key(kind, value)); it != values_.end() && (it->second.with_rows || !with_rows)) {
      return &it->second;
    }
  }
  StoredValue found;
  found.with_rows = with_rows;
  const std::vector<SqlValue> q{std::string(kind), std::string(value), kCandidatesPerValue};
  if (with_rows) {
    // The value's id and its own rows: each carries its message's time and
    // campaign. A value without rows (its messages pruned) answers one row of
    // NULLs, read as 0.
    auto ints = db.query_ints(
        "SELECT v.id, f.message, f.campaign, f.seen_at FROM fingerprint_values v "
        "LEFT JOIN linking_fingerprints f ON f.fingerprint = v.id "
        "WHERE v.kind = ? AND v.value = ? ORDER BY f.message DESC LIMIT ?",
        q);
    if (!ints) return std::unexpected(ints.error());
    found.rows.reserve(ints->size() / 4);
    for (std::size_t r = 0; r + 4 <= ints->size(); r += 4) {
      found.id = (*ints)[r];
      if ((*ints)[r + 1] == 0) continue;
      found.rows.push_back({.message = (*ints)[r + 1], .campaign = (*ints)[r + 2], .seen_at = (*ints)[r + 3]});
    }
  } else {
    auto ids = db.query_ints("SELECT id FROM fingerprint_values WHERE kind = ? AND value = ?",
                             std::span<const SqlValue>(q).first(2));
    if (!ids) return std::unexpected(ids.error());
    if (!ids->empty()) found.id = ids->front();
  }
  if (!enabled_) {
    scratch_ = std::move(found);
    return &scratch_;
  }
  if (values_.size() >= kMaxValues) values_.clear();
  return &values_.insert_or_assign(std::string(key(kind, value)), std::move(found)).first->second;
}

void CandidateCache::add(std::string_view kind, std::string_view value, std::int64_t id, const CandidateRow& row) {
  if (!enabled_) return;
  // A value never asked for stays uncached: the store answers it when it is.
  const auto it = values_.find(key(kind, value));
  if (it == values_.end()) return;
  it->second.id = id;
  if (!it->second.with_rows) return;
  auto& rows = it->second.rows;
  const auto at = std::find_if(rows.begin(), rows.end(), [&](const CandidateRow& r) { return r.message <= row.message; });
  if (at != rows.end() && at->message == row.message) return;
  rows.insert(at, row);
  if (rows.size() > static_cast<std::size_t>(kCandidatesPerValue)) rows.resize(static_cast<std::size_t>(kCandidatesPerValue));
}

void CandidateCache::forget() noexcept {
  values_.clear();
  names_.clear();
  campaigns_.clear();
}

const std::string* CandidateCache::name(std::int64_t message) const {
  const auto it = names_.find(message);
  return it == names_.end() ? nullptr : &it->second;
}

void CandidateCache::set_name(std::int64_t message, std::string name) {
  if (!enabled_) return;
  if (names_.size() >= kMaxValues) names_.clear();
  names_.insert_or_assign(message, std::move(name));
}

std::optional<std::int64_t> CandidateCache::campaign(std::int64_t id) const {
  const auto it = campaigns_.find(id);
  if (it == campaigns_.end()) return std::nullopt;
  return it->second;
}

void CandidateCache::set_campaign(std::int64_t id, std::int64_t now) {
  if (!enabled_) return;
  if (campaigns_.size() >= kMaxValues) campaigns_.clear();
  campaigns_.insert_or_assign(id, now);
}

void CandidateCache::merged(std::int64_t from, std::int64_t into) {
  if (!enabled_) return;
  for (auto& [id, now] : campaigns_) {
    if (now == from) now = into;
  }
  set_campaign(from, into);
}

}  // namespace sluice::campaigns
