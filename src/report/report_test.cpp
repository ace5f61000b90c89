#include <gtest/gtest.h>
#include <algorithm>
#include <nlohmann/json.hpp>

#include "sluice/report.hpp"
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
  EXPECT_EQ(j["schema_version"], 2);
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
  ASSERT_TRUE(nlohmann::json::accept(json));
  // Invalid UTF-8 becomes U+FFFD; the escape byte is kept as data, never emitted raw.
  const auto j = nlohmann::json::parse(json);
  const std::string name = j["artifacts"][0]["names"][0]["name"];
  EXPECT_EQ(name.rfind("\uFFFD\uFFFD", 0), 0u) << name;
  EXPECT_NE(name.find("[31mname"), std::string::npos) << name;
  const std::string text = report::to_text(r, {});
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("[31mname"), std::string::npos) << text;
}

TEST(Report, DeepestConfigurableTreeRenders) {
  ScanResult r;
  r.input = "deep";
  r.tree.add_root(ByteView::of("x"), "file", {});
  for (ArtifactId i = 0; i < kMaxConfigurableDepth + 1; ++i) {
    r.tree.add_child(i, ByteView::of("x"), "", {{"v", "n"}});
  }
  // Every level is in the JSON, nested as deep as the tree goes.
  const auto j = nlohmann::json::parse(report::to_json(r, false));
  const nlohmann::json* node = &j["artifacts"][0];
  std::size_t levels = 1;
  while (node->contains("children") && !(*node)["children"].empty()) {
    node = &(*node)["children"][0];
    ++levels;
  }
  EXPECT_EQ(levels, kMaxConfigurableDepth + 2);
  EXPECT_NE(report::to_text(r, {}).find("deep"), std::string::npos);
}

// Meta keys come out in the order they first appeared, a repeated key as an
// array of its values in order: for a short list (grouped pairwise) and a
// long one (grouped by sorted indices) alike.
TEST(Report, RepeatedMetaKeysBecomeArraysInFirstSeenOrder) {
  for (const int n : {7, 64, 65, 500}) {
    ScanResult r;
    r.input = "meta";
    r.tree.add_root(ByteView::of("x"), "file", {});
    const std::vector<std::string> keys = {"z.last", "a.first", "m.middle", "b.once"};
    nlohmann::ordered_json want = nlohmann::ordered_json::object();
    std::vector<std::vector<std::int64_t>> values(keys.size());
    for (int i = 0; i < n; ++i) {
      // b.once appears once, late; the others interleave.
      const std::size_t k = i == n / 2 ? 3 : static_cast<std::size_t>(i * 7 % 3);
      r.tree.at(0).meta.push_back({keys[k], MetaValue(std::int64_t{i})});
      values[k].push_back(i);
    }
    std::vector<std::size_t> first_seen;
    for (const Meta& m : r.tree[0].meta) {
      const auto k = static_cast<std::size_t>(std::find(keys.begin(), keys.end(), m.key) - keys.begin());
      if (std::find(first_seen.begin(), first_seen.end(), k) == first_seen.end()) first_seen.push_back(k);
    }
    for (const std::size_t k : first_seen) {
      if (values[k].size() == 1) {
        want[keys[k]] = values[k].front();
      } else {
        want[keys[k]] = values[k];
      }
    }
    const auto j = nlohmann::ordered_json::parse(report::to_json(r, false));
    EXPECT_EQ(j["artifacts"][0]["meta"].dump(), want.dump()) << n;
  }
}

TEST(Report, WideTreesAreCutInText) {
  ScanResult r;
  r.input = "wide";
  r.tree.add_root(ByteView::of("x"), "file", {});
  for (int i = 0; i < 5'000; ++i) r.tree.add_child(0, ByteView::of("x"), "", {{"v", "n"}});
  EXPECT_NE(report::to_text(r, {}).find("more artifacts"), std::string::npos);
  // JSON is for machines: it is never cut.
  const auto j = nlohmann::json::parse(report::to_json(r, false));
  EXPECT_EQ(j["artifacts"][0]["children"].size(), 5'000u);
}

}  // namespace
}  // namespace sluice
