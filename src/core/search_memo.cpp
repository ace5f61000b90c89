#include "core/search_memo.hpp"

#include <openssl/evp.h>

#include <memory>

namespace sluice::core {
namespace {

struct Digest {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), EVP_MD_CTX_free};
  bool ok = ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1;

  void bytes(const void* p, std::size_t n) {
    if (ok && n > 0) ok = EVP_DigestUpdate(ctx.get(), p, n) == 1;
  }
  // Every field carries its length, so no two different inputs feed the same bytes.
  void number(std::uint64_t v) {
    std::array<std::uint8_t, 8> le{};
    for (std::size_t i = 0; i < le.size(); ++i) le[i] = static_cast<std::uint8_t>(v >> (8 * i));
    bytes(le.data(), le.size());
  }
  void text(std::string_view s) {
    number(s.size());
    bytes(s.data(), s.size());
  }
};

}  // namespace

SearchKey search_key(std::string_view kind, const std::array<std::uint8_t, 32>& content_sha256, std::uint64_t size,
                     std::span<const std::string> candidates, const Limits& limits, std::uint64_t rounds_left) {
  Digest d;
  d.text(kind);
  d.bytes(content_sha256.data(), content_sha256.size());
  d.number(size);
  d.number(candidates.size());
  for (const std::string& c : candidates) d.text(c);
  d.number(limits.max_password_candidates);
  d.number(limits.max_artifact_bytes);
  d.number(limits.max_children);
  d.number(rounds_left);
  SearchKey key{};
  unsigned int len = 0;
  if (!d.ok || EVP_DigestFinal_ex(d.ctx.get(), key.data(), &len) != 1 || len != key.size()) {
    // No digest, no key that could stand for this search: an all-zero key is
    // never remembered (SearchMemo::remember), so the search simply runs.
    return SearchKey{};
  }
  return key;
}

std::optional<ClosedSearch> SearchMemo::find(const SearchKey& key) {
  std::lock_guard lock(mu_);
  const auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  recent_.splice(recent_.begin(), recent_, it->second);
  ++hits_;
  return it->second->second;
}

void SearchMemo::remember(const SearchKey& key, ClosedSearch conclusion) {
  if (key == SearchKey{} || capacity_ == 0) return;
  std::lock_guard lock(mu_);
  if (const auto it = index_.find(key); it != index_.end()) {
    it->second->second = std::move(conclusion);
    recent_.splice(recent_.begin(), recent_, it->second);
    return;
  }
  recent_.emplace_front(key, std::move(conclusion));
  index_.emplace(key, recent_.begin());
  if (recent_.size() > capacity_) {
    index_.erase(recent_.back().first);
    recent_.pop_back();
  }
}

std::size_t SearchMemo::size() const {
  std::lock_guard lock(mu_);
  return recent_.size();
}

std::uint64_t SearchMemo::hits() const {
  std::lock_guard lock(mu_);
  return hits_;
}

}  // namespace sluice::core
