// OneNote sections. Oracle: pyOneNote (DissectMalware/pyOneNote), run by hand on
// each fixture; its listing (node, name, extension, size, SHA-256 of the file its
// container points at) is committed in tests/fixtures/listings/onenote_*.txt.
// Fixtures: tests/fixtures/make_onenote_fixtures.py; hostile seeds: fuzz/seeds/onenote.
#include <gtest/gtest.h>

#include "core/hash.hpp"
#include "formats/onenote/section.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

struct Listed {
  std::string node, name, extension, sha256;
  std::size_t size = 0;
};

std::vector<Listed> listing(const std::string& one) {
  std::vector<Listed> out;
  std::ifstream in(testing::fixture("listings/" + one + ".txt"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream f(line);
    Listed l;
    std::getline(f, l.node, '\t');
    std::getline(f, l.name, '\t');
    if (l.node == "jcidRichTextOENode") {  // a paragraph: its text in `name`
      out.push_back(l);
      continue;
    }
    std::getline(f, l.extension, '\t');
    std::string size;
    std::getline(f, size, '\t');
    l.size = std::stoul(size);
    std::getline(f, l.sha256, '\t');
    out.push_back(l);
  }
  return out;
}

std::filesystem::path fs_path_seed(const std::string& name) {
  return std::filesystem::path(SLUICE_SOURCE_DIR) / "fuzz/seeds/onenote" / name;
}

const Artifact* child_with_sha(const ScanResult& r, const std::string& sha) {
  for (ArtifactId c : r.tree[0].children) {
    if (to_hex(r.tree[c].hashes.sha256) == sha) return &r.tree[c];
  }
  return nullptr;
}

TEST(OneNote, EveryFileAgreesWithPyOneNote) {
  const Engine engine = testing::engine_only({"onenote"});
  for (const std::string one : {"onenote_image_over_exe.one", "onenote_notes.one"}) {
    const auto want = listing(one);
    const ScanResult r = engine.scan(testing::read_file(testing::fixture("documents/" + one)), one);
    ASSERT_EQ(r.tree[0].type, FileType::onenote);
    std::size_t files = 0;
    for (const Listed& l : want) {
      if (l.node == "jcidRichTextOENode") {
        // The link pyOneNote shows in the paragraph's field code is an IOC.
        const auto open = l.name.find("\"http");
        ASSERT_NE(open, std::string::npos) << l.name;
        const std::string url = l.name.substr(open + 1, l.name.find('"', open + 1) - open - 1);
        EXPECT_TRUE(testing::contains(testing::meta_all(r.tree[0], "ioc.url"), url)) << url;
        continue;
      }
      ++files;
      const Artifact* a = child_with_sha(r, l.sha256);
      ASSERT_NE(a, nullptr) << one << ": " << l.name;
      EXPECT_EQ(a->bytes.size(), l.size);
      EXPECT_EQ(std::string(a->display_name()), l.name == "-" ? "" : l.name) << one;
      EXPECT_EQ(testing::meta_text(*a, "onenote.extension"), l.extension) << one;
      EXPECT_EQ(a->locator.starts_with("picture["), l.node == "jcidImageNode") << a->locator;
    }
    EXPECT_EQ(files, 2u) << one;
    EXPECT_EQ(r.tree[0].children.size(), files) << one;
    for (const Artifact& a : r.tree) EXPECT_TRUE(a.anomalies.empty() || one == "onenote_image_over_exe.one");
  }
}

TEST(OneNote, APictureOverAProgramIsTheLure) {
  const Engine engine = testing::default_engine();
  const ScanResult lure =
      engine.scan(testing::read_file(testing::fixture("documents/onenote_image_over_exe.one")), "Invoice.one");
  EXPECT_TRUE(testing::has_anomaly(lure.tree[0], "onenote.image_over_embedded_file"));
  EXPECT_TRUE(testing::has_finding(lure, "onenote.embedded_executable"));
  EXPECT_EQ(lure.verdict, Verdict::malicious);
  EXPECT_TRUE(testing::has_finding(lure, "link.container_download"));
  const ScanResult notes = engine.scan(testing::read_file(testing::fixture("documents/onenote_notes.one")), "Notes.one");
  EXPECT_FALSE(testing::has_anomaly(notes.tree[0], "onenote.image_over_embedded_file"));
  EXPECT_EQ(notes.verdict, Verdict::clean) << notes.score;
}

TEST(OneNote, ALoopIsReportedAndTheFilesAreStillFound) {
  const ScanResult r = testing::engine_only({"onenote"}).scan(
      testing::read_file(fs_path_seed("list_loop.one")), "loop.one");
  EXPECT_TRUE(testing::has_anomaly(r.tree[0], "onenote.list_loop"));
  EXPECT_EQ(r.tree[0].children.size(), 2u);
}

TEST(OneNote, EveryPrefixEndsInAResult) {
  const auto bytes = testing::read_file(testing::fixture("documents/onenote_image_over_exe.one"));
  for (std::size_t n = 0; n < bytes.size(); n += 97) {
    auto s = formats::onenote::parse(ByteView(bytes.data(), n), Limits{});
    if (n < 1024) {
      EXPECT_FALSE(s);
    }
    for (const auto& f : formats::onenote::scan_file_data(ByteView(bytes.data(), n))) {
      EXPECT_LE(f.data.size(), n);
    }
  }
}

}  // namespace
}  // namespace sluice
