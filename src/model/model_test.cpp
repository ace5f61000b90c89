#include "model/model.hpp"

#include <string>

#include <gtest/gtest.h>

#include "sluice/engine.hpp"

namespace sluice::model {
namespace {

// A one-tree XGBoost 1.7 document by hand: split on feature 0 at 0.5; left
// leaf -1, right leaf +2; covers 3 and 1.
std::string document(const FeatureSpace& s, std::string_view version_override = {}) {
  std::string names;
  for (const FeatureInfo& f : s.features()) names += (names.empty() ? "\"" : ",\"") + f.name + "\"";
  const std::string version = version_override.empty() ? s.version() : std::string(version_override);
  return R"({"sluice":{"format":1,"feature_version":")" + version + R"(","features":[)" + names +
         R"(],"threshold":0.5,"training":{"malicious":1},"metrics":{"roc_auc":1}},)"
         R"("learner":{"attributes":{},"feature_names":[],"feature_types":[],)"
         R"("gradient_booster":{"model":{"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"1"},)"
         R"("tree_info":[0],"trees":[{"base_weights":[0,-1,2],"categories":[],"categories_nodes":[],)"
         R"("categories_segments":[],"categories_sizes":[],"default_left":[0,0,0],"id":0,)"
         R"("left_children":[1,-1,-1],"loss_changes":[1,0,0],"parents":[2147483647,0,0],)"
         R"("right_children":[2,-1,-1],"split_conditions":[0.5,-1,2],"split_indices":[0,0,0],)"
         R"("split_type":[0,0,0],"sum_hessian":[4,3,1],"tree_param":{"num_deleted":"0","num_feature":")" +
         std::to_string(s.size()) + R"(","num_nodes":"3","size_leaf_vector":"0"}}]},"name":"gbtree"},)"
         R"("learner_model_param":{"base_score":"5E-1","boost_from_average":"1","num_class":"0","num_feature":")" +
         std::to_string(s.size()) + R"(","num_target":"1"},"objective":{"name":"binary:logistic",)"
         R"("reg_loss_param":{"scale_pos_weight":"1"}}},"version":[1,7,4]})";
}

const FeatureSpace& space() {
  static const FeatureSpace s = FeatureSpace::from_catalog("\n### `a.one`\n\n### `b.two`\n");
  return s;
}

TEST(Model, LoadsScoresAndExplainsExactly) {
  auto m = Model::load(document(space()), space());
  ASSERT_TRUE(m) << m.error().what;
  EXPECT_EQ(m->header().threshold, 0.5);
  std::vector<float> x(space().size(), 0.0f);
  EXPECT_NEAR(m->probability(x), sigmoid(-1), 1e-9);
  x[0] = 1;
  const Explanation e = m->explain(x, 3);
  EXPECT_NEAR(e.margin, 2, 1e-9);
  EXPECT_NEAR(e.probability, sigmoid(2), 1e-9);
  // The bias is the cover-weighted mean leaf: (3·-1 + 1·2) / 4.
  EXPECT_NEAR(e.bias, -0.25, 1e-9);
  ASSERT_EQ(e.top.size(), 1u);
  EXPECT_EQ(e.top[0].feature, 0u);
  EXPECT_NEAR(e.top[0].value, 2.25, 1e-9);
}

TEST(Model, AMismatchedOrBrokenHeaderIsAClearError) {
  const FeatureSpace other = FeatureSpace::from_catalog("\n### `a.one`\n");
  auto m = Model::load(document(other), space());
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().what.find("retrain"), std::string::npos) << m.error().what;
  auto forged = Model::load(document(space(), "f1-0123456789abcdef"), space());
  ASSERT_FALSE(forged);
  EXPECT_NE(forged.error().what.find("feature list"), std::string::npos);
  const std::string good = document(space());
  for (const std::string& bad : {good.substr(0, good.size() / 2), std::string("[]"), std::string("{}"),
                                 std::string(R"({"sluice":{"format":2}})"),
                                 std::string(R"({"sluice":{"format":1,"feature_version":7}})")}) {
    auto r = Model::load(bad, space());
    EXPECT_FALSE(r) << bad.substr(0, 60);
  }
}

TEST(Model, TheShippedModelFitsThisBinary) {
  auto m = Model::load(builtin_model_document(), FeatureSpace::builtin());
  ASSERT_TRUE(m) << m.error().what << " (data/model/make_model.sh rebuilds it)";
  EXPECT_GT(m->forest().num_trees(), 10u);
}

}  // namespace
}  // namespace sluice::model
