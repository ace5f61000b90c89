// The streaming writer against the library it replaced: nlohmann's dump of
// the same document must be byte for byte what the writer wrote.
#include "report/json_writer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <limits>
#include <random>

#include "sluice/report.hpp"
#include "test_support.hpp"

namespace sluice::report {
namespace {

using Json = nlohmann::ordered_json;

std::string dumped(const Json& j, int indent) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

TEST(JsonWriter, NumbersAsNlohmannPrintsThem) {
  std::vector<double> values{0.0,   -0.0,  1.0,    -1.0,   0.5,     0.587,   12.5,   1e15,  1e16,  123456789012345.0,
                             1e-4,  1e-5,  0.0001, 0.00012345, 1.5e-7, 3e300, -2.5e-300, 1.0 / 3, 2.0 / 3, 100.0,
                             std::numeric_limits<double>::max(), std::numeric_limits<double>::denorm_min(),
                             std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()};
  std::mt19937_64 rng(2020);
  std::uniform_real_distribution<double> frac(0, 1);
  std::uniform_int_distribution<int> exp(-30, 30);
  for (int i = 0; i < 20000; ++i) values.push_back(frac(rng) * std::pow(10.0, exp(rng)));
  for (int i = 0; i < 2000; ++i) values.push_back(static_cast<double>(rng() % 100000) / 1000.0);  // elapsed_ms
  for (double v : values) {
    std::string out;
    JsonWriter w(out, -1);
    w.value(v);
    EXPECT_EQ(out, dumped(Json(v), -1)) << v;
  }
  for (std::int64_t v : {std::int64_t{0}, std::int64_t{-7}, std::numeric_limits<std::int64_t>::min()}) {
    std::string out;
    JsonWriter(out, -1).value(v);
    EXPECT_EQ(out, dumped(Json(v), -1));
  }
  std::string out;
  JsonWriter(out, -1).value(std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(out, dumped(Json(std::numeric_limits<std::uint64_t>::max()), -1));
}

TEST(JsonWriter, StringsEscapedAndRepairedAsNlohmannDoes) {
  std::vector<std::string> strings{"", "plain", "quote\" back\\slash", "\b\f\n\r\t\x01\x1f\x7f", "caf\xc3\xa9 \xe2\x80\xba",
                                   "\xf0\x9f\x98\x80", "\xff\xfe", "\xc3", "\xe2\x80", "\xe2\x80x", "\xed\xa0\x80",
                                   "\xc0\xaf", "\xf4\x90\x80\x80", "\xf0\x9f\x98", "a\xe0\x80\x80z"};
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) {
    std::string s;
    const int n = static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) {
      // Bytes biased towards UTF-8 leads and continuations.
      static constexpr unsigned char kPool[] = {'a', '"', 0x00, 0x1f, 0x80, 0xbf, 0xc2, 0xdf, 0xe0, 0xe1,
                                                0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xa0, 0x90, 0x8f, 0xff};
      s.push_back(static_cast<char>(kPool[rng() % sizeof kPool]));
    }
    strings.push_back(s);
  }
  // Long mostly plain strings, one byte next to a boundary the writer tests
  // eight at a time (control, quote, backslash, DEL, non-ASCII) at every
  // position of the word.
  static constexpr unsigned char kEdges[] = {0x00, 0x1f, 0x20, 0x21, '"', 0x23, 0x5b, '\\', 0x5d, 0x7e, 0x7f, 0x80, 0xc3, 0xff};
  for (unsigned char edge : kEdges) {
    for (std::size_t at = 0; at < 24; ++at) {
      std::string s(24, 'x');
      s[at] = static_cast<char>(edge);
      strings.push_back(s);
    }
  }
  for (int i = 0; i < 2000; ++i) {
    std::string s(8 + rng() % 40, 'a');
    for (char& c : s) {
      if (rng() % 16 == 0) c = static_cast<char>(kEdges[rng() % sizeof kEdges]);
    }
    strings.push_back(s);
  }
  for (const std::string& s : strings) {
    std::string out;
    JsonWriter::quote(out, s);
    ASSERT_EQ(out, dumped(Json(s), -1)) << ::testing::PrintToString(s);
  }
}

TEST(JsonWriter, LayoutCompactAndPretty) {
  for (int indent : {-1, 2}) {
    std::string out;
    JsonWriter w(out, indent);
    w.begin_object();
    w.member("a", 1);
    w.key("empty_object");
    w.begin_object();
    w.end_object();
    w.key("empty_array");
    w.begin_array();
    w.end_array();
    w.key("list");
    w.begin_array();
    w.value(true);
    w.null();
    w.begin_object();
    w.member("k", "v");
    w.end_object();
    w.end_array();
    w.end_object();
    const Json expect = {{"a", 1}, {"empty_object", Json::object()}, {"empty_array", Json::array()},
                         {"list", {true, nullptr, {{"k", "v"}}}}};
    EXPECT_EQ(out, dumped(expect, indent));
  }
}

// Every report the fixtures give, compact and pretty, re-dumped by nlohmann
// after a parse: identical bytes mean the same members, order, escapes and
// number forms (a duplicated key would be lost in the parse and show).
TEST(JsonWriter, EveryFixtureReportIsWhatNlohmannWouldPrint) {
  std::size_t reports = 0;
  for (const char* dir : {"campaigns", "mail", "gzip", "iso", "zip"}) {
    const auto root = testing::fixture(dir);
    if (!std::filesystem::is_directory(root)) continue;
    for (const auto& e : std::filesystem::directory_iterator(root)) {
      if (!e.is_regular_file()) continue;
      const ScanResult r = testing::default_engine().scan(testing::read_file(e.path()), e.path().filename().string());
      for (bool pretty : {false, true}) {
        const std::string out = to_json(r, pretty);
        const Json j = Json::parse(out, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << e.path();
        ASSERT_EQ(out, dumped(j, pretty ? 2 : -1)) << e.path();
      }
      ++reports;
    }
  }
  EXPECT_GE(reports, 60u);
}

}  // namespace
}  // namespace sluice::report
