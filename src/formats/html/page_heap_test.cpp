// The page heap (docs/adr/0041): blocks keep their bytes through resizes and
// other blocks' frees; a restore brings back exactly the marked blocks with
// their bytes; the footprint cap holds.
#include "formats/html/page_heap.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <random>
#include <vector>

namespace sluice::formats::html {
namespace {

// What each live block must hold.
using Model = std::map<void*, std::vector<std::uint8_t>>;

// A pattern of the block's own (one draw per block keeps large blocks cheap).
void fill(void* p, std::vector<std::uint8_t>& want, std::size_t size, std::mt19937& rng) {
  want.resize(size);
  const std::uint32_t seed = rng();
  for (std::size_t i = 0; i < size; ++i) want[i] = static_cast<std::uint8_t>((seed >> (i % 4 * 8)) ^ (i * 131));
  std::memcpy(p, want.data(), size);
}

// Sizes from tiny to past kLargest, weighted to the small ones Duktape asks for.
std::size_t some_size(std::mt19937& rng) {
  switch (rng() % 8) {
    case 0:
      return 1 + rng() % 16;
    case 1:
    case 2:
    case 3:
      return 1 + rng() % 256;
    case 4:
    case 5:
      return 1 + rng() % 4096;
    case 6:
      return 1 + rng() % PageHeap::kLargest;
    default:
      return PageHeap::kLargest + 1 + rng() % (3 * PageHeap::kLargest);
  }
}

// One random allocation, free or resize, checked against the model.
void step(PageHeap& heap, Model& live, std::mt19937& rng) {
  const unsigned op = rng() % 3;
  if (op == 0 || live.empty()) {
    const std::size_t size = some_size(rng);
    void* p = heap.allocate(size);
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(reinterpret_cast<std::uintptr_t>(p) % 16, 0u);
    ASSERT_EQ(live.count(p), 0u) << "handed out twice";
    fill(p, live[p], size, rng);
    return;
  }
  auto it = std::next(live.begin(), static_cast<long>(rng() % live.size()));
  ASSERT_EQ(std::memcmp(it->first, it->second.data(), it->second.size()), 0) << "a block lost its bytes";
  if (op == 1) {
    heap.release(it->first);
    live.erase(it);
    return;
  }
  const std::size_t size = some_size(rng);
  const std::vector<std::uint8_t> had = std::move(it->second);
  void* q = heap.resize(it->first, size);
  live.erase(it);
  ASSERT_NE(q, nullptr);
  ASSERT_EQ(live.count(q), 0u) << "resized onto a live block";
  ASSERT_EQ(std::memcmp(q, had.data(), std::min(size, had.size())), 0) << "resize lost bytes";
  fill(q, live[q], size, rng);
}

void expect_holds(const Model& live) {
  for (const auto& [p, want] : live) ASSERT_EQ(std::memcmp(p, want.data(), want.size()), 0);
}

TEST(PageHeap, BlocksKeepTheirBytes) {
  PageHeap heap(std::size_t{1} << 30);
  std::mt19937 rng(1);
  Model live;
  for (int i = 0; i < 8000 && !::testing::Test::HasFatalFailure(); ++i) step(heap, live, rng);
  expect_holds(live);
}

// Marked, churned, restored, many times over: the marked blocks hold their
// marked bytes again, the heap is as large as it was, and it goes on working.
TEST(PageHeap, RestoreBringsBackTheMarkedState) {
  PageHeap heap(std::size_t{1} << 30);
  std::mt19937 rng(2);
  Model live;
  for (int i = 0; i < 2000 && !::testing::Test::HasFatalFailure(); ++i) step(heap, live, rng);
  heap.mark();
  ASSERT_TRUE(heap.marked());
  const Model marked = live;
  const std::size_t footprint = heap.footprint();
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 1000 && !::testing::Test::HasFatalFailure(); ++i) step(heap, live, rng);
    heap.restore();
    live = marked;
    expect_holds(live);
    EXPECT_EQ(heap.footprint(), footprint);
  }
  // After a restore the heap serves as before, marked blocks included.
  for (int i = 0; i < 3000 && !::testing::Test::HasFatalFailure(); ++i) step(heap, live, rng);
  expect_holds(live);
}

// A block freed after the mark is not handed out twice after the restore:
// the free lists come back with the bytes.
TEST(PageHeap, FreeListsComeBackWithTheBytes) {
  PageHeap heap(std::size_t{1} << 30);
  void* a = heap.allocate(40);
  void* b = heap.allocate(40);
  heap.release(a);
  heap.mark();
  void* again = heap.allocate(40);
  EXPECT_EQ(again, a);  // the free block is reused
  heap.release(b);
  heap.restore();
  EXPECT_EQ(heap.allocate(40), a);  // a was free at the mark; b was not
  EXPECT_NE(heap.allocate(40), b);
}

TEST(PageHeap, TheFootprintCapHolds) {
  PageHeap heap(4 * PageHeap::kChunk);
  std::vector<void*> got;
  for (void* p; (p = heap.allocate(1000)) != nullptr;) got.push_back(p);
  EXPECT_LE(heap.footprint(), 4 * PageHeap::kChunk);
  EXPECT_GE(got.size(), 4 * PageHeap::kChunk / 1100);
  EXPECT_EQ(heap.allocate(PageHeap::kChunk), nullptr);
  // Freed blocks of one size are reused for that size, within the cap.
  for (void* p : got) heap.release(p);
  for (std::size_t i = 0; i < got.size(); ++i) ASSERT_NE(heap.allocate(1000), nullptr);
  EXPECT_EQ(heap.allocate(0), nullptr);
}

}  // namespace
}  // namespace sluice::formats::html
