// Limits::max_anomalies_per_kind: a structure that repeats one fault lists
// the first ones and reports the limit once; other IDs still get through, so
// padding a file with one fault cannot hide another.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/unpacker.hpp"

namespace sluice::core {
namespace {

struct Harness {
  explicit Harness(Limits l = {}) : limits(l), budget(limits, Budget::Clock::now()) {
    root = tree.add_root(ByteView(data.data(), data.size()), "file", {Name{"mail", "input.bin"}});
  }
  UnpackContext ctx() { return UnpackContext(tree, root, budget); }
  [[nodiscard]] std::size_t count(std::string_view id) const {
    const auto& list = tree[root].anomalies;
    return static_cast<std::size_t>(std::count_if(list.begin(), list.end(), [&](const Anomaly& a) { return a.id == id; }));
  }

  Limits limits;
  Budget budget;
  std::vector<std::uint8_t> data = {'x'};
  ArtifactTree tree;
  ArtifactId root = 0;
};

TEST(AnomalyCap, OneFaultRepeatedIsListedUpToTheCapAndTheLimitReportedOnce) {
  Harness h;
  auto ctx = h.ctx();
  for (int i = 0; i < 1000; ++i) ctx.anomaly("test.repeated", Severity::low, static_cast<std::uint64_t>(i), "again");
  EXPECT_EQ(h.count("test.repeated"), 32u);
  EXPECT_EQ(h.count("limit.exceeded"), 1u);
  ASSERT_EQ(h.tree.limits_hit.size(), 1u);
  const LimitHit& hit = h.tree.limits_hit.front();
  EXPECT_EQ(hit.kind, LimitKind::anomalies);
  EXPECT_EQ(hit.artifact, h.root);
  EXPECT_EQ(hit.limit, 32u);
  EXPECT_NE(hit.detail.find("`test.repeated`"), std::string::npos) << hit.detail;
}

TEST(AnomalyCap, PaddingWithOneFaultDoesNotHideAnother) {
  Harness h;
  auto ctx = h.ctx();
  for (int i = 0; i < 500; ++i) ctx.anomaly("test.padding", Severity::low, 0, "noise");
  ctx.anomaly("test.the_one_that_matters", Severity::high, 7, "signal");
  for (int i = 0; i < 500; ++i) ctx.anomaly("test.more_padding", Severity::low, 0, "noise");
  EXPECT_EQ(h.count("test.the_one_that_matters"), 1u);
  EXPECT_EQ(h.count("test.padding"), 32u);
  EXPECT_EQ(h.count("test.more_padding"), 32u);
  // One limit report per capped ID, each naming it.
  ASSERT_EQ(h.tree.limits_hit.size(), 2u);
  EXPECT_NE(h.tree.limits_hit[0].detail.find("`test.padding`"), std::string::npos);
  EXPECT_NE(h.tree.limits_hit[1].detail.find("`test.more_padding`"), std::string::npos);
}

TEST(AnomalyCap, TheCapIsTheConfiguredLimitAndAPureParsersListGoesThroughIt) {
  Limits l;
  l.set(LimitKind::anomalies, 3);
  EXPECT_EQ(l.max_anomalies_per_kind, 3u);
  Harness h(l);
  auto ctx = h.ctx();
  std::vector<Anomaly> parsed(10, Anomaly{"test.listed", Severity::low, 0, "from a parser"});
  report_anomalies(ctx, parsed);
  EXPECT_EQ(h.count("test.listed"), 3u);
  ASSERT_EQ(h.tree.limits_hit.size(), 1u);
  EXPECT_EQ(h.tree.limits_hit.front().limit, 3u);
}

TEST(AnomalyCap, UnderTheCapNothingIsReported) {
  Harness h;
  auto ctx = h.ctx();
  for (int i = 0; i < 32; ++i) ctx.anomaly("test.many", Severity::low, 0, "fine");
  EXPECT_EQ(h.count("test.many"), 32u);
  EXPECT_TRUE(h.tree.limits_hit.empty());
  EXPECT_EQ(h.count("limit.exceeded"), 0u);
}

}  // namespace
}  // namespace sluice::core
