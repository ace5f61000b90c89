// SparseBuffer, its hashes and ZeroedArray. The oracle for the sparse hashes is
// the same digests over a dense copy of the same bytes.
#include <gtest/gtest.h>

#include <random>

#include "core/hash.hpp"
#include "core/zero_pages.hpp"
#include "sluice/sparse_buffer.hpp"

namespace sluice {
namespace {

std::vector<std::uint8_t> filled(std::size_t n, std::uint8_t v) { return std::vector<std::uint8_t>(n, v); }
ByteView view(const std::vector<std::uint8_t>& b) { return {b.data(), b.size()}; }

TEST(SparseBuffer, ReadsZerosAndHoldsOnlyNonZeroPages) {
  auto buf = SparseBuffer::reserve(1ull << 40);  // 1 TiB of address space
  ASSERT_TRUE(buf) << buf.error().what;
  EXPECT_EQ(buf->view().size(), 1ull << 40);
  std::vector<std::uint8_t> block = filled(3 * 4096, 0);
  block[4096 + 7] = 0x41;  // only the middle page holds data
  ASSERT_TRUE(buf->write(1ull << 39, view(block)));
  ASSERT_EQ(buf->present().size(), 1u);
  EXPECT_EQ(buf->present()[0], (Extent{(1ull << 39) + 4096, 4096}));
  EXPECT_EQ(buf->present_bytes(), 4096u);
  std::uint8_t b = 0xFF;
  ASSERT_TRUE(buf->view().byte_at((1ull << 39) + 4096 + 7, b));
  EXPECT_EQ(b, 0x41);
  ASSERT_TRUE(buf->view().byte_at((1ull << 40) - 1, b));  // a hole, far out
  EXPECT_EQ(b, 0);
}

TEST(SparseBuffer, MergesAdjacentAndOverlappingWrites) {
  auto buf = SparseBuffer::reserve(1 << 20);
  ASSERT_TRUE(buf);
  const auto ones = filled(8192, 1);
  ASSERT_TRUE(buf->write(8192, view(ones)));   // [8192, 16384)
  ASSERT_TRUE(buf->write(0, view(ones)));      // [0, 8192): out of order, adjacent
  ASSERT_TRUE(buf->write(65536, view(ones)));  // separate
  ASSERT_TRUE(buf->write(4096, view(ones)));   // inside the first: no double count
  ASSERT_EQ(buf->present().size(), 2u);
  EXPECT_EQ(buf->present()[0], (Extent{0, 16384}));
  EXPECT_EQ(buf->present()[1], (Extent{65536, 8192}));
  EXPECT_EQ(buf->present_bytes(), 16384u + 8192u);
  // A zero page over data must still be written, or the old data would show.
  const auto zeros = filled(4096, 0);
  ASSERT_TRUE(buf->write(4096, view(zeros)));
  std::uint8_t b = 0xFF;
  ASSERT_TRUE(buf->view().byte_at(4096, b));
  EXPECT_EQ(b, 0);
  // Clipped and relative to the view asked about.
  const auto in = buf->present_in(12288, 60000);
  ASSERT_EQ(in.size(), 2u);
  EXPECT_EQ(in[0], (Extent{0, 4096}));
  EXPECT_EQ(in[1], (Extent{65536 - 12288, 60000 - (65536 - 12288)}));
}

TEST(SparseBuffer, RefusesWritesPastTheEndAndAfterSealing) {
  auto buf = SparseBuffer::reserve(10000);
  ASSERT_TRUE(buf);
  const auto ones = filled(100, 1);
  EXPECT_FALSE(buf->write(9950, view(ones)));
  EXPECT_FALSE(buf->write(UINT64_MAX - 10, view(ones)));
  EXPECT_TRUE(buf->write(9900, view(ones)));
  buf->seal();
  EXPECT_FALSE(buf->write(0, view(ones)));
  EXPECT_TRUE(buf->holds(buf->view().clamp(5000, 100)));
  EXPECT_FALSE(buf->holds(view(ones)));
}

TEST(SparseBuffer, AbsurdSizesFailCleanly) {
  EXPECT_FALSE(SparseBuffer::reserve(UINT64_MAX));
  EXPECT_FALSE(SparseBuffer::reserve(1ull << 62));
  auto empty = SparseBuffer::reserve(0);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->view().empty());
}

TEST(SparseBuffer, ContentHashEqualsTheDenseBytes) {
  constexpr std::size_t kSize = 3 << 20;
  auto buf = SparseBuffer::reserve(kSize);
  ASSERT_TRUE(buf);
  std::vector<std::uint8_t> dense(kSize, 0);
  std::mt19937 rng(7);
  for (int i = 0; i < 40; ++i) {
    const std::size_t at = rng() % (kSize - 9000), len = 1 + rng() % 9000;
    std::vector<std::uint8_t> data(len);
    for (auto& c : data) c = static_cast<std::uint8_t>(rng() % 3 == 0 ? 0 : rng());
    ASSERT_TRUE(buf->write(at, view(data)));
    std::copy(data.begin(), data.end(), dense.begin() + static_cast<std::ptrdiff_t>(at));
  }
  const Hashes want = core::compute_hashes(view(dense));
  const Hashes got = core::compute_hashes(buf->view(), buf->present());
  EXPECT_EQ(got.sha256, want.sha256);
  EXPECT_EQ(got.sha1, want.sha1);
  EXPECT_EQ(got.md5, want.md5);
  // A view into the middle, through present_in.
  const ByteView mid = buf->view().clamp(1 << 20, 1 << 20);
  EXPECT_EQ(core::compute_hashes(mid, buf->present_in(1 << 20, 1 << 20)).sha256,
            core::compute_hashes(view(dense).clamp(1 << 20, 1 << 20)).sha256);
}

TEST(SparseBuffer, ExtentHashFollowsItsDocumentedForm) {
  auto buf = SparseBuffer::reserve(1 << 20);
  ASSERT_TRUE(buf);
  const auto data = filled(4096, 0x5A);
  ASSERT_TRUE(buf->write(8192, view(data)));
  std::vector<std::uint8_t> canonical;
  auto le64 = [&](std::uint64_t v) {
    for (int i = 0; i < 8; ++i) canonical.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  le64(8192);
  le64(4096);
  canonical.insert(canonical.end(), data.begin(), data.end());
  le64(1 << 20);
  EXPECT_EQ(core::compute_extent_hashes(buf->view(), buf->present()).sha256,
            core::compute_hashes(view(canonical)).sha256);
  // Not the content hash: the scopes differ, and so must the values.
  EXPECT_NE(core::compute_extent_hashes(buf->view(), buf->present()).sha256,
            core::compute_hashes(buf->view(), buf->present()).sha256);
}

TEST(ZeroedArray, StartsZeroAndCostsOnlyWhatIsWritten) {
  auto a = core::ZeroedArray<std::uint32_t>::make(std::size_t{1} << 28);  // 1 GiB claimed
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)[(std::size_t{1} << 28) - 1], 0u);
  (*a)[12345] = 7;
  EXPECT_EQ((*a)[12345], 7u);
  core::ZeroedArray<std::uint32_t> moved = std::move(*a);
  EXPECT_EQ(moved[12345], 7u);
  EXPECT_FALSE(core::ZeroedArray<std::uint64_t>::make(SIZE_MAX / 4));
}

}  // namespace
}  // namespace sluice
