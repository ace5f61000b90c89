// RTF objects: read as Word reads them. Oracle: oletools' rtfobj expectations
// for its own regression files (tests/rtfobj in decalage2/oletools: one object
// each in issue_251.rtf and issue_185.rtf), read in place; hand-written RTF for
// the obfuscations droppers use.
#include <gtest/gtest.h>

#include "formats/rtf/objects.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;
formats::rtf::RtfScan scan_of(std::string_view rtf, std::uint32_t max_objects) {
  Limits limits;
  limits.max_children = max_objects;
  auto parsed = formats::rtf::parse(ByteView(reinterpret_cast<const std::uint8_t*>(rtf.data()), rtf.size()), limits);
  EXPECT_TRUE(parsed.has_value());
  return parsed ? std::move(parsed->model) : formats::rtf::RtfScan{};
}

std::vector<formats::rtf::RtfObject> objects_of(std::string_view rtf) { return scan_of(rtf, 100).objects; }

TEST(RtfObjects, HexSplitByWhitespaceControlWordsAndGroupsIsJoined) {
  const auto objs = objects_of(
      "{\\rtf1{\\object\\objemb{\\*\\objclass Package}{\\*\\objdata 01 05\r\n00\\foo12 00{\\bar}02\\'41 0 0 00}}}");
  ASSERT_EQ(objs.size(), 1u);
  EXPECT_EQ(objs[0].class_name, "Package");
  const std::vector<std::uint8_t> want{0x01, 0x05, 0x00, 0x00, 0x02, 0x00, 0x00};
  EXPECT_EQ(objs[0].data, want);
}

TEST(RtfObjects, BinRunsAreDataAndAnOddDigitIsDropped) {
  const std::string rtf = std::string("{\\rtf1{\\*\\objdata 4\\bin3 ") + std::string("\x01\x02\x03", 3) + "ABC}}";
  const auto objs = objects_of(rtf);
  ASSERT_EQ(objs.size(), 1u);
  const std::vector<std::uint8_t> want{0x01, 0x02, 0x03, 0xAB};
  EXPECT_EQ(objs[0].data, want);
  EXPECT_TRUE(objs[0].odd_hex);
}

TEST(RtfObjects, AbsurdNestingAndABinPastTheEndEndQuietly) {
  std::string deep = "{\\rtf1";
  deep.append(100000, '{');
  deep += "{\\*\\objdata 0102\\bin999999999 ab";
  const auto scan = scan_of(deep, 100);
  EXPECT_TRUE(scan.too_deep);
  EXPECT_TRUE(scan.unbalanced);
  ASSERT_EQ(scan.objects.size(), 1u);
  EXPECT_EQ(scan.objects[0].data.size(), 2u + 2u);  // 01 02, then "ab": all the \bin can take
}

TEST(RtfObjects, ObjectsPastTheLimitAreCounted) {
  std::string rtf = "{\\rtf1";
  for (int i = 0; i < 5; ++i) rtf += "{\\*\\objdata 00}";
  rtf += "}";
  const auto scan = scan_of(rtf, 3);
  EXPECT_EQ(scan.objects.size(), 3u);
  EXPECT_EQ(scan.dropped, 2u);
}

TEST(RtfCorpus, OletoolsRegressionFilesHoldOneObjectEach) {
  const fs::path dir = testing::corpora() / "office/oletools/rtfobj";
  if (!fs::is_directory(dir)) SLUICE_SKIP_UNLESS_CI() << "oletools corpus not present";
  // issue_185.rtf is zipped with oletools' test password (tests/test_utils in
  // oletools; the corpus README says "infected", the files say otherwise).
  const std::string rtf185 =
      testing::command_output("unzip -p -P infected-test " + (dir / "issue_185.rtf.zip").string());
  ASSERT_FALSE(rtf185.empty()) << "unzip could not read issue_185.rtf.zip";
  const Engine engine = testing::default_engine();
  const std::vector<std::pair<std::string, std::vector<std::uint8_t>>> files{
      {"issue_251.rtf", testing::read_file(dir / "issue_251.rtf")},
      {"issue_185.rtf", std::vector<std::uint8_t>(rtf185.begin(), rtf185.end())}};
  for (const auto& [name, bytes] : files) {
    const ScanResult r = engine.scan(std::vector<std::uint8_t>(bytes), name);
    EXPECT_EQ(r.tree[0].type, FileType::rtf) << name;
    std::size_t objects = 0;
    for (ArtifactId c : r.tree[0].children) objects += r.tree[c].locator.starts_with("object[") ? 1 : 0;
    EXPECT_EQ(objects, 1u) << name;
  }
}

TEST(RtfCorpus, TheRtfSpecificationHasNoObjects) {
  const fs::path f = testing::corpora() / "office/oletools/msodde/RTF-Spec-1.7.rtf";
  if (!fs::exists(f)) SLUICE_SKIP_UNLESS_CI() << "oletools corpus not present";
  const ScanResult r = testing::default_engine().scan(testing::read_file(f), "RTF-Spec-1.7.rtf");
  EXPECT_EQ(r.verdict, Verdict::clean) << r.score;
  EXPECT_TRUE(r.tree[0].children.empty());
}

}  // namespace
}  // namespace sluice
