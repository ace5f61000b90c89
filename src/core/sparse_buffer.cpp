#include "sluice/sparse_buffer.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "core/zero_pages.hpp"

namespace sluice {
namespace {

// Pages are the unit the kernel commits; 4 KiB is the smallest on every
// platform Debian ships, so zero-skipping at that grain never wastes a page.
constexpr std::uint64_t kPage = 4096;

}  // namespace

Result<SparseBuffer> SparseBuffer::reserve(std::uint64_t size) {
  SparseBuffer b;
  auto pages = core::map_zero_pages(size);
  if (!pages) return std::unexpected(pages.error());
  b.base_ = static_cast<std::uint8_t*>(pages->base);
  b.size_ = size;
  b.mapped_ = pages->bytes;
  return b;
}

SparseBuffer::SparseBuffer(SparseBuffer&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, 0)),
      sealed_(std::exchange(other.sealed_, false)),
      present_(std::move(other.present_)),
      present_bytes_(std::exchange(other.present_bytes_, 0)) {}

SparseBuffer& SparseBuffer::operator=(SparseBuffer&& other) noexcept {
  if (this != &other) {
    SparseBuffer gone(std::move(*this));
    base_ = std::exchange(other.base_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, 0);
    sealed_ = std::exchange(other.sealed_, false);
    present_ = std::move(other.present_);
    present_bytes_ = std::exchange(other.present_bytes_, 0);
  }
  return *this;
}

SparseBuffer::~SparseBuffer() {
  core::unmap_zero_pages(core::ZeroPages{base_, static_cast<std::size_t>(mapped_)});
}

bool SparseBuffer::write(std::uint64_t offset, ByteView src) {
  if (sealed_ || offset > size_ || src.size() > size_ - offset) return false;
  std::uint64_t at = 0;
  while (at < src.size()) {
    // Chunks end on the destination's page boundaries, so a skipped chunk is a
    // whole untouched page (or the part of one nothing else wrote).
    const std::uint64_t dst = offset + at;
    const std::uint64_t n = std::min<std::uint64_t>(src.size() - at, kPage - dst % kPage);
    const ByteView chunk = src.clamp(at, n);
    if (!chunk.all_zero() || overlaps_present(dst, n)) {
      std::memcpy(base_ + dst, chunk.data(), chunk.size());
      mark_present(dst, n);
    }
    at += n;
  }
  return true;
}

void SparseBuffer::seal() noexcept {
  if (base_ != nullptr && !sealed_) (void)::mprotect(base_, static_cast<std::size_t>(mapped_), PROT_READ);
  sealed_ = true;
}

bool SparseBuffer::overlaps_present(std::uint64_t offset, std::uint64_t length) const noexcept {
  auto it = std::upper_bound(present_.begin(), present_.end(), offset,
                             [](std::uint64_t o, const Extent& e) { return o < e.offset; });
  if (it != present_.begin() && std::prev(it)->end() > offset) return true;
  return it != present_.end() && it->offset < offset + length;
}

void SparseBuffer::mark_present(std::uint64_t offset, std::uint64_t length) {
  Extent e{offset, length};
  // Writes arrive in disk order almost always: extend the last range.
  if (!present_.empty() && present_.back().offset <= offset) {
    Extent& last = present_.back();
    if (last.end() >= offset) {
      const std::uint64_t end = std::max(last.end(), e.end());
      present_bytes_ += end - last.end();
      last.length = end - last.offset;
      return;
    }
    present_.push_back(e);
    present_bytes_ += length;
    return;
  }
  auto it = std::lower_bound(present_.begin(), present_.end(), offset,
                             [](const Extent& x, std::uint64_t o) { return x.offset < o; });
  if (it != present_.begin() && std::prev(it)->end() >= offset) --it;
  auto last = it;
  std::uint64_t start = offset, end = e.end(), merged = 0;
  while (last != present_.end() && last->offset <= end) {
    start = std::min(start, last->offset);
    end = std::max(end, last->end());
    merged += last->length;
    ++last;
  }
  present_bytes_ = present_bytes_ - merged + (end - start);
  it = present_.erase(it, last);
  present_.insert(it, Extent{start, end - start});
}

std::vector<Extent> SparseBuffer::present_in(std::uint64_t offset, std::uint64_t length) const {
  std::vector<Extent> out;
  if (offset >= size_) return out;
  length = std::min(length, size_ - offset);
  const std::uint64_t end = offset + length;
  auto it = std::upper_bound(present_.begin(), present_.end(), offset,
                             [](std::uint64_t o, const Extent& e) { return o < e.offset; });
  if (it != present_.begin()) --it;
  for (; it != present_.end() && it->offset < end; ++it) {
    const std::uint64_t a = std::max(it->offset, offset);
    const std::uint64_t b = std::min(it->end(), end);
    if (a < b) out.push_back(Extent{a - offset, b - a});
  }
  return out;
}

bool SparseBuffer::holds(ByteView v) const noexcept {
  if (base_ == nullptr || v.data() == nullptr) return false;
  const auto p = reinterpret_cast<std::uintptr_t>(v.data());
  const auto b = reinterpret_cast<std::uintptr_t>(base_);
  return p >= b && p - b < size_ && v.size() <= size_ - (p - b);
}

}  // namespace sluice
