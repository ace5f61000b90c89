#pragma once
// Memory for a sparse virtual disk (docs/adr/0009-sparse-disks.md). The address
// range is as long as the whole virtual disk but reserved without commitment:
// only pages that data is copied into cost memory, every other page reads as
// zeros from the kernel's shared zero page. A 2 TiB disk with 3 MiB written
// costs 3 MiB, and every parser still sees one contiguous, bounds-checked view.
#include <cstdint>
#include <span>
#include <vector>

#include "sluice/byte_view.hpp"
#include "sluice/result.hpp"

namespace sluice {

struct Extent {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  [[nodiscard]] std::uint64_t end() const noexcept { return offset + length; }
  bool operator==(const Extent&) const = default;
};

class SparseBuffer {
 public:
  // Fails (Errc::io) when the system will not reserve the range: a strict
  // overcommit policy, an address-space rlimit, or simply too big.
  [[nodiscard]] static Result<SparseBuffer> reserve(std::uint64_t size);

  SparseBuffer() noexcept = default;
  SparseBuffer(SparseBuffer&& other) noexcept;
  SparseBuffer& operator=(SparseBuffer&& other) noexcept;
  SparseBuffer(const SparseBuffer&) = delete;
  SparseBuffer& operator=(const SparseBuffer&) = delete;
  ~SparseBuffer();

  // Copies `src` to `offset`. Pages of `src` that are all zero are skipped (they
  // already read as zero), so memory follows the data, not the allocation, and
  // the present ranges depend only on the content. False, with nothing copied,
  // when the range passes the end or the buffer is sealed.
  bool write(std::uint64_t offset, ByteView src);
  // Makes the range read-only: from here on it is only ever a view.
  void seal() noexcept;

  [[nodiscard]] ByteView view() const noexcept { return {base_, static_cast<std::size_t>(size_)}; }
  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
  // Ranges that hold data, sorted, disjoint, adjacent ones merged.
  [[nodiscard]] std::span<const Extent> present() const noexcept { return present_; }
  [[nodiscard]] std::uint64_t present_bytes() const noexcept { return present_bytes_; }
  // The present ranges overlapping [offset, offset + length), clipped to it and
  // relative to `offset`.
  [[nodiscard]] std::vector<Extent> present_in(std::uint64_t offset, std::uint64_t length) const;
  [[nodiscard]] bool holds(ByteView v) const noexcept;

 private:
  void mark_present(std::uint64_t offset, std::uint64_t length);
  [[nodiscard]] bool overlaps_present(std::uint64_t offset, std::uint64_t length) const noexcept;

  std::uint8_t* base_ = nullptr;
  std::uint64_t size_ = 0;
  std::uint64_t mapped_ = 0;
  bool sealed_ = false;
  std::vector<Extent> present_;
  std::uint64_t present_bytes_ = 0;
};

}  // namespace sluice
