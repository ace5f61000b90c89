#include "training/trainer.hpp"

#include <random>
#include <string>

#include <gtest/gtest.h>

#include "model/model.hpp"

namespace sluice::training {
namespace {

const model::FeatureSpace& space() {
  static const model::FeatureSpace s = model::FeatureSpace::from_catalog("\n### `a.one`\n\n### `b.two`\n");
  return s;
}

// Malicious when feature 16 (an executable in a disk image) is set, with noise.
std::vector<Sample> samples(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Sample> out;
  for (std::size_t i = 0; i < n; ++i) {
    Sample s;
    s.x.assign(space().size(), 0.0f);
    for (float& v : s.x) v = static_cast<float>(rng() % 7 == 0 ? rng() % 3 : 0);
    s.malicious = i % 5 == 0;
    s.x[16] = s.malicious ? 1.0f + static_cast<float>(rng() % 2) : (rng() % 40 == 0 ? 1.0f : 0.0f);
    s.technique = s.malicious ? (i % 2 == 0 ? "iso" : "img") : "";
    s.source = "sample" + std::to_string(i);
    out.push_back(std::move(s));
  }
  return out;
}

// Cross-validation then the final model, as `sluice model train` runs them.
std::string trained(const std::vector<Sample>& data, const TrainOptions& o) {
  auto cv = cross_validate(data, space().size(), o);
  EXPECT_TRUE(cv) << cv.error().what;
  if (!cv) return {};
  auto doc = train_document(data, space(), o, *cv);
  EXPECT_TRUE(doc) << doc.error().what;
  return doc ? *doc : std::string();
}

TEST(Trainer, TheSameSamplesAndSeedGiveTheSameModelBytes) {
  const auto data = samples(300, 3);
  TrainOptions o;
  o.boost.rounds = 30;
  o.boost.seed = 11;
  auto cv = cross_validate(data, space().size(), o);
  ASSERT_TRUE(cv) << cv.error().what;
  EXPECT_EQ(cv->folds.size(), 5u);
  EXPECT_GT(cv->pooled.roc_auc, 0.95);
  auto a = train_document(data, space(), o, *cv);
  auto b = train_document(data, space(), o, *cv);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  o.boost.seed = 12;
  auto cv2 = cross_validate(data, space().size(), o);
  ASSERT_TRUE(cv2);
  // What the header records, and the document loads as scans load it.
  auto m = model::Model::load(*a, space());
  ASSERT_TRUE(m) << m.error().what;
  EXPECT_NE(m->header().training_json.find("\"seed\":11"), std::string::npos) << m->header().training_json;
  EXPECT_NE(m->header().metrics_json.find("roc_auc"), std::string::npos);
}

// The scan-time trees (model/forest.cpp) against XGBoost itself: the same
// probabilities, and SHAP values plus bias equal to the margin.
TEST(Trainer, ScanTimeScoresEqualXGBoostsOwn) {
  const auto data = samples(200, 5);
  TrainOptions o;
  o.boost.rounds = 40;
  const std::string doc = trained(data, o);
  auto ours = model::Model::load(doc, space());
  ASSERT_TRUE(ours) << ours.error().what;
  auto theirs = Booster::load(doc);
  ASSERT_TRUE(theirs) << theirs.error().what;
  auto p = predict(*theirs, data, space().size());
  ASSERT_TRUE(p);
  for (std::size_t i = 0; i < data.size(); ++i) {
    EXPECT_NEAR(ours->probability(data[i].x), (*p)[i], 1e-5) << i;
    const model::Explanation e = ours->explain(data[i].x, space().size());
    double sum = e.bias;
    for (const auto& c : e.top) sum += c.value;
    EXPECT_NEAR(sum, e.margin, 1e-6) << i;
  }
}

// Every Tree SHAP value, feature by feature, against XGBoost's pred_contribs,
// for shallow and deep trees and continuous features.
TEST(Trainer, ScanTimeContributionsEqualXGBoostsPredContribs) {
  for (const std::uint32_t depth : {1u, 3u, 6u}) {
    auto data = samples(240, 9 + depth);
    std::mt19937 rng(depth);
    for (auto& s : data) s.x[3] = static_cast<float>(rng() % 1000) / 37.0f + (s.malicious ? 3.0f : 0.0f);
    TrainOptions o;
    o.boost.rounds = 60;
    o.boost.max_depth = depth;
    const std::string doc = trained(data, o);
    auto ours = model::Model::load(doc, space());
    ASSERT_TRUE(ours) << ours.error().what;
    auto theirs = Booster::load(doc);
    ASSERT_TRUE(theirs);
    std::vector<float> rows;
    for (const auto& s : data) rows.insert(rows.end(), s.x.begin(), s.x.end());
    auto m = Matrix::dense(rows, space().size(), {});
    ASSERT_TRUE(m);
    auto margins = theirs->margins(*m);
    auto contribs = theirs->contributions(*m);
    ASSERT_TRUE(margins && contribs);
    const std::size_t w = space().size() + 1;
    ASSERT_EQ(contribs->size(), data.size() * w);
    std::vector<double> phi(w);
    for (std::size_t i = 0; i < data.size(); ++i) {
      EXPECT_NEAR(ours->forest().margin(data[i].x), (*margins)[i], 1e-4) << "depth " << depth << " row " << i;
      ours->forest().contributions(data[i].x, phi);
      for (std::size_t k = 0; k < w; ++k) {
        ASSERT_NEAR(phi[k], (*contribs)[i * w + k], 1e-4) << "depth " << depth << " row " << i << " feature " << k;
      }
    }
  }
}

TEST(Trainer, UnsoundSetsAreRefusedWithAReason) {
  auto data = samples(100, 7);
  for (auto& s : data) s.malicious = false;
  auto st = check_trainable(data, 5);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().what.find("both classes"), std::string::npos);
  data[0].malicious = data[5].malicious = true;
  st = check_trainable(data, 5);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().what.find("at least 10"), std::string::npos) << st.error().what;
  EXPECT_FALSE(cross_validate(data, space().size(), TrainOptions{}));
}

}  // namespace
}  // namespace sluice::training
