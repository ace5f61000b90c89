// Fixed<N>: taken only whole, then read without an error path; the same values
// the checked reader gives at every offset.
#include "core/fixed.hpp"

#include <gtest/gtest.h>

#include <array>

namespace sluice::core {
namespace {

constexpr std::array<std::uint8_t, 10> kBytes = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A};

TEST(Fixed, IsTakenOnlyWhole) {
  const ByteView v(kBytes.data(), kBytes.size());
  EXPECT_TRUE(Fixed<10>::at(v));
  EXPECT_FALSE(Fixed<11>::at(v));
  EXPECT_TRUE(Fixed<4>::at(v, 6));
  EXPECT_FALSE(Fixed<4>::at(v, 7));
  EXPECT_FALSE(Fixed<1>::at(v, UINT64_MAX));  // an offset that would wrap
  EXPECT_FALSE(Fixed<1>::at(ByteView{}));
  EXPECT_TRUE(Fixed<0>::at(ByteView{}));
  EXPECT_EQ(Fixed<4>::at(v, 6)->view().size(), 4u);
}

TEST(Fixed, ReadsWhatTheReaderReads) {
  const ByteView v(kBytes.data(), kBytes.size());
  const auto f = Fixed<10>::at(v);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->u8<9>(), 0x0A);
  EXPECT_EQ(f->le16<1>(), *load_le<std::uint16_t>(v, 1));
  EXPECT_EQ(f->be16<8>(), 0x090A);
  EXPECT_EQ(f->le32<6>(), 0x0A090807u);
  EXPECT_EQ(f->be32<0>(), 0x01020304u);
  EXPECT_EQ(f->le64<2>(), *load_le<std::uint64_t>(v, 2));
  // Offsets are relative to where the structure was taken.
  EXPECT_EQ(Fixed<4>::at(v, 6)->le32<0>(), 0x0A090807u);
}

}  // namespace
}  // namespace sluice::core

namespace sluice::core {
namespace {

TEST(Fixed, SubStructuresAreTheirBytes) {
  const ByteView v(kBytes.data(), kBytes.size());
  const auto f = Fixed<10>::at(v);
  ASSERT_TRUE(f);
  const Fixed<4> inner = f->sub<6, 4>();
  EXPECT_EQ(inner.le32<0>(), 0x0A090807u);
  EXPECT_EQ(inner.view().data(), v.data() + 6);
}

}  // namespace
}  // namespace sluice::core
