#include "core/view_set.hpp"

#include <gtest/gtest.h>

#include <string>
#include <unordered_set>

#include "core/files.hpp"

namespace sluice::core {
namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const auto at = text.find(sep);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return out;
    text.remove_prefix(at + 1);
  }
}

TEST(ViewSet, HoldsEachMemberOnceAndNothingElse) {
  const std::string text = "com co.uk com  uk ck";
  const auto items = split(text, ' ');
  ASSERT_EQ(items.size(), 6u);  // "com" twice and one empty item between the two spaces
  ViewSet set(text, 1);          // grows past its guess
  for (const std::string_view v : items) EXPECT_TRUE(set.insert(v));
  EXPECT_EQ(set.size(), 5u);
  for (std::string_view v : {"com", "co.uk", "uk", "ck", ""}) EXPECT_TRUE(set.contains(v)) << v;
  for (std::string_view v : {"co", "om", "com.", "k", "co.u", "net"}) EXPECT_FALSE(set.contains(v)) << v;

  // Only views into the base are slotted.
  const std::string elsewhere = "net";
  EXPECT_FALSE(set.insert(elsewhere));
  ASSERT_EQ(text.size(), 20u);
  EXPECT_FALSE(set.insert(std::string_view(text.data() + 18, 5)));  // starts inside, ends past the base
  EXPECT_FALSE(set.contains("net"));

  const ViewSet none;
  EXPECT_FALSE(none.contains(""));
  EXPECT_FALSE(none.contains("com"));
  ViewSet no_empty(text, 4);
  no_empty.insert(std::string_view(text).substr(0, 3));
  EXPECT_FALSE(no_empty.contains("")) << "a free slot is not the empty member";
}

// Against the standard set, on the real Public Suffix List's rules and on
// every suffix of every line (most of them misses).
TEST(ViewSet, AgreesWithUnorderedSetOnThePublicSuffixList) {
  const auto text = read_whole_file("/usr/share/publicsuffix/public_suffix_list.dat");
  ASSERT_TRUE(text) << "Debian package publicsuffix";
  std::vector<std::string_view> lines;
  for (const std::string_view line : split(*text, '\n')) {
    if (!line.empty() && !line.starts_with("//")) lines.push_back(line);
  }
  ASSERT_GT(lines.size(), 5000u);
  ViewSet set(*text, 100);
  std::unordered_set<std::string_view> want;
  for (std::size_t i = 0; i < lines.size(); i += 2) {
    EXPECT_TRUE(set.insert(lines[i]));
    want.insert(lines[i]);
  }
  EXPECT_EQ(set.size(), want.size());
  std::size_t asked = 0;
  for (const std::string_view line : lines) {
    for (std::size_t cut = 0; cut < line.size(); ++cut) {
      const std::string_view q = line.substr(cut);
      ASSERT_EQ(set.contains(q), want.contains(q)) << q;
      ++asked;
    }
  }
  EXPECT_GT(asked, 50000u);
}

}  // namespace
}  // namespace sluice::core
