#pragma once
// Anonymous memory that reads as zeros and costs only the pages written: the
// kernel maps untouched pages to its shared zero page. Used for sparse virtual
// disks (SparseBuffer) and for per-cluster tables sized by what a file system
// claims rather than by what it holds (docs/adr/0009-sparse-disks.md).
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "sluice/result.hpp"

namespace sluice::core {

struct ZeroPages {
  void* base = nullptr;
  std::size_t bytes = 0;  // page-rounded
};
// MAP_NORESERVE, no huge pages, not in core dumps. Errc::io when refused.
[[nodiscard]] Result<ZeroPages> map_zero_pages(std::uint64_t bytes);
void unmap_zero_pages(ZeroPages pages) noexcept;

// A fixed-size array of T, all zero at first. Indexing is unchecked, like
// std::vector's operator[]: callers index with values they validated.
template <class T>
class ZeroedArray {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  [[nodiscard]] static Result<ZeroedArray> make(std::size_t n) {
    if (n > SIZE_MAX / sizeof(T)) return fail(Errc::limit, 0, "table too large");
    auto pages = map_zero_pages(static_cast<std::uint64_t>(n) * sizeof(T));
    if (!pages) return std::unexpected(pages.error());
    ZeroedArray a;
    a.pages_ = *pages;
    a.size_ = n;
    return a;
  }
  ZeroedArray() noexcept = default;
  ZeroedArray(ZeroedArray&& o) noexcept
      : pages_(std::exchange(o.pages_, ZeroPages{})), size_(std::exchange(o.size_, 0)) {}
  ZeroedArray& operator=(ZeroedArray&& o) noexcept {
    if (this != &o) {
      unmap_zero_pages(pages_);
      pages_ = std::exchange(o.pages_, ZeroPages{});
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  ZeroedArray(const ZeroedArray&) = delete;
  ZeroedArray& operator=(const ZeroedArray&) = delete;
  ~ZeroedArray() { unmap_zero_pages(pages_); }

  [[nodiscard]] T& operator[](std::size_t i) noexcept { return static_cast<T*>(pages_.base)[i]; }
  [[nodiscard]] const T& operator[](std::size_t i) const noexcept {
    return static_cast<const T*>(pages_.base)[i];
  }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

 private:
  ZeroPages pages_;
  std::size_t size_ = 0;
};

}  // namespace sluice::core
