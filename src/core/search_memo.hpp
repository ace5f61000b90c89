#pragma once
// A campaign mails the same encrypted archive to every recipient, with the
// same text beside it. When no candidate password opened it, the search is
// the most expensive thing a scan does (every candidate's key derivation:
// 55–200 ms for the fixtures, up to max_key_derivation_rounds), and it
// would conclude the same for every copy. The memo keeps that conclusion,
// keyed by everything the search reads, so each later copy reports it
// without deriving a key (docs/adr/0038). Searches that opened the archive
// are not kept: they stop at the candidate that works.
#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sluice/limits.hpp"

namespace sluice::core {

// What a search that opened nothing concluded, as the unpacker reports it,
// and the key-derivation rounds it took from the scan's budget.
struct ClosedSearch {
  std::uint32_t tried = 0;
  bool encrypted_data = false;
  bool encrypted_headers = false;
  bool candidates_capped = false;
  bool rounds_capped = false;
  std::string problem;
  std::uint64_t rounds_taken = 0;

  friend bool operator==(const ClosedSearch&, const ClosedSearch&) = default;
};

using SearchKey = std::array<std::uint8_t, 32>;

// SHA-256 of everything a search's outcome depends on: the search (`kind`:
// "7z", "rar5", "rar3"), the archive's contents (the SHA-256 the engine took
// of it, and its size), every candidate in order, the limits its readers are
// bounded by, and the key-derivation rounds the scan has left. A deadline is
// not in it: a search the deadline cut is not kept.
[[nodiscard]] SearchKey search_key(std::string_view kind, const std::array<std::uint8_t, 32>& content_sha256,
                                   std::uint64_t size, std::span<const std::string> candidates,
                                   const Limits& limits, std::uint64_t rounds_left);

// The most recently used `capacity` conclusions; shared by every scan of an
// engine (and so locked), kept for the engine's life.
class SearchMemo {
 public:
  static constexpr std::size_t kDefaultCapacity = 1024;  // ≈ 200 KB

  explicit SearchMemo(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}
  SearchMemo(const SearchMemo&) = delete;
  SearchMemo& operator=(const SearchMemo&) = delete;

  [[nodiscard]] std::optional<ClosedSearch> find(const SearchKey& key);
  void remember(const SearchKey& key, ClosedSearch conclusion);

  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] std::uint64_t hits() const;

 private:
  using Entry = std::pair<SearchKey, ClosedSearch>;
  mutable std::mutex mu_;
  std::size_t capacity_;
  std::list<Entry> recent_;  // most recently used first
  std::map<SearchKey, std::list<Entry>::iterator> index_;
  std::uint64_t hits_ = 0;
};

}  // namespace sluice::core
