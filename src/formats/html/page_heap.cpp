#include "formats/html/page_heap.hpp"

#include <cstdlib>
#include <cstring>

namespace sluice::formats::html {
namespace {

// Each block starts with 16 bytes (so what follows keeps malloc's alignment):
// the size asked for, the size class (kLargeClass for a block of its own),
// and whether a large block belongs to the marked state.
constexpr std::size_t kHeader = 16;
constexpr std::uint32_t kSmallClasses = 64;

std::size_t capacity_of(std::size_t cls) {
  return cls < kSmallClasses ? (cls + 1) * 16 : std::size_t{2048} << (cls - kSmallClasses);
}

std::size_t class_of(std::size_t size) {
  if (size <= 1024) return size == 0 ? 0 : (size + 15) / 16 - 1;
  std::size_t cls = kSmallClasses;
  while (capacity_of(cls) < size) ++cls;
  return cls;
}

struct Header {
  std::uint64_t size;
  std::uint32_t cls;
  std::uint32_t marked;
};
static_assert(sizeof(Header) == kHeader);

// The header is ours, written by this file into memory it owns.
Header read_header(const std::byte* block) {
  Header h;
  std::memcpy(&h, block, sizeof h);
  return h;
}
void write_header(std::byte* block, const Header& h) { std::memcpy(block, &h, sizeof h); }

std::byte* block_of(const void* p) { return static_cast<std::byte*>(const_cast<void*>(p)) - kHeader; }

// A free block's next pointer sits where its payload was.
std::byte* next_free(const std::byte* block) {
  std::byte* next = nullptr;
  std::memcpy(&next, block + kHeader, sizeof next);
  return next;
}
void set_next_free(std::byte* block, std::byte* next) { std::memcpy(block + kHeader, &next, sizeof next); }

}  // namespace

PageHeap::~PageHeap() {
  for (const Chunk& c : chunks_) std::free(c.base);
  for (const Large& l : marked_large_) std::free(l.block);
  for (std::byte* b : later_large_) std::free(b);
}

std::size_t PageHeap::size_of(const void* p) { return p == nullptr ? 0 : read_header(block_of(p)).size; }

void* PageHeap::allocate(std::size_t size) {
  if (size == 0) return nullptr;
  if (size > kLargest) return allocate_large(size);
  const std::size_t cls = class_of(size);
  void* p = carve(cls);
  if (p != nullptr) write_header(block_of(p), {size, static_cast<std::uint32_t>(cls), 0});
  return p;
}

void* PageHeap::carve(std::size_t cls) {
  if (std::byte* b = free_[cls]; b != nullptr) {
    free_[cls] = next_free(b);
    return b + kHeader;
  }
  const std::size_t need = kHeader + capacity_of(cls);
  if (chunks_.empty() || kChunk - chunks_.back().used < need) {
    if (footprint_ + kChunk > max_footprint_) return nullptr;
    auto* base = static_cast<std::byte*>(std::malloc(kChunk));
    if (base == nullptr) return nullptr;
    chunks_.push_back({base, 0});
    footprint_ += kChunk;
  }
  Chunk& c = chunks_.back();
  std::byte* b = c.base + c.used;
  c.used += need;
  return b + kHeader;
}

void* PageHeap::allocate_large(std::size_t size) {
  const std::size_t bytes = kHeader + size;
  if (size > max_footprint_ || footprint_ + bytes > max_footprint_) return nullptr;
  auto* b = static_cast<std::byte*>(std::malloc(bytes));
  if (b == nullptr) return nullptr;
  later_large_.insert(b);
  footprint_ += bytes;
  write_header(b, {size, static_cast<std::uint32_t>(kClasses), 0});
  return b + kHeader;
}

void PageHeap::release(void* p) {
  if (p == nullptr) return;
  std::byte* b = block_of(p);
  const Header h = read_header(b);
  if (h.cls < kClasses) {
    set_next_free(b, free_[h.cls]);
    free_[h.cls] = b;
    return;
  }
  // A large block of the marked state stays where it is, for restore().
  if (h.marked != 0) return;
  later_large_.erase(b);
  footprint_ -= kHeader + h.size;
  std::free(b);
}

void* PageHeap::resize(void* p, std::size_t size) {
  if (p == nullptr) return allocate(size);
  if (size == 0) {
    release(p);
    return nullptr;
  }
  std::byte* b = block_of(p);
  Header h = read_header(b);
  if (h.cls < kClasses ? capacity_of(h.cls) >= size : h.size >= size) {
    // Shrinks keep the block; a large block's size stays the bytes it holds.
    if (h.cls < kClasses) {
      h.size = size;
      write_header(b, h);
    }
    return p;
  }
  void* q = allocate(size);
  if (q == nullptr) return nullptr;
  std::memcpy(q, p, std::min<std::size_t>(h.size, size));
  release(p);
  return q;
}

void PageHeap::mark() {
  if (marked_) return;
  marked_ = true;
  std::size_t total = 0;
  for (const Chunk& c : chunks_) total += c.used;
  for (std::byte* b : later_large_) total += kHeader + read_header(b).size;
  saved_.bytes.reserve(total);
  for (const Chunk& c : chunks_) {
    saved_.used.push_back(c.used);
    saved_.bytes.insert(saved_.bytes.end(), c.base, c.base + c.used);
  }
  for (std::byte* b : later_large_) {
    Header h = read_header(b);
    h.marked = 1;
    write_header(b, h);
    marked_large_.push_back({b, kHeader + h.size});
    saved_.bytes.insert(saved_.bytes.end(), b, b + kHeader + h.size);
  }
  later_large_.clear();
  saved_.free = free_;
  saved_.footprint = footprint_;
}

void PageHeap::restore() {
  if (!marked_) return;
  for (std::byte* b : later_large_) std::free(b);
  later_large_.clear();
  for (std::size_t i = saved_.used.size(); i < chunks_.size(); ++i) std::free(chunks_[i].base);
  chunks_.resize(saved_.used.size());
  const std::byte* from = saved_.bytes.data();
  for (std::size_t i = 0; i < chunks_.size(); ++i) {
    std::memcpy(chunks_[i].base, from, saved_.used[i]);
    chunks_[i].used = saved_.used[i];
    from += saved_.used[i];
  }
  for (const Large& l : marked_large_) {
    std::memcpy(l.block, from, l.size);
    from += l.size;
  }
  free_ = saved_.free;
  footprint_ = saved_.footprint;
}

}  // namespace sluice::formats::html
