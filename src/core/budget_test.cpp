#include <gtest/gtest.h>

#include "core/budget.hpp"

namespace sluice::core {
namespace {

Limits small() {
  Limits l;
  l.max_artifact_bytes = 1000;
  l.max_total_bytes = 2500;
  l.max_ratio = 10;
  l.ratio_floor_bytes = 50;
  l.max_artifacts = 2;
  return l;
}

TEST(Budget, AllowanceNamesTheLimitThatBinds) {
  const Limits l = small();
  Budget b(l, Budget::Clock::now());
  auto a = b.decode_allowance(500);  // ratio allows 5000: artifact limit binds
  EXPECT_EQ(a.bytes, 1000u);
  EXPECT_EQ(a.binding, LimitKind::artifact_bytes);
  a = b.decode_allowance(20);  // ratio allows 200
  EXPECT_EQ(a.bytes, 200u);
  EXPECT_EQ(a.binding, LimitKind::ratio);
  a = b.decode_allowance(1);  // ratio would allow 10, but the floor is 50
  EXPECT_EQ(a.bytes, 50u);
}

// A nested bomb passes max_ratio at every level; the message as a whole
// may not expand past max_scan_ratio times its size (after its floor).
TEST(Budget, TheWholeScanIsHeldToItsOwnRatio) {
  Limits l = small();
  l.max_total_bytes = 1u << 30;
  l.max_artifact_bytes = 1u << 30;
  l.max_scan_ratio = 4;
  l.scan_ratio_floor_bytes = 300;
  Budget b(l, Budget::Clock::now());
  EXPECT_EQ(b.decode_allowance(500).bytes, 5000u) << "no input size: the scan ratio is not applied";
  b.set_input_bytes(100);  // 4 x 100 = 400 > the floor of 300: 400 for the whole scan
  auto a = b.decode_allowance(500);
  EXPECT_EQ(a.bytes, 400u);
  EXPECT_EQ(a.binding, LimitKind::scan_ratio);
  b.charge_decoded(350);
  EXPECT_EQ(b.decode_allowance(500).bytes, 50u);
  b.charge_decoded(100);  // over: no underflow
  EXPECT_EQ(b.decode_allowance(500).bytes, 0u);
  Budget tiny(l, Budget::Clock::now());
  tiny.set_input_bytes(10);  // 4 x 10 = 40: the floor (300) applies
  EXPECT_EQ(tiny.decode_allowance(500).bytes, 300u);
}

TEST(Budget, DecodedBytesAreSharedAcrossTheScan) {
  const Limits l = small();
  Budget b(l, Budget::Clock::now());
  b.charge_decoded(2000);
  auto a = b.decode_allowance(500);
  EXPECT_EQ(a.bytes, 500u);
  EXPECT_EQ(a.binding, LimitKind::total_bytes);
  b.charge_decoded(900);  // over: no underflow, zero left
  EXPECT_EQ(b.decode_allowance(500).bytes, 0u);
}

TEST(Budget, HugeEncodedSizeDoesNotOverflowTheRatio) {
  Limits l = small();
  l.max_ratio = 1000;
  Budget b(l, Budget::Clock::now());
  EXPECT_EQ(b.decode_allowance(UINT64_MAX / 2).bytes, 1000u);
}

TEST(Budget, ArtifactCountAndDeadline) {
  Limits l = small();
  l.deadline_ms = 0;
  Budget b(l, Budget::Clock::now());
  EXPECT_TRUE(b.take_artifact());
  EXPECT_TRUE(b.take_artifact());
  EXPECT_FALSE(b.take_artifact());
  EXPECT_TRUE(b.expired());
  Limits later = small();
  later.deadline_ms = 60'000;
  EXPECT_FALSE(Budget(later, Budget::Clock::now()).expired());
}

}  // namespace
}  // namespace sluice::core
