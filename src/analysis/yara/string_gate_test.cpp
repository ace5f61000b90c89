#include "analysis/yara/string_gate.hpp"

#include <gtest/gtest.h>

#include <string>

#include "analysis/yara/rules.hpp"

namespace sluice::analysis::yara {
namespace {

std::string rule(std::string_view strings, std::string_view condition) {
  return "rule r {\n  strings:\n" + std::string(strings) + "\n  condition:\n    " + std::string(condition) + "\n}\n";
}

constexpr std::string_view kTwo = "    $a = \"evil\"\n    $b = { 4D 5A ?? [2-4] 00 }";

TEST(StringGate, TheStarterRulesAreAllGated) {
  const auto sources = builtin_sources();
  ASSERT_FALSE(sources.empty());
  for (const RuleSource& s : sources) EXPECT_TRUE(every_rule_needs_a_string(s.text)) << s.name;
}

TEST(StringGate, ConditionsThatNeedAString) {
  for (const char* c : {"$a", "$a and filesize < 10MB", "uint16(0) == 0x5A4D and any of them", "($a or $b) and pe.is_pe",
                        "2 of ($a, $b)", "all of them", "any of ($a*)", "$a or ($b and not $a)",
                        "uint32(0) == 1 and uint32(4) == 2 and ($a or (#b > 2 and $b))", "1 of them"}) {
    EXPECT_TRUE(every_rule_needs_a_string(rule(kTwo, c))) << c;
  }
}

// Which strings a rule can match on: in `$a or ($b and $c)` the rule needs $a
// or the better of $b and $c (text before a regex), not the other.
TEST(StringGate, TheNeededStringsOfEachRule) {
  auto needed = [](std::string_view strings, std::string_view condition) {
    const auto defs = gated_strings(rule(strings, condition));
    std::string out;
    if (!defs) return std::string("not gated");
    for (const StringDef& d : *defs) {
      if (d.needed) out += std::string(d.name) + " ";
    }
    return out;
  };
  constexpr std::string_view kThree = "    $inline = /powershell\\s+-e/\n    $ps = \"powershell\"\n    $enc = /\\s-e\\s/";
  EXPECT_EQ(needed(kThree, "$inline or ($ps and $enc)"), "$inline $ps ");
  EXPECT_EQ(needed(kThree, "$enc and $ps"), "$ps ");
  EXPECT_EQ(needed(kThree, "$enc and $inline"), "$inline ");  // the longer regex
  EXPECT_EQ(needed(kThree, "$enc and not $ps"), "$enc ");
  EXPECT_EQ(needed(kThree, "any of them"), "$inline $ps $enc ");
  EXPECT_EQ(needed(kThree, "all of them"), "$inline $ps $enc ");
  EXPECT_EQ(needed(kThree, "any of ($in*, $enc) and filesize < 1MB"), "$inline $enc ");
  EXPECT_EQ(needed(kThree, "2 of ($ps, $enc)"), "$ps $enc ");
  EXPECT_EQ(needed(kThree, "$enc or ($ps and #enc > 2)"), "$ps $enc ");
  // Another rule's strings are that rule's business.
  const auto two = gated_strings(rule(kTwo, "$b and $a") + rule("    $c = \"cc\"\n    $a = /x+y/", "$a and $c"));
  ASSERT_TRUE(two);
  ASSERT_EQ(two->size(), 4u);
  EXPECT_TRUE((*two)[0].needed);    // "evil"
  EXPECT_FALSE((*two)[1].needed);   // the hex string
  EXPECT_TRUE((*two)[2].needed);    // "cc"
  EXPECT_FALSE((*two)[3].needed);   // the second rule's $a
}

TEST(StringGate, ConditionsThatDoNot) {
  for (const char* c : {"true", "not $a", "#a > 2", "$a at 0", "$a in (0..100)", "filesize < 10",
                        "uint16(0) == 0x5A4D", "$a or filesize < 10", "none of them", "0 of them",
                        "for any of them : ($ at 0)", "@a[1] == 0", "!a[1] > 3", "$a and", "(", "any of ($a,)",
                        "any of them at 0", "other_rule", "$a or other_rule", "pe.sections[0].name matches /x/",
                        "$a*"}) {
    EXPECT_FALSE(every_rule_needs_a_string(rule(kTwo, c))) << c;
  }
}

TEST(StringGate, AnchoredRegexesAreNotGated) {
  EXPECT_FALSE(every_rule_needs_a_string(rule("    $a = /^MZ/", "$a")));
  EXPECT_FALSE(every_rule_needs_a_string(rule("    $a = /abc$/ nocase", "$a")));
  EXPECT_TRUE(every_rule_needs_a_string(rule("    $a = /[^a]b[x^]/", "$a")));
  EXPECT_TRUE(every_rule_needs_a_string(rule("    $a = /a\\$b\\^c\\//is wide", "$a")));
  EXPECT_TRUE(every_rule_needs_a_string(rule("    $a = /[]^]x/", "$a")));
}

TEST(StringGate, TheRestOfTheSyntax) {
  const std::string full =
      "import \"pe\"\n"
      "/* a block comment with rule x { condition: true } */\n"
      "private rule helper : tag1 tag2 {\n"
      "  meta:\n    author = \"me\" // a comment\n    score = -5\n    ok = true\n"
      "  strings:\n    $x = \"a\\\"}b\" xor(1-31) fullword\n    $y = \"q\" base64(\"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/\")\n"
      "    $ = \"anonymous\" private\n"
      "  condition:\n    any of them and \"}\" == \"}\"\n}\n"
      "global rule g { strings: $a = \"x\" condition: $a }\r\n";
  EXPECT_TRUE(every_rule_needs_a_string(full));
  EXPECT_TRUE(every_rule_needs_a_string(""));
  // One rule that is not gated makes the whole source "scan every part".
  EXPECT_FALSE(every_rule_needs_a_string(full + "rule open { condition: filesize > 0 }\n"));
  EXPECT_FALSE(every_rule_needs_a_string("include \"other.yar\"\n" + full));
  EXPECT_FALSE(every_rule_needs_a_string("rule r { strings: $a = \"unterminated\n condition: $a }"));
  EXPECT_FALSE(every_rule_needs_a_string("rule r { condition: $a "));
  // An unterminated block comment is not YARA (found by fuzz_yara_gate: it
  // hid the rest of the text, which a second copy then ended).
  EXPECT_FALSE(every_rule_needs_a_string(full + "/* to the end"));
  EXPECT_FALSE(every_rule_needs_a_string(std::string(10000, '(')));
  EXPECT_FALSE(every_rule_needs_a_string(rule(kTwo, std::string(200, '(') + "$a" + std::string(200, ')'))));
}

}  // namespace
}  // namespace sluice::analysis::yara
