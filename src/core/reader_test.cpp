#include <gtest/gtest.h>

#include <array>
#include <limits>

#include "core/checked.hpp"
#include "core/reader.hpp"
#include "core/text.hpp"

namespace sluice::core {
namespace {

constexpr std::array<std::uint8_t, 8> kBytes{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
const ByteView kView(kBytes.data(), kBytes.size());

TEST(ByteView, SubviewRejectsEveryOutOfRangeFormWithoutOverflow) {
  EXPECT_TRUE(kView.subview(0, 8).has_value());
  EXPECT_TRUE(kView.subview(8, 0).has_value());
  EXPECT_FALSE(kView.subview(9, 0).has_value());
  EXPECT_FALSE(kView.subview(1, 8).has_value());
  // off + len wraps to a small number: a naive `off + len <= size` would pass.
  EXPECT_FALSE(kView.subview(4, std::numeric_limits<std::uint64_t>::max() - 2).has_value());
  EXPECT_FALSE(kView.subview(std::numeric_limits<std::uint64_t>::max(), 2).has_value());
  EXPECT_EQ(kView.subview(9, 0).error().code, Errc::out_of_bounds);
}

TEST(ByteView, TailAndClampNeverLeaveTheBuffer) {
  EXPECT_EQ(kView.tail(6).size(), 2u);
  EXPECT_TRUE(kView.tail(8).empty());
  EXPECT_TRUE(kView.tail(100).empty());
  EXPECT_EQ(kView.clamp(6, 100).size(), 2u);
  EXPECT_EQ(kView.clamp(2, 3).size(), 3u);
  EXPECT_TRUE(kView.clamp(std::numeric_limits<std::uint64_t>::max(), 5).empty());
  EXPECT_FALSE(kView.matches_at(7, "\x08\x09"));
  EXPECT_TRUE(kView.matches_at(6, "\x07\x08"));
  std::uint8_t b = 0;
  EXPECT_FALSE(kView.byte_at(8, b));
  EXPECT_TRUE(kView.byte_at(7, b));
  EXPECT_EQ(b, 0x08);
}

TEST(Reader, ReadsBothEndiansAndStopsAtTheEnd) {
  Reader r(kView, 100);
  EXPECT_EQ(r.le<std::uint16_t>().value(), 0x0201);
  EXPECT_EQ(r.be<std::uint16_t>().value(), 0x0304);
  EXPECT_EQ(r.le<std::uint32_t>().value(), 0x08070605u);
  auto past = r.u8();
  ASSERT_FALSE(past.has_value());
  EXPECT_EQ(past.error().code, Errc::truncated);
  EXPECT_EQ(past.error().offset, 108u) << "errors carry the absolute offset";
}

TEST(Reader, FailedReadDoesNotMoveTheCursor) {
  Reader r(kView);
  ASSERT_TRUE(r.skip(6).has_value());
  EXPECT_FALSE(r.le<std::uint32_t>().has_value());
  EXPECT_EQ(r.pos(), 6u);
  EXPECT_EQ(r.le<std::uint16_t>().value(), 0x0807);
  EXPECT_TRUE(r.at_end());
  EXPECT_FALSE(r.skip(1).has_value());
  EXPECT_FALSE(r.bytes(1).has_value());
  EXPECT_TRUE(r.bytes(0).has_value());
  EXPECT_FALSE(r.seek(9).has_value());
  EXPECT_TRUE(r.seek(8).has_value());
}

TEST(Reader, UntilFindsTerminatorOrReportsTruncation) {
  const std::string s("name\0rest", 9);
  Reader r(ByteView::of(s));
  auto name = r.until(0);
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->chars(), "name");
  EXPECT_EQ(r.pos(), 5u);
  EXPECT_FALSE(r.until(0).has_value()) << "no terminator in 'rest'";
  Reader empty{ByteView{}};
  EXPECT_FALSE(empty.until(0).has_value());
}

TEST(Checked, OverflowIsNoAnswerNotAWrap) {
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(checked_add(1, 2), 3u);
  EXPECT_FALSE(checked_add(kMax, 1));
  EXPECT_EQ(checked_mul(1u << 20, 1u << 20), 1ull << 40);
  EXPECT_FALSE(checked_mul(kMax / 2 + 1, 2));
  EXPECT_FALSE(checked_mul_add(kMax / 4096 + 1, 4096, 0));
  EXPECT_FALSE(checked_mul_add(1, kMax, 1));
  EXPECT_EQ(checked_mul_add(3, 2048, 5), 6149u);
}

TEST(Text, LowerCasingChangesAToZAloneAtEveryPosition) {
  // Every byte value at every position of a word and of the tail after it.
  for (int b = 0; b < 256; ++b) {
    for (std::size_t at = 0; at < 19; ++at) {
      std::string s(19, 'Q');
      s[at] = static_cast<char>(b);
      std::string expected = s;
      for (char& c : expected) c = ascii_lower(c);
      ASSERT_EQ(ascii_lower(s), expected) << "byte " << b << " at " << at;
      ascii_lower_in_place(s);
      ASSERT_EQ(s, expected) << "in place, byte " << b << " at " << at;
    }
  }
  EXPECT_EQ(ascii_lower("@AZ[`az{\xC0\xC9 Caf\xC3\x89"), "@az[`az{\xC0\xC9 caf\xC3\x89");
}

TEST(Text, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(to_valid_utf8("plain"), "plain");
  EXPECT_EQ(to_valid_utf8("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(to_valid_utf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(to_valid_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD") << "overlong '/'";
  EXPECT_EQ(to_valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD") << "surrogate";
  EXPECT_EQ(to_valid_utf8("\xE2\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD") << "cut sequence";
  // RTLO is valid UTF-8 and must survive: detectors need to see it.
  EXPECT_EQ(to_valid_utf8("a\xE2\x80\xAE" "b"), "a\xE2\x80\xAE" "b");
  EXPECT_EQ(truncate_utf8("\xC3\xA9\xC3\xA9", 3), "\xC3\xA9");
}

// The run-copying converter against a byte-at-a-time one written from the
// Unicode tables: mixed ASCII runs (the eight-byte fast path) and sequences
// cut, overlong, surrogate or too large, at every alignment.
TEST(Text, ValidUtf8AgreesWithAByteAtATimeDecoder) {
  auto reference = [](std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
      const auto b = static_cast<unsigned char>(s[i]);
      std::size_t len = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
      std::uint32_t cp = len == 1 ? b : len == 2 ? (b & 0x1Fu) : len == 3 ? (b & 0x0Fu) : (b & 0x07u);
      bool ok = len != 0 && s.size() - i >= len;
      for (std::size_t k = 1; ok && k < len; ++k) {
        const auto c = static_cast<unsigned char>(s[i + k]);
        ok = (c & 0xC0) == 0x80;
        cp = (cp << 6) | (c & 0x3Fu);
      }
      static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = ok && cp >= kMin[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
      if (ok) {
        out.append(s.substr(i, len));
        i += len;
      } else {
        out += "\xEF\xBF\xBD";
        ++i;
      }
    }
    return out;
  };
  std::uint32_t x = 2020;
  static constexpr std::string_view kPieces[] = {"abcdefgh", "x", "\xC3\xA9", "\xE2\x80\xAE", "\xF0\x9F\x98\x80",
                                                 "\xFF", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x80",
                                                 "\x80", "0123456789abcdef"};
  for (int round = 0; round < 3000; ++round) {
    std::string s;
    for (int k = 0; k < 12; ++k) {
      x = x * 1103515245 + 12345;
      s += kPieces[(x >> 16) % std::size(kPieces)];
    }
    ASSERT_EQ(to_valid_utf8(s), reference(s)) << ::testing::PrintToString(s);
    ASSERT_EQ(to_valid_utf8(s.substr(1)), reference(s.substr(1)));
    std::string in_place = s;
    make_valid_utf8(in_place);
    ASSERT_EQ(in_place, reference(s)) << "in place: " << ::testing::PrintToString(s);
  }
}

}  // namespace
}  // namespace sluice::core
