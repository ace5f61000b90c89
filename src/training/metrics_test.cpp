#include "training/metrics.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace sluice::training {
namespace {

TEST(Metrics, RocAucIsTheChanceAMaliciousSampleOutscoresABenignOne) {
  const std::vector<float> y{1, 1, 0, 0};
  EXPECT_DOUBLE_EQ(measure(std::vector<float>{0.9f, 0.8f, 0.2f, 0.1f}, y, {}, 0.5).roc_auc, 1.0);
  EXPECT_DOUBLE_EQ(measure(std::vector<float>{0.1f, 0.2f, 0.8f, 0.9f}, y, {}, 0.5).roc_auc, 0.0);
  EXPECT_DOUBLE_EQ(measure(std::vector<float>{0.5f, 0.5f, 0.5f, 0.5f}, y, {}, 0.5).roc_auc, 0.5);
  // One of four pairs inverted.
  EXPECT_DOUBLE_EQ(measure(std::vector<float>{0.9f, 0.3f, 0.4f, 0.1f}, y, {}, 0.5).roc_auc, 0.75);
}

TEST(Metrics, AveragePrecisionAndTheConfusionAtTheThreshold) {
  const std::vector<float> y{1, 0, 1, 0};
  const std::vector<std::string> t{"iso", "", "vhd", ""};
  const Metrics m = measure(std::vector<float>{0.9f, 0.8f, 0.3f, 0.1f}, y, t, 0.5);
  // Ranks: TP (P=1), FP, TP (P=2/3): AP = ½·1 + ½·⅔.
  EXPECT_NEAR(m.pr_auc, 0.5 + 1.0 / 3.0, 1e-12);
  EXPECT_EQ(m.confusion.true_positive, 1u);
  EXPECT_EQ(m.confusion.false_positive, 1u);
  EXPECT_EQ(m.confusion.true_negative, 1u);
  EXPECT_EQ(m.confusion.false_negative, 1u);
  EXPECT_DOUBLE_EQ(m.precision, 0.5);
  EXPECT_DOUBLE_EQ(m.recall, 0.5);
  EXPECT_DOUBLE_EQ(m.false_positive_rate, 0.5);
  EXPECT_EQ(m.by_technique.at("iso"), std::make_pair(std::uint64_t{1}, std::uint64_t{1}));
  EXPECT_EQ(m.by_technique.at("vhd"), std::make_pair(std::uint64_t{0}, std::uint64_t{1}));
  const std::string json = to_json(m);
  for (const char* key : {"\"roc_auc\"", "\"pr_auc\"", "\"precision\"", "\"recall\"", "\"false_positive_rate\"",
                          "\"confusion\""}) {
    EXPECT_NE(json.find(key), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace sluice::training
