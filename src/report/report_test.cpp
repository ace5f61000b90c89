#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "report/report.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

ScanResult nested_scan() {
  return testing::default_engine().scan(testing::read_file(testing::fixture("gzip/nested.gz.gz")),
                                        "dir/nested.gz.gz");
}

TEST(Report, JsonCarriesTheTreeFindingsAndPaths) {
  const ScanResult r = nested_scan();
  const auto j = nlohmann::json::parse(report::to_json(r, false));
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["input"], "dir/nested.gz.gz");
  EXPECT_EQ(j["verdict"], "suspicious");
  const auto& root = j["artifacts"][0];
  EXPECT_EQ(root["names"][0]["name"], "nested.gz.gz");
  const auto& leaf = root["children"][0]["children"][0];
  EXPECT_EQ(leaf["type"], "pe-exe");
  EXPECT_EQ(leaf["path"], "file \"nested.gz.gz\" \u203a \"nested.gz\" \u203a \"nested\"");
  EXPECT_EQ(j["findings"][0]["artifact"], leaf["path"]);
  EXPECT_EQ(j["findings"][0]["evidence"]["container"], "gzip");
  EXPECT_EQ(leaf["sha256"].get<std::string>().size(), 64u);
}

TEST(Report, HostileNamesStillSerialise) {
  ArtifactTree t;
  ScanResult r;
  r.input = "in";
  const std::string bad = "\xff\xfe\x1b[31mname";
  r.tree.add_root(ByteView::of(bad), "file", {{"input", bad}});
  const std::string json = report::to_json(r, true);
  EXPECT_TRUE(nlohmann::json::accept(json));
  const std::string text = report::to_text(r, {});
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

TEST(Report, DeepestConfigurableTreeRenders) {
  ScanResult r;
  r.input = "deep";
  r.tree.add_root(ByteView::of("x"), "file", {});
  for (ArtifactId i = 0; i < kMaxConfigurableDepth + 1; ++i) {
    r.tree.add_child(i, ByteView::of("x"), "", {{"v", "n"}});
  }
  EXPECT_FALSE(report::to_json(r, false).empty());
  EXPECT_FALSE(report::to_text(r, {}).empty());
}

TEST(Report, WideTreesAreCutInText) {
  ScanResult r;
  r.input = "wide";
  r.tree.add_root(ByteView::of("x"), "file", {});
  for (int i = 0; i < 5'000; ++i) r.tree.add_child(0, ByteView::of("x"), "", {{"v", "n"}});
  EXPECT_NE(report::to_text(r, {}).find("more artifacts"), std::string::npos);
  EXPECT_FALSE(report::to_json(r, false).empty());
}

}  // namespace
}  // namespace sluice
