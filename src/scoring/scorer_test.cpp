#include <gtest/gtest.h>

#include "scoring/scorer.hpp"
#include "sluice/policy.hpp"

namespace sluice {
namespace {

Finding f(std::string id, Severity s, ArtifactId a = 1) { return {std::move(id), s, a, "m", {}, 0, std::nullopt}; }

TEST(Config, BuiltInDefaultsLoad) {
  auto cfg = default_config();
  ASSERT_TRUE(cfg.has_value()) << cfg.error().what;
  EXPECT_EQ(cfg->limits.max_depth, 16u);
  EXPECT_EQ(cfg->policy.malicious_at, 70);
  EXPECT_EQ(cfg->policy.weight("container.executable", Severity::low), 30);
  EXPECT_EQ(cfg->policy.floors.at("limit.exceeded"), Verdict::suspicious);
}

TEST(Config, OverlayChangesOnlyWhatItNames) {
  auto cfg = apply_config(*default_config(), R"(
[limits]
max_depth = 3
ratio_floor_bytes = 10
[policy]
malicious_at = 90
[policy.weights]
"container.executable" = 1
)", "test");
  ASSERT_TRUE(cfg.has_value()) << cfg.error().what;
  EXPECT_EQ(cfg->limits.max_depth, 3u);
  EXPECT_EQ(cfg->limits.ratio_floor_bytes, 10u);
  EXPECT_EQ(cfg->limits.max_children, 10'000u);
  EXPECT_EQ(cfg->policy.malicious_at, 90);
  EXPECT_EQ(cfg->policy.suspicious_at, 30);
  EXPECT_EQ(cfg->policy.weight("container.executable", Severity::low), 1);
}

TEST(Config, TyposAndBadValuesAreErrorsNotSilentDefaults) {
  const Config base = *default_config();
  EXPECT_FALSE(apply_config(base, "[limits]\nmax_dept = 3\n", "t"));
  EXPECT_FALSE(apply_config(base, "[limits]\nmax_depth = -1\n", "t"));
  EXPECT_FALSE(apply_config(base, "[limits]\nmax_depth = \"x\"\n", "t"));
  EXPECT_FALSE(apply_config(base, "[limits]\nmax_depth = 100000\n", "t"));
  EXPECT_FALSE(apply_config(base, "[polcy]\n", "t"));
  EXPECT_FALSE(apply_config(base, "[policy]\nexit_at = \"bad\"\n", "t"));
  EXPECT_FALSE(apply_config(base, "[policy]\nsuspicious_at = 80\nmalicious_at = 50\n", "t"));
  auto broken = apply_config(base, "[limits\n", "broken.toml");
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().what.find("broken.toml"), std::string::npos);
}

TEST(Scorer, EachIdCountsOnceAtItsHighestWeight) {
  Policy p;
  p.weights = {{"a", 10}, {"b", 25}};
  std::vector<Finding> fs{f("a", Severity::low), f("a", Severity::low), f("a", Severity::low),
                          f("b", Severity::low, 2)};
  const auto s = scoring::score(fs, p);
  EXPECT_EQ(s.score, 35);
  EXPECT_EQ(s.verdict, Verdict::suspicious);
  EXPECT_EQ(fs.front().id, "b") << "highest weight first";
}

TEST(Scorer, UnlistedIdsFallBackToSeverityAndFloorsLift) {
  Policy p;
  std::vector<Finding> fs{f("x", Severity::critical)};
  EXPECT_EQ(scoring::score(fs, p).verdict, Verdict::malicious);
  p.weights["lim"] = 0;
  p.floors["lim"] = Verdict::suspicious;
  std::vector<Finding> lim{f("lim", Severity::info)};
  const auto s = scoring::score(lim, p);
  EXPECT_EQ(s.score, 0);
  EXPECT_EQ(s.verdict, Verdict::suspicious);
  std::vector<Finding> none;
  EXPECT_EQ(scoring::score(none, p).verdict, Verdict::clean);
}

TEST(Scorer, ContextAloneNeverRaisesTheVerdictButCountsBesideAPayload) {
  Policy p;
  p.weights = {{"lure.theme", 20}, {"sender.auth_failed", 20}, {"container.executable", 30}, {"zero", 0}};
  p.context = {"lure.theme", "sender.auth_failed"};
  std::vector<Finding> context_only{f("lure.theme", Severity::info), f("sender.auth_failed", Severity::low),
                                    f("zero", Severity::info)};
  auto s = scoring::score(context_only, p);
  EXPECT_EQ(s.score, 40) << "the score is still reported";
  EXPECT_EQ(s.verdict, Verdict::clean) << "context and zero-weight findings alone";
  std::vector<Finding> with_payload{f("lure.theme", Severity::info), f("sender.auth_failed", Severity::low),
                                    f("container.executable", Severity::high)};
  s = scoring::score(with_payload, p);
  EXPECT_EQ(s.score, 70);
  EXPECT_EQ(s.verdict, Verdict::malicious) << "beside a payload, context adds its weight";
  p.floors["lure.theme"] = Verdict::suspicious;
  std::vector<Finding> floored{f("lure.theme", Severity::info)};
  EXPECT_EQ(scoring::score(floored, p).verdict, Verdict::suspicious) << "floors still apply";
}

TEST(Config, ContextListIsReadAndEveryShippedEntryIsAKnownWeight) {
  const Config base = *default_config();
  EXPECT_TRUE(base.policy.context.contains("sender.auth_failed"));
  EXPECT_FALSE(base.policy.context.contains("container.executable"));
  for (const auto& id : base.policy.context) EXPECT_TRUE(base.policy.weights.contains(id)) << id;
  auto cfg = apply_config(base, "[policy]\ncontext = [\"lure.theme\"]\n", "test");
  ASSERT_TRUE(cfg.has_value()) << cfg.error().what;
  EXPECT_EQ(cfg->policy.context.size(), 1u) << "a user's list replaces the default";
  EXPECT_FALSE(apply_config(base, "[policy]\ncontext = [1]\n", "test").has_value());
}

TEST(Scorer, AFindingsOwnWeightReplacesThePolicysAndStillCountsOncePerId) {
  Policy p;
  p.weights["yara.match"] = 30;
  Finding low = f("yara.match", Severity::low);
  low.weight = 10;
  Finding high = f("yara.match", Severity::high, 2);
  high.weight = 80;
  std::vector<Finding> fs{low, high, f("yara.match", Severity::medium, 3)};
  const auto s = scoring::score(fs, p);
  EXPECT_EQ(s.score, 80) << "one ID, its highest weight";
  EXPECT_EQ(s.verdict, Verdict::malicious);
  EXPECT_EQ(fs[0].score, 80);
  EXPECT_EQ(fs[1].score, 30) << "no weight of its own: the policy's";
  EXPECT_EQ(fs[2].score, 10);
}

TEST(Config, YaraTableIsReadAndCheckedLikeTheRest) {
  auto base = default_config();
  ASSERT_TRUE(base);
  EXPECT_TRUE(base->yara.enabled);
  EXPECT_TRUE(base->yara.builtin_rules);
  EXPECT_TRUE(base->yara.rule_dirs.empty());
  auto c = apply_config(*base,
                        "[yara]\nrule_dirs = [\"/etc/sluice/yara\"]\ntimeout_seconds = 2\n"
                        "max_rule_score = 50\nbuiltin_rules = false\n",
                        "t.toml");
  ASSERT_TRUE(c) << c.error().what;
  EXPECT_EQ(c->yara.rule_dirs, std::vector<std::string>{"/etc/sluice/yara"});
  EXPECT_EQ(c->yara.timeout_seconds, 2u);
  EXPECT_EQ(c->yara.max_rule_score, 50);
  EXPECT_FALSE(c->yara.builtin_rules);
  EXPECT_EQ(c->yara.max_scan_bytes, base->yara.max_scan_bytes) << "unnamed keys keep defaults";
  for (const char* bad : {"[yara]\nrule_dir = []\n", "[yara]\nrule_dirs = \"x\"\n",
                          "[yara]\ntimeout_seconds = -1\n", "[yara]\ntimeout_seconds = 0\n",
                          "[yara]\nenabled = 1\n", "[yara]\nmax_rule_score = -5\n"}) {
    EXPECT_FALSE(apply_config(*base, bad, "t.toml")) << bad;
  }
}

}  // namespace
}  // namespace sluice
