#include "analysis/yara/required_literals.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "analysis/yara/literal_prefilter.hpp"
#include "analysis/yara/rules.hpp"

namespace sluice::analysis::yara {
namespace {

StringDef def(StringDef::Kind kind, std::string_view body, bool nocase = false, bool ascii = false, bool wide = false) {
  StringDef d;
  d.kind = kind;
  d.body = body;
  d.nocase = nocase;
  d.ascii = ascii;
  d.wide = wide;
  return d;
}

// The string's first (best) set, sorted; set 1 its second.
std::vector<std::string> literals(const StringDef& d, std::size_t set = 0) {
  const auto r = required_literals(d);
  if (!r) return {"<none>"};
  if (set >= r->all_of.size()) return {"<no such set>"};
  std::vector<std::string> v = r->all_of[set];
  std::sort(v.begin(), v.end());
  return v;
}

using V = std::vector<std::string>;
using K = StringDef::Kind;

TEST(RequiredLiterals, TextStringsAreTheirBytesLowerCased) {
  EXPECT_EQ(literals(def(K::text, "Remcos_Mutex")), V{"remcos_mutex"});
  EXPECT_EQ(literals(def(K::text, "a\\\"b\\\\c\\x41\\t")), V{"a\"b\\ca\t"});
  EXPECT_EQ(literals(def(K::text, "ab", false, false, true)), (V{std::string("a\0b", 3)}));
  EXPECT_EQ(literals(def(K::text, "ab", false, true, true)), (V{std::string("a\0b", 3), "ab"}));
  EXPECT_EQ(literals(def(K::text, "bad\\q")), V{"<none>"});
  StringDef x = def(K::text, "xored");
  x.transformed = true;
  EXPECT_EQ(literals(x), V{"<none>"}) << "xor and base64 change the bytes";
}

TEST(RequiredLiterals, HexStringsKeepTheirLongestRunOfFixedBytes) {
  EXPECT_EQ(literals(def(K::hex, " 4D 5A ?? 00 [2-4] 50 45 00 00 ")), V{std::string("pe\0\0", 4)});
  EXPECT_EQ(literals(def(K::hex, "4d5a 90 ( 00 | 01 ) 4? ~41 41 42")), V{"mz\x90"});
  EXPECT_EQ(literals(def(K::hex, "?? [1-] ??")), V{"<none>"});
  EXPECT_EQ(literals(def(K::hex, "4D 5A // a comment")), V{"<none>"});
  EXPECT_EQ(literals(def(K::hex, "4D 5")), V{"<none>"});
}

TEST(RequiredLiterals, RegexRunsSpellOutSmallClasses) {
  EXPECT_EQ(literals(def(K::regex, "powershell(\\.exe)?[\"']?\\s+-e")), V{"powershell"});
  // `\s-e`: six spellings of three characters beat "-e" alone.
  const V spaces = literals(def(K::regex, "\\s-e(n(c)?)?\\s+[A-Za-z0-9+\\/=]{16}"));
  EXPECT_EQ(spaces.size(), 6u);
  EXPECT_TRUE(std::find(spaces.begin(), spaces.end(), " -e") != spaces.end());
  // `cmd(\.exe)?…\/[ck]\s`: three fixed letters, or 12 spellings of three.
  const StringDef cmd = def(K::regex, "cmd(\\.exe)?[\"']?\\s+\\/[ck]\\s");
  EXPECT_EQ(literals(cmd), V{"cmd"});
  // …and every match also holds one of the twelve: both sets are needed.
  const V switches = literals(cmd, 1);
  EXPECT_EQ(switches.size(), 12u);
  EXPECT_TRUE(std::find(switches.begin(), switches.end(), "/k\t") != switches.end());
  EXPECT_EQ(literals(def(K::hex, "4D 5A ?? 00 [2-4] 50 45 00 00"), 1), V{"mz"});
  EXPECT_EQ(literals(def(K::regex, "abcd.e"), 1), V{"<no such set>"}) << "a second set of one byte would narrow nothing";
  EXPECT_EQ(literals(def(K::regex, "abc|de"), 1), V{"<no such set>"}) << "alternatives give one set";
  EXPECT_EQ(literals(def(K::regex, "ab+c")), V{"a"}) << "a repeated atom is not a fixed byte";
  EXPECT_EQ(literals(def(K::regex, "abc?d")), V{"ab"});
  EXPECT_EQ(literals(def(K::regex, "x{2}yz")), V{"yz"});
  EXPECT_EQ(literals(def(K::regex, "foo|bar[0-9]")), (V{"bar", "foo"}));
  EXPECT_EQ(literals(def(K::regex, "foo|[a-z]+")), V{"<none>"}) << "a branch with no fixed byte";
  EXPECT_EQ(literals(def(K::regex, "[Hh]ello")), V{"hello"}) << "folded: the literals are matched case-blind";
  EXPECT_EQ(literals(def(K::regex, "[^a]bcd")), V{"bcd"});
  EXPECT_EQ(literals(def(K::regex, "a.b\\wcdef\\bgh")), V{"cdef"});
  EXPECT_EQ(literals(def(K::regex, "\\x41\\x42\\.\\/")), V{"ab./"});
  EXPECT_EQ(literals(def(K::regex, "[]a]bc")), (V{"]bc", "abc"}));
  EXPECT_EQ(literals(def(K::regex, "a(b|c)d")), V{"a"}) << "a group is not a fixed byte; of equals, the first";
  for (const char* bad : {"a{", "a{x}", "(ab", "[ab", "a\\", "a\\qb", "*a", "a)"}) {
    EXPECT_EQ(literals(def(K::regex, bad)), V{"<none>"}) << bad;
  }
}

TEST(RequiredLiterals, TheStarterRulesGetAPrefilter) {
  std::vector<std::string> texts;
  for (const RuleSource& s : builtin_sources()) texts.push_back(s.text);
  const std::vector<std::string_view> views(texts.begin(), texts.end());
  const auto p = LiteralPrefilter::from_sources(views);
  ASSERT_TRUE(p.has_value());
  EXPECT_GT(p->literal_count(), 20u);
  EXPECT_FALSE(p->may_match("Dear colleague, the minutes of Tuesday's meeting are attached."));
  EXPECT_TRUE(p->may_match("run PowerShell now"));
  EXPECT_TRUE(p->may_match(std::string_view("x p\0o\0w\0e\0r\0s\0h\0e\0l\0l\0", 21)));
  // A short literal, or a string with none, gives no prefilter at all.
  const std::string_view short_one = "rule r { strings: $a = \"ab\" condition: $a }";
  EXPECT_FALSE(LiteralPrefilter::from_sources(std::span(&short_one, 1)).has_value());
  const std::string_view open = "rule r { strings: $a = /[a-z]+/ condition: $a }";
  EXPECT_FALSE(LiteralPrefilter::from_sources(std::span(&open, 1)).has_value());
  const std::string_view ungated = "rule r { strings: $a = \"abcdef\" condition: $a or filesize > 10 }";
  EXPECT_FALSE(LiteralPrefilter::from_sources(std::span(&ungated, 1)).has_value());
}

}  // namespace
}  // namespace sluice::analysis::yara
