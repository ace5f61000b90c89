#pragma once
// The memory of one page's interpreter (docs/adr/0041). Duktape gets every
// block from here; the heap is never torn down block by block, and the state
// right after the fake browser is loaded can be put back for the next page.
//
// Why: making a Duktape heap, loading the browser into it and tearing it down
// (three full mark-and-sweeps, then a free per object) cost 0.7 ms a page —
// more than most pages' own scripts — and a quarter of it was malloc. Here a
// block comes from a size class's free list or from a bump pointer in 256 KiB
// chunks; blocks over 64 KiB are the C heap's. `mark()` copies what is in use
// after the browser is loaded; `restore()` copies it back and drops whatever
// came after, so the next page starts from the very bytes a fresh heap would
// have (same addresses: Duktape's pointers stay right) in the time of a
// memcpy. Nothing of the page before survives a restore.
#include <array>
#include <cstddef>
#include <cstdint>
#include <unordered_set>
#include <vector>

namespace sluice::formats::html {

class PageHeap {
 public:
  static constexpr std::size_t kChunk = std::size_t{256} << 10;
  static constexpr std::size_t kLargest = std::size_t{64} << 10;  // above: a block of its own

  // `max_footprint`: chunks and large blocks held at once, past which an
  // allocation fails (a page that frees and allocates in ever other sizes
  // cannot grow the heap without bound).
  explicit PageHeap(std::size_t max_footprint) : max_footprint_(max_footprint) {}
  ~PageHeap();
  PageHeap(const PageHeap&) = delete;
  PageHeap& operator=(const PageHeap&) = delete;

  // 16-byte aligned; nullptr for 0 bytes or when out of room.
  [[nodiscard]] void* allocate(std::size_t size);
  void release(void* p);
  [[nodiscard]] void* resize(void* p, std::size_t size);
  // The size asked for when `p` was allocated or last resized (a large
  // block's: when it was allocated, as shrinking keeps its bytes).
  [[nodiscard]] static std::size_t size_of(const void* p);

  // Remembers the heap as it is now; at most once.
  void mark();
  [[nodiscard]] bool marked() const noexcept { return marked_; }
  // Back to the marked state: every block allocated since is gone, every
  // block since released is back, with the bytes it held then.
  void restore();

  [[nodiscard]] std::size_t footprint() const noexcept { return footprint_; }
  void set_max_footprint(std::size_t bytes) noexcept { max_footprint_ = bytes; }

 private:
  static constexpr std::size_t kClasses = 64 + 6;  // 16..1024 by 16, then 2..64 KiB by doubling
  struct Chunk {
    std::byte* base = nullptr;
    std::size_t used = 0;
  };
  struct Large {
    std::byte* block = nullptr;
    std::size_t size = 0;  // the block's bytes, header included
  };
  [[nodiscard]] void* carve(std::size_t cls);
  [[nodiscard]] void* allocate_large(std::size_t size);

  std::size_t max_footprint_;
  std::size_t footprint_ = 0;
  std::vector<Chunk> chunks_;
  std::array<std::byte*, kClasses> free_{};
  // Large blocks: those of the marked state stay allocated (a restore puts
  // them back where Duktape's pointers expect them); later ones are freed.
  std::vector<Large> marked_large_;
  std::unordered_set<std::byte*> later_large_;

  bool marked_ = false;
  struct Saved {
    std::vector<std::byte> bytes;  // the marked chunks' used bytes, then the marked large blocks'
    std::vector<std::size_t> used;
    std::array<std::byte*, kClasses> free{};
    std::size_t footprint = 0;
  } saved_;
};

}  // namespace sluice::formats::html
