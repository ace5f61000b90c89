#pragma once
// A set of views into one text, filled once and then only read: an array of
// (offset, length) slots with open addressing instead of a node per entry.
// The Public Suffix List's 9,000 rules in an unordered_set cost every engine
// start 9,000 allocations, as many frees at exit, and the page faults of
// 300 KB of nodes; here 256 KB of 8-byte slots (docs/adr/0031).
#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string_view>
#include <vector>

namespace sluice::core {

class ViewSet {
 public:
  ViewSet() = default;
  // Room for about `expected` members (it grows past that), each a view into
  // `base`, which must outlive the set.
  ViewSet(std::string_view base, std::size_t expected) : base_(base) { slots_.assign(capacity_for(expected), Slot{}); }

  // False when `v` is not inside the base (or past 4 GiB into it); a member
  // already there is not added twice.
  bool insert(std::string_view v) {
    const auto at = reinterpret_cast<std::uintptr_t>(v.data());
    const auto from = reinterpret_cast<std::uintptr_t>(base_.data());
    if (at < from || at - from > base_.size() || v.size() > base_.size() - (at - from) ||
        (at - from) + v.size() >= kFree) {
      return false;
    }
    if (2 * (size_ + 1) > slots_.size()) grow();
    place(Slot{static_cast<std::uint32_t>(at - from), static_cast<std::uint32_t>(v.size())});
    return true;
  }

  [[nodiscard]] bool contains(std::string_view v) const noexcept {
    if (slots_.empty()) return false;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = std::hash<std::string_view>{}(v) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.offset == kFree) return false;  // never full: at most half the slots are used
      if (view(s) == v) return true;
    }
  }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

 private:
  static constexpr std::uint32_t kFree = std::numeric_limits<std::uint32_t>::max();
  struct Slot {
    std::uint32_t offset = kFree;
    std::uint32_t length = 0;
  };
  [[nodiscard]] std::string_view view(const Slot& s) const noexcept { return base_.substr(s.offset, s.length); }
  // At most half full, so a miss ends within a few slots.
  static std::size_t capacity_for(std::size_t n) { return std::bit_ceil(2 * n + 2); }

  void place(Slot slot) {
    const std::string_view v = view(slot);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = std::hash<std::string_view>{}(v) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.offset == kFree) {
        s = slot;
        ++size_;
        return;
      }
      if (view(s) == v) return;
    }
  }

  void grow() {
    std::vector<Slot> old(capacity_for(size_ + 1), Slot{});
    old.swap(slots_);
    size_ = 0;
    for (const Slot& s : old) {
      if (s.offset != kFree) place(s);
    }
  }

  std::string_view base_;
  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace sluice::core
