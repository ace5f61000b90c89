#include "core/phrase_matcher.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <tuple>

namespace sluice::core {
namespace {

using Hit = std::pair<std::size_t, std::size_t>;  // phrase, end

std::vector<Hit> hits(const PhraseMatcher& m, std::string_view text) {
  std::vector<Hit> out;
  m.scan(text, [&](std::size_t p, std::size_t end) {
    out.emplace_back(p, end);
    return true;
  });
  return out;
}

// Which phrases occur anywhere, from the reported matches.
std::vector<bool> present(const PhraseMatcher& m, std::string_view text) {
  std::vector<bool> seen(m.size(), false);
  for (const auto& [phrase, end] : hits(m, text)) seen[phrase] = true;
  return seen;
}

// The oracle: one find per phrase, sorted as the automaton reports.
std::vector<Hit> naive(const std::vector<std::string>& phrases, std::string_view text) {
  std::vector<std::tuple<std::size_t, std::size_t, std::size_t>> all;  // end, -len, phrase
  for (std::size_t i = 0; i < phrases.size(); ++i) {
    if (phrases[i].empty()) continue;
    for (auto at = text.find(phrases[i]); at != std::string_view::npos; at = text.find(phrases[i], at + 1))
      all.emplace_back(at + phrases[i].size(), ~phrases[i].size(), i);
  }
  std::sort(all.begin(), all.end());
  std::vector<Hit> out;
  for (auto& [end, neglen, p] : all) out.emplace_back(p, end);
  return out;
}

TEST(PhraseMatcher, FindsOverlappingAndNestedPhrases) {
  const std::vector<std::string> phrases{"he", "she", "his", "hers"};
  const PhraseMatcher m(phrases);
  EXPECT_EQ(hits(m, "ushers"), (std::vector<Hit>{{1, 4}, {0, 4}, {3, 6}}));
  EXPECT_EQ(hits(m, "ahishers"), naive(phrases, "ahishers"));
  EXPECT_TRUE(hits(m, "xyz").empty());
  EXPECT_TRUE(hits(m, "").empty());
}

TEST(PhraseMatcher, DuplicatesAndEmptyPhrases) {
  const std::vector<std::string> phrases{"", "invoice", "invoice", "in"};
  const PhraseMatcher m(phrases);
  EXPECT_EQ(m.size(), 4u);
  const auto seen = present(m, "overdue invoice");
  EXPECT_EQ(seen, (std::vector<bool>{false, true, true, true}));
  EXPECT_EQ(hits(m, "invoice"), naive(phrases, "invoice"));
}

TEST(PhraseMatcher, EveryByteValueAndStopEarly) {
  std::vector<std::string> phrases;
  for (int b = 0; b < 256; ++b) phrases.push_back(std::string(1, static_cast<char>(b)) + "\xff");
  const PhraseMatcher m(phrases);
  std::string text;
  for (int b = 255; b >= 0; --b) text += std::string(1, static_cast<char>(b)) + "\xff";
  EXPECT_EQ(hits(m, text), naive(phrases, text));
  EXPECT_EQ(hits(m, text).size(), 256u);
  int calls = 0;
  m.scan(text, [&](std::size_t, std::size_t) { return ++calls < 2; });
  EXPECT_EQ(calls, 2);
}

TEST(PhraseMatcher, AgreesWithFindOnRandomTexts) {
  std::mt19937 rng(2020);
  for (int round = 0; round < 300; ++round) {
    std::uniform_int_distribution<int> letter(0, 3), len(0, 5), count(1, 12);
    std::vector<std::string> phrases(static_cast<std::size_t>(count(rng)));
    for (auto& p : phrases) {
      const int n = len(rng);
      for (int i = 0; i < n; ++i) p += static_cast<char>('a' + letter(rng));
    }
    std::string text;
    for (int i = 0; i < 200; ++i) text += static_cast<char>('a' + letter(rng));
    const PhraseMatcher m(phrases);
    ASSERT_EQ(hits(m, text), naive(phrases, text)) << "round " << round;
    const auto seen = present(m, text);
    for (std::size_t i = 0; i < phrases.size(); ++i)
      EXPECT_EQ(seen[i], !phrases[i].empty() && text.find(phrases[i]) != std::string::npos);
  }
}

// scan_unordered reports what scan reports, as a multiset, for texts short
// enough to take one walk and long enough to take four, with phrases that
// straddle the stretches and the later walks' starting points, exact and
// case-blind.
TEST(PhraseMatcher, WalksAtOnceReportWhatOneWalkReports) {
  std::mt19937 rng(7357);
  for (int round = 0; round < 400; ++round) {
    std::uniform_int_distribution<int> letter(0, 3), len(0, 9), count(1, 12), size(0, 900);
    std::vector<std::string> phrases(static_cast<std::size_t>(count(rng)));
    for (auto& p : phrases) {
      const int n = len(rng);
      for (int i = 0; i < n; ++i) p += static_cast<char>((round % 2 == 0 ? 'a' : 'A') + letter(rng));
    }
    std::string text;
    const int n = size(rng);
    for (int i = 0; i < n; ++i) text += static_cast<char>('a' + letter(rng));
    const PhraseMatcher m(phrases, round % 2 == 0 ? PhraseMatcher::Case::exact : PhraseMatcher::Case::ascii_insensitive);
    std::vector<Hit> two;
    m.scan_unordered(text, [&](std::size_t p, std::size_t end) { two.emplace_back(p, end); });
    std::vector<Hit> one = hits(m, text);
    std::sort(one.begin(), one.end());
    std::sort(two.begin(), two.end());
    ASSERT_EQ(two, one) << "round " << round << ", " << text.size() << " bytes";
  }
}

// Case::ascii_insensitive over a text of mixed case reports exactly what the
// exact matcher reports over the text lower-cased (what callers did before),
// whatever case the phrases were written in; other bytes stay exact.
TEST(PhraseMatcher, IgnoringCaseIsMatchingTheLowerCasedText) {
  std::mt19937 rng(2026);
  const std::string alphabet = "abAB[@`{zZ\xc4\xe4";
  for (int round = 0; round < 300; ++round) {
    std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
    std::uniform_int_distribution<int> len(0, 5), count(1, 12);
    std::vector<std::string> phrases(static_cast<std::size_t>(count(rng)));
    std::vector<std::string> lowered;
    for (auto& p : phrases) {
      const int n = len(rng);
      for (int i = 0; i < n; ++i) p += alphabet[pick(rng)];
      std::string l = p;
      for (char& c : l) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
      lowered.push_back(l);
    }
    std::string text, lower_text;
    for (int i = 0; i < 200; ++i) text += alphabet[pick(rng)];
    for (char c : text) lower_text += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    const PhraseMatcher folded(phrases, PhraseMatcher::Case::ascii_insensitive);
    const PhraseMatcher exact(lowered);
    ASSERT_EQ(hits(folded, text), hits(exact, lower_text)) << "round " << round;
  }
  const std::vector<std::string> one{"invoke-expression"};
  const PhraseMatcher folded(one, PhraseMatcher::Case::ascii_insensitive);
  EXPECT_EQ(hits(folded, "x Invoke-EXPRESSION y").size(), 1u);
  EXPECT_TRUE(hits(PhraseMatcher(one), "Invoke-Expression").empty());
}

}  // namespace
}  // namespace sluice::core
