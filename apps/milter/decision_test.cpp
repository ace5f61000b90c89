#include "decision.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "test_support.hpp"

namespace sluice::milter {
namespace {

ScanOutcome scanned(const std::string& fixture, const Limits* limits = nullptr) {
  const Engine e = limits ? testing::engine_with(*limits) : testing::default_engine();
  auto bytes = testing::read_file(testing::fixture(fixture));
  return {ScanStatus::done, std::make_shared<const ScanResult>(e.scan(std::move(bytes), fixture))};
}

TEST(MilterDecision, VerdictsMapToTheirActions) {
  MilterSettings m;
  m.on_suspicious = Action::quarantine;
  const Decision bad = decide(m, scanned("campaigns/vhd.eml"), "00ff");
  EXPECT_EQ(bad.verdict, Outcome::malicious);
  EXPECT_EQ(bad.action, Action::reject);
  ASSERT_FALSE(bad.findings.empty());
  EXPECT_EQ(bad.findings.front(), "container.executable_in_image");
  EXPECT_EQ(render_text(m.reject_text, bad), "Rejected by Sluice: malicious attachment (scan 00ff)");

  const Decision lure = decide(m, scanned("mail/text/html_lure.eml"), "01");
  EXPECT_EQ(lure.verdict, Outcome::suspicious);
  EXPECT_EQ(lure.action, Action::quarantine);
  EXPECT_EQ(verdict_header(lure), "suspicious score=" + std::to_string(std::llround(lure.score)));

  const Decision ok = decide(m, scanned("campaigns/benign_zip_docs.eml"), "02");
  EXPECT_EQ(ok.verdict, Outcome::clean);
  EXPECT_EQ(ok.action, Action::tag);
}

TEST(MilterDecision, FindingsAreUniqueAndCapped) {
  MilterSettings m;
  m.header_findings = 2;
  const Decision d = decide(m, scanned("campaigns/lnk_hidden_dll.eml"), "03");
  ASSERT_EQ(d.findings.size(), 2u);
  EXPECT_NE(d.findings[0], d.findings[1]);
  EXPECT_EQ(findings_header(d), d.findings[0] + ", " + d.findings[1]);
}

TEST(MilterDecision, BusyTimeoutAndDeadlineAreNotVerdicts) {
  MilterSettings m;
  m.on_busy = Action::accept;
  m.on_error = Action::quarantine;
  const Decision busy = decide(m, {ScanStatus::busy, nullptr}, "04");
  EXPECT_EQ(busy.verdict, Outcome::unscanned);
  EXPECT_EQ(busy.action, Action::accept);
  EXPECT_EQ(verdict_header(busy), "unscanned reason=busy");

  const Decision late = decide(m, {ScanStatus::timeout, nullptr}, "05");
  EXPECT_EQ(late.verdict, Outcome::error);
  EXPECT_EQ(late.action, Action::quarantine);
  EXPECT_EQ(late.reason, "timeout");

  // The engine stopping at its own deadline has not seen everything: an error.
  ScanResult cut;
  cut.verdict = Verdict::suspicious;
  cut.tree.limits_hit.push_back(LimitHit{LimitKind::deadline, 0, 5, "stopped"});
  const Decision d = decide(m, {ScanStatus::done, std::make_shared<const ScanResult>(std::move(cut))}, "06");
  EXPECT_EQ(d.verdict, Outcome::error);
  EXPECT_EQ(d.reason, "deadline");

  // Any other limit is a verdict (the policy's floors keep it from clean).
  ScanResult bomb;
  bomb.verdict = Verdict::suspicious;
  bomb.tree.limits_hit.push_back(LimitHit{LimitKind::ratio, 0, 500, "bomb"});
  EXPECT_EQ(decide(m, {ScanStatus::done, std::make_shared<const ScanResult>(std::move(bomb))}, "07").verdict, Outcome::suspicious);
}

TEST(MilterDecision, TextsAreSafeForLibmilter) {
  Decision d;
  d.verdict = Outcome::malicious;
  d.score = 99.6;
  d.scan_id = "abc";
  // libmilter formats the reply text: a '%' must reach it doubled.
  EXPECT_EQ(render_text("100% {verdict} {score} {scan_id} {findings}", d), "100%% malicious 100 abc none");
  const std::string id = new_scan_id();
  EXPECT_EQ(id.size(), 16u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(id, new_scan_id());
}

}  // namespace
}  // namespace sluice::milter
