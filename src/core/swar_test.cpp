#include "core/swar.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace sluice::core::swar {
namespace {

// Every byte value at every position of a word whose other bytes are each
// test's worst neighbours (just above and below the threshold): the word's
// answer is the byte loop's answer.
TEST(Swar, WordTestsAgreeWithTheBytesAtEveryPositionForEveryByte) {
  for (const unsigned char fill : {0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xFF}) {
    for (int at = 0; at < 8; ++at) {
      for (int b = 0; b < 256; ++b) {
        std::array<char, 8> bytes{};
        bytes.fill(static_cast<char>(fill));
        bytes[at] = static_cast<char>(b);
        const std::uint64_t w = load(bytes.data());
        bool high = false, below = false, quote = false;
        for (char c : bytes) {
          const auto u = static_cast<unsigned char>(c);
          high |= u >= 0x80;
          below |= u < 0x20;
          quote |= u == '"';
        }
        ASSERT_EQ(any_high(w) != 0, high) << int(fill) << " " << at << " " << b;
        ASSERT_EQ(any_below(w, 0x20) != 0, below) << int(fill) << " " << at << " " << b;
        ASSERT_EQ(any_equal(w, '"') != 0, quote) << int(fill) << " " << at << " " << b;
      }
    }
  }
}

TEST(Swar, StoreWritesBackWhatLoadRead) {
  const std::array<char, 9> in{'a', 'B', '\x80', '\0', '"', '\\', 'z', 'Z', 'x'};
  std::array<char, 9> out{};
  out[8] = 'y';
  store(out.data(), load(in.data()));
  for (int i = 0; i < 8; ++i) EXPECT_EQ(out[i], in[i]);
  EXPECT_EQ(out[8], 'y');  // one word, not a byte more
  EXPECT_EQ(broadcast(0x20), 0x2020202020202020ull);
}

}  // namespace
}  // namespace sluice::core::swar
