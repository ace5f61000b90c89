#include "campaigns/candidate_cache.hpp"

#include <algorithm>

namespace sluice::campaigns {

std::string CandidateCache::key(std::string_view kind, std::string_view value) {
  // Kinds are fixed identifiers without control characters, so the
  // separator cannot be forged by a value.
  std::string k;
  k.reserve(kind.size() + 1 + value.size());
  k.append(kind).push_back('\x1f');
  k.append(value);
  return k;
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

Result<std::span<const CandidateRow>> CandidateCache::rows(Db& db, std::string_view kind, std::string_view value) {
  std::string k;
  if (enabled_) {
    k = key(kind, value);
    if (const auto it = values_.find(k); it != values_.end()) return std::span<const CandidateRow>(it->second);
  }
  // The key's own rows alone: each carries its message's time and campaign.
  const std::vector<SqlValue> q{std::string(kind), std::string(value), kCandidatesPerValue};
  auto ints = db.query_ints(
      "SELECT message, campaign, seen_at FROM fingerprints WHERE kind = ? AND value = ? ORDER BY message DESC LIMIT ?",
      q);
  if (!ints) return std::unexpected(ints.error());
  std::vector<CandidateRow> found;
  found.reserve(ints->size() / 3);
  for (std::size_t r = 0; r + 3 <= ints->size(); r += 3) {
    found.push_back({.message = (*ints)[r], .campaign = (*ints)[r + 1], .seen_at = (*ints)[r + 2]});
  }
  if (!enabled_) {
    scratch_ = std::move(found);
    return std::span<const CandidateRow>(scratch_);
  }
  if (values_.size() >= kMaxValues) values_.clear();
  return std::span<const CandidateRow>(values_.emplace(std::move(k), std::move(found)).first->second);
}

void CandidateCache::add(std::string_view kind, std::string_view value, const CandidateRow& row) {
  if (!enabled_) return;
  // A value never asked for stays uncached: the store answers it when it is.
  const auto it = values_.find(key(kind, value));
  if (it == values_.end()) return;
  auto& rows = it->second;
  const auto at = std::find_if(rows.begin(), rows.end(), [&](const CandidateRow& r) { return r.message <= row.message; });
  if (at != rows.end() && at->message == row.message) return;
  rows.insert(at, row);
  if (rows.size() > static_cast<std::size_t>(kCandidatesPerValue)) rows.resize(static_cast<std::size_t>(kCandidatesPerValue));
}

void CandidateCache::forget() noexcept { values_.clear(); }

}  // namespace sluice::campaigns
