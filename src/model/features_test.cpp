#include "model/features.hpp"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace sluice::model {
namespace {

namespace st = sluice::testing;

std::size_t index_of(const FeatureSpace& s, std::string_view name) {
  const auto f = s.features();
  const auto it = std::find_if(f.begin(), f.end(), [&](const FeatureInfo& i) { return i.name == name; });
  EXPECT_NE(it, f.end()) << name;
  return static_cast<std::size_t>(it - f.begin());
}

ScanResult scan_fixture(const Engine& e, const std::string& rel) {
  auto bytes = st::read_file(st::fixture(rel));
  return e.scan(std::move(bytes), rel);
}

TEST(Features, TheCatalogGivesOneCountPerFindingAndTheVersionFollowsTheList) {
  const FeatureSpace a = FeatureSpace::from_catalog("\n### `b.two`\n\n### `a.one`\n\n### `model.score`\n");
  const FeatureSpace b = FeatureSpace::from_catalog("\n### `a.one`\n\n### `b.two`\n\n### `c.three`\n");
  // model.* is the model's own output: never one of its inputs.
  EXPECT_EQ(a.size() + 1, b.size());
  EXPECT_EQ(a.features()[a.size() - 2].name, "finding.a.one");
  EXPECT_EQ(a.features()[a.size() - 1].name, "finding.b.two");
  EXPECT_NE(a.version(), b.version());
  EXPECT_EQ(a.version(), FeatureSpace::from_catalog("\n### `a.one`\n\n### `b.two`\n").version());
  EXPECT_TRUE(a.version().starts_with("f1-"));
  for (const FeatureInfo& f : FeatureSpace::builtin().features()) {
    EXPECT_FALSE(f.meaning.empty()) << f.name;
    EXPECT_FALSE(f.range.empty()) << f.name;
  }
}

TEST(Features, AnExecutableInsideAnImageInsideMailIsSeenAsSuch) {
  const Engine e = st::default_engine();
  const FeatureSpace s = FeatureSpace::builtin();
  const ScanResult r = scan_fixture(e, "campaigns/vhd.eml");
  const std::vector<float> x = s.extract(r);
  ASSERT_EQ(x.size(), s.size());
  EXPECT_GE(x[index_of(s, "chain.executable_in_disk_image")], 1);
  EXPECT_GE(x[index_of(s, "chain.disk_image_in_mail")], 1);
  EXPECT_GE(x[index_of(s, "class.disk_image")], 1);
  EXPECT_GE(x[index_of(s, "finding.container.executable_in_image")], 1);
  EXPECT_GE(x[index_of(s, "findings.high")], 1);
  EXPECT_GT(x[index_of(s, "entropy.executable_max")], 0);
  // The model's own finding is in the result but never in the vector.
  EXPECT_TRUE(st::has_finding(r, "model.score"));
}

TEST(Features, BenignMailHasNoPayloadFeatures) {
  const Engine e = st::default_engine();
  const FeatureSpace s = FeatureSpace::builtin();
  const std::vector<float> x = s.extract(scan_fixture(e, "campaigns/benign_zip_docs.eml"));
  EXPECT_EQ(x[index_of(s, "class.executable")], 0);
  EXPECT_EQ(x[index_of(s, "chain.executable_max_depth")], 0);
  EXPECT_EQ(x[index_of(s, "findings.high")], 0);
  EXPECT_GE(x[index_of(s, "class.archive")], 1);
}

// No identity tokens: who it was sent to does not enter the vector, only what
// was done.
TEST(Features, WhoSentItDoesNotChangeTheVector) {
  const Engine e = st::default_engine();
  const FeatureSpace s = FeatureSpace::builtin();
  const auto original = st::read_file(st::fixture("campaigns/iso_as_pdf.eml"));
  std::string text(original.begin(), original.end());
  std::string renamed = text;
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"Jane Doe", "Sam Roe"},
                                 std::pair<std::string, std::string>{"jane.doe@", "sam.roe@"}}) {
    for (std::size_t at = renamed.find(from); at != std::string::npos; at = renamed.find(from, at + to.size())) {
      renamed.replace(at, from.size(), to);
    }
  }
  ASSERT_NE(renamed, text);
  const std::vector<float> a = s.extract(e.scan(std::vector<std::uint8_t>(text.begin(), text.end()), "a.eml"));
  const std::vector<float> b = s.extract(e.scan(std::vector<std::uint8_t>(renamed.begin(), renamed.end()), "b.eml"));
  const std::size_t size = index_of(s, "size.log2_input");
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (i == size) continue;  // a few bytes longer
    EXPECT_EQ(a[i], b[i]) << s.features()[i].name;
  }
}

}  // namespace
}  // namespace sluice::model
