// docs/adr/0040: an artifact holding none of the literals the rules' strings
// need is not handed to libyara. libyara is the oracle here: for many string
// definitions and many buffers (matches, near misses, case and width
// variants, noise), wherever libyara finds a string the prefilter must have
// said "maybe". The engine-level test compares findings with the prefilter on
// and off over real mail.
#include <gtest/gtest.h>

#include <cctype>
#include <random>
#include <string>
#include <vector>

#include "analysis/yara/literal_prefilter.hpp"
#include "analysis/yara/rules.hpp"
#include "test_support.hpp"
#include "yara_support.hpp"

// Last: libyara's module header defines a macro named parent().
#include <yara.h>

namespace sluice {
namespace {

using analysis::yara::LiteralPrefilter;
using analysis::yara::Rules;

// One string definition and text that it matches.
struct Case {
  std::string definition;
  std::vector<std::string> matches;
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"\"Remcos_Mutex_Inj\" ascii wide", {"Remcos_Mutex_Inj"}},
      {"\"Breaking-Security.Net\" nocase ascii wide", {"BREAKING-security.net", "Breaking-Security.Net"}},
      {"\"AUTORUN.INF\" nocase", {"autorun.inf", "AutoRun.Inf"}},
      {"\"\\\\cmd.exe\" nocase wide", {"C:\\Windows\\CMD.exe"}},
      {"\"/c \" fullword", {"x /c  y"}},
      {"\"tab\\there\\x21\"", {"tab\there!"}},
      {"{ 4D 5A ?? 00 [2-4] 50 45 00 00 }", {std::string("MZ\x90\0ab" "PE\0\0", 10), std::string("MZx\0abcdPE\0\0", 12)}},
      {"{ 45 56 ( 49 | 4F ) 4C 21 21 }", {"EVIL!!", "EVOL!!"}},
      {"{ 41 42 43 ?? 45 46 47 }", {"ABCxEFG"}},
      {"{ 4? 42 43 44 [1-] 58 59 5A }", {"ABCD..XYZ", "OBCDqXYZ"}},
      {"/powershell(\\.exe)?[\"']?\\s+(-[a-z]+\\s+)*-e(n(c(o(d(e(d(c(o(m(m(a(n(d)?)?)?)?)?)?)?)?)?)?)?)?)?\\s+"
       "[A-Za-z0-9+\\/=]{16}/ nocase ascii wide",
       {"powershell -nop -enc SQBFAFgAIAAoAE4AZQB3", "POWERSHELL.EXE\" -EncodedCommand QUJDREVGR0hJSktMTU5PUA=="}},
      {"/\\s-e(n(c(o(d(e)?)?)?)?)?\\s+[A-Za-z0-9+\\/=]{16}/ nocase ascii wide", {"x\t-E QUJDREVGR0hJSktMTU5PUA=="}},
      {"/mshta(\\.exe)?[\"']?\\s+[\"']?(https?:\\/\\/|vbscript:|javascript:)/ nocase ascii wide",
       {"mshta http://x", "MSHTA.exe 'vbscript:"}},
      {"/cmd(\\.exe)?[\"']?\\s+\\/[ck]\\s/ nocase ascii wide", {"cmd /c dir", "CMD.EXE\" /K x"}},
      {"/[Hh]ello,? w[o0]rld/", {"Hello world", "hello, w0rld"}},
      {"/invoice_[0-9]{4}\\.(iso|img)/i", {"INVOICE_2020.ISO", "invoice_1234.img"}},
      {"/foo+bar|qu[aeiou]x{2,3}z/", {"foooobar", "quoxxz"}},
      {"/[]x]yz[^a]abc\\x41\\./", {"]yzQabcA.", "xyz-abca."}},
      {"/a.b\\wcdef\\b.gh/s", {"a\nb_cdef gh"}},
  };
  return all;
}

std::string rule_for(const std::string& definition) {
  return "rule r {\n  strings:\n    $a = " + definition + "\n  condition:\n    $a\n}\n";
}

// Whether libyara finds the rule (and so its one string) in `data`.
bool yara_matches(const Rules& rules, const std::string& data) {
  const analysis::yara::Scanner scanner = rules.new_scanner();
  EXPECT_TRUE(scanner);
  if (!scanner) return false;
  bool matched = false;
  yr_scanner_set_callback(
      scanner.get(),
      [](YR_SCAN_CONTEXT*, int message, void*, void* user) {
        if (message == CALLBACK_MSG_RULE_MATCHING) *static_cast<bool*>(user) = true;
        return CALLBACK_CONTINUE;
      },
      &matched);
  yr_scanner_scan_mem(scanner.get(), reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
  return matched;
}

std::string widen(const std::string& s) {
  std::string w;
  for (char c : s) {
    w.push_back(c);
    w.push_back('\0');
  }
  return w;
}

TEST(YaraPrefilter, WhereverLibyaraFindsAStringThePrefilterSaidMaybe) {
  std::mt19937 rng(20261207);
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t\r\n.,;:/\\-_'\"=+()!";
  auto noise = [&](std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s.push_back(alphabet[rng() % alphabet.size()]);
    return s;
  };
  std::size_t negatives = 0;
  for (const Case& c : cases()) {
    const std::string text = rule_for(c.definition);
    auto rules = Rules::compile({{"case.yar", "t", text, false}});
    ASSERT_TRUE(rules.has_value()) << c.definition << ": " << rules.error().what;
    const std::string_view view = text;
    const auto prefilter = LiteralPrefilter::from_sources(std::span(&view, 1));
    ASSERT_TRUE(prefilter.has_value()) << c.definition;
    std::size_t positives = 0;
    auto check = [&](const std::string& data) {
      const bool yara = yara_matches(**rules, data);
      const bool maybe = prefilter->may_match(data);
      if (yara) {
        ++positives;
        EXPECT_TRUE(maybe) << c.definition << " on " << ::testing::PrintToString(data);
      }
      if (!maybe) ++negatives;
    };
    for (const std::string& m : c.matches) {
      for (int round = 0; round < 200; ++round) {
        std::string body = m;
        // Near misses and variants: flip the case of letters, change or
        // drop a byte, widen it.
        if (round % 3 == 1) {
          for (char& ch : body) {
            if (rng() % 2 == 0 && std::isalpha(static_cast<unsigned char>(ch))) ch ^= 0x20;
          }
        }
        if (round % 5 == 2 && !body.empty()) body[rng() % body.size()] = alphabet[rng() % alphabet.size()];
        if (round % 7 == 3 && !body.empty()) body.erase(rng() % body.size(), 1);
        if (round % 2 == 1) body = widen(body);
        check(noise(rng() % 40) + body + noise(rng() % 40));
      }
      check(m);
    }
    for (int round = 0; round < 50; ++round) check(noise(200));
    EXPECT_GT(positives, c.matches.size()) << c.definition << ": the examples must match, or this test tests nothing";
  }
  EXPECT_GT(negatives, cases().size() * 50) << "noise holds none of the literals";
}

// Rules whose conditions combine strings: only the strings a rule can match
// on need their literals (string_gate's "needed"). libyara is the oracle at
// the rule level: wherever a rule matches, the prefilter said "maybe"; and a
// buffer holding only a string no rule can match on alone gets a "no".
TEST(YaraPrefilter, WhereverLibyaraMatchesARuleThePrefilterSaidMaybe) {
  struct Combined {
    std::string text;
    std::vector<std::string> pieces;  // what the strings match, to combine
    std::string alone;                // matches a string that is not needed, and no rule
  };
  const std::vector<Combined> all = {
      {"rule r { strings: $inline = /powershell(\\.exe)?\\s+-e(nc?)?\\s+[A-Za-z0-9+\\/=]{16}/ nocase "
       "$ps = \"powershell\" nocase ascii wide $enc = /\\s-e(nc?)?\\s+[A-Za-z0-9+\\/=]{16}/ nocase "
       "condition: $inline or ($ps and $enc) }",
       {"powershell -enc QUJDREVGR0hJSktMTU5PUA==", "PowerShell", " -e QUJDREVGR0hJSktMTU5PUA==", "p o w e r"},
       "patch -e QUJDREVGR0hJSktMTU5PUA== applied"},
      {"rule r { strings: $a = \"alpha\" $b = \"bravo\" $c = /charlie[0-9]/ condition: $a or ($b and $c) }",
       {"alpha", "bravo", "charlie7", "ALPHA"},
       "charlie7 and charlie8"},
      {"rule r { strings: $a1 = \"Remcos\" $a2 = \"Breaking\" $w = /[a-z]+/ "
       "condition: any of ($a*) and $w }",
       {"Remcos", "Breaking", "words here", "REMCOS"},
       "just words"},
      {"rule r { strings: $mz = { 4D 5A } $pe = { 50 45 00 00 } $s = \"This program\" "
       "condition: 2 of ($s, $pe) and $mz }",
       {"MZ", std::string("PE\0\0", 4), "This program", "ThIs PrOgRaM"},
       "MZ MZ MZ"},
      {"rule r { strings: $x = \"invoice\" nocase $y = /\\.(iso|img)/ condition: $x and $y and filesize < 1MB }",
       {"INVOICE", ".iso", ".img", "invoice_2020"},
       "look: .iso and .img"},
  };
  std::mt19937 rng(7);
  for (const Combined& c : all) {
    auto rules = Rules::compile({{"c.yar", "t", c.text, false}});
    ASSERT_TRUE(rules.has_value()) << c.text << ": " << rules.error().what;
    const std::string_view view = c.text;
    const auto prefilter = LiteralPrefilter::from_sources(std::span(&view, 1));
    ASSERT_TRUE(prefilter.has_value()) << c.text;
    std::size_t positives = 0;
    for (int round = 0; round < 600; ++round) {
      std::string data = "x ";
      const int n = 1 + static_cast<int>(rng() % 7);
      for (int i = 0; i < n; ++i) {
        std::string p = c.pieces[rng() % c.pieces.size()];
        if (round % 3 == 1) p = widen(p);
        data += p + (rng() % 2 ? " " : "\n");
      }
      if (yara_matches(**rules, data)) {
        ++positives;
        EXPECT_TRUE(prefilter->may_match(data)) << c.text << " on " << ::testing::PrintToString(data);
      }
    }
    EXPECT_GT(positives, 20u) << c.text << ": the pieces must make the rule match, or this tests nothing";
    EXPECT_FALSE(yara_matches(**rules, c.alone)) << c.text;
    EXPECT_FALSE(prefilter->may_match(c.alone)) << c.text << ": a string no rule matches on alone";
  }
}

// The starter rules get a prefilter; a rule set with one string that has no
// literal (or one rule that needs no string) gets none.
TEST(YaraPrefilter, TheEngineUsesItOnlyWhenEveryStringHasALiteral) {
  const std::string mail =
      "From: a@example.com\r\nTo: b@example.com\r\nSubject: minutes\r\n\r\nThe minutes are attached.\r\n";
  const std::vector<std::uint8_t> bytes(mail.begin(), mail.end());
  const Engine starter = testing::default_engine();
  const ScanResult r = starter.scan(ByteView(bytes.data(), bytes.size()), "m.eml");
  EXPECT_FALSE(testing::has_finding(r, "yara.match"));
  EXPECT_GT(testing::yara_artifacts_prefiltered(starter), 0u);
  const testing::RuleDir dir("rule any_word { strings: $w = /[a-z]+/ condition: $w }\n");
  const Engine open = testing::engine_with_rules(dir);
  const ScanResult o = open.scan(ByteView(bytes.data(), bytes.size()), "m.eml");
  EXPECT_TRUE(testing::has_finding(o, "yara.match"));
  EXPECT_EQ(testing::yara_artifacts_prefiltered(open), 0u);
}

}  // namespace
}  // namespace sluice
