// The scan-time trees against XGBoost itself: real models trained through its
// C API, saved as the JSON a model file carries, must give XGBoost's margins
// and pred_contribs values, and broken documents must be refused.
#include "model/forest.hpp"

#include <gtest/gtest.h>
#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace sluice::model {
namespace {

using Json = nlohmann::json;

struct MatrixFree {
  void operator()(void* h) const noexcept { XGDMatrixFree(h); }
};
struct BoosterFree {
  void operator()(void* h) const noexcept { XGBoosterFree(h); }
};
using MatrixPtr = std::unique_ptr<void, MatrixFree>;
using BoosterPtr = std::unique_ptr<void, BoosterFree>;

bool ok(int rc) {
  if (rc != 0) ADD_FAILURE() << "XGBoost: " << XGBGetLastError();
  return rc == 0;
}

struct Data {
  std::size_t rows = 0, cols = 0;
  std::vector<float> x;  // row-major
  std::vector<float> y;
  [[nodiscard]] std::span<const float> row(std::size_t i) const { return {x.data() + i * cols, cols}; }
};

// Like a message's vector: mostly zero small counts, the last quarter
// continuous. The label leans on a few of both (and on their interaction),
// with noise, so deep trees split on a feature again below itself.
Data make_data(std::size_t rows, std::size_t cols, std::uint32_t seed, double missing = 0) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> unit(0, 1);
  std::normal_distribution<float> normal(0, 2);
  Data d{rows, cols, std::vector<float>(rows * cols), std::vector<float>(rows)};
  const std::size_t continuous = cols - cols / 4;
  for (std::size_t i = 0; i < rows; ++i) {
    float* r = d.x.data() + i * cols;
    for (std::size_t j = 0; j < cols; ++j) {
      r[j] = j >= continuous ? normal(rng) : (unit(rng) < 0.7f ? 0.0f : static_cast<float>(rng() % 4));
    }
    const double score = 1.2 * r[0] - 0.8 * r[1] + 0.6 * r[2] * r[3] + 0.7 * r[continuous] -
                         0.4 * std::fabs(r[continuous + 1]) - 1.0 + 1.5 * normal(rng) / 2;
    d.y[i] = score > 0 ? 1.0f : 0.0f;
    for (std::size_t j = 0; j < cols; ++j) {
      if (unit(rng) < missing) r[j] = NAN;
    }
  }
  return d;
}

struct Trained {
  BoosterPtr booster;
  MatrixPtr matrix;
  std::string json;
};

using Params = std::vector<std::pair<std::string, std::string>>;

Trained train(const Data& d, const Params& extra, int rounds) {
  Trained t;
  DMatrixHandle m = nullptr;
  // missing = NaN: zeros are values, as in Sluice's dense vectors.
  if (!ok(XGDMatrixCreateFromMat_omp(d.x.data(), d.rows, d.cols, NAN, &m, 1))) return t;
  t.matrix.reset(m);
  if (!ok(XGDMatrixSetFloatInfo(m, "label", d.y.data(), d.rows))) return t;
  BoosterHandle b = nullptr;
  if (!ok(XGBoosterCreate(&m, 1, &b))) return t;
  t.booster.reset(b);
  Params params{{"objective", "binary:logistic"}, {"nthread", "1"}, {"seed", "7"}, {"eta", "0.3"}};
  params.insert(params.end(), extra.begin(), extra.end());
  for (const auto& [k, v] : params) {
    if (!ok(XGBoosterSetParam(b, k.c_str(), v.c_str()))) return t;
  }
  for (int i = 0; i < rounds; ++i) {
    if (!ok(XGBoosterUpdateOneIter(b, i, m))) return t;
  }
  bst_ulong len = 0;
  const char* buf = nullptr;
  if (!ok(XGBoosterSaveModelToBuffer(b, R"({"format":"json"})", &len, &buf))) return t;
  t.json.assign(buf, len);
  return t;
}

// type 1: margins, 2: contributions (exact Tree SHAP).
std::vector<float> predict(const Trained& t, int type) {
  const std::string config = R"({"type":)" + std::to_string(type) +
                             R"(,"training":false,"iteration_begin":0,"iteration_end":0,"strict_shape":false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* out = nullptr;
  if (!ok(XGBoosterPredictFromDMatrix(t.booster.get(), t.matrix.get(), config.c_str(), &shape, &dim, &out))) return {};
  std::size_t n = 1;
  for (bst_ulong i = 0; i < dim; ++i) n *= shape[i];
  return {out, out + n};
}

bool close(double ours, double theirs) { return std::fabs(ours - theirs) <= 1e-4 * std::max(1.0, std::fabs(theirs)); }

// Our margin and every contribution against XGBoost's, row by row.
void expect_as_xgboost(const Data& d, const Params& params, int rounds, const std::string& what) {
  SCOPED_TRACE(what);
  const Trained t = train(d, params, rounds);
  ASSERT_FALSE(t.json.empty());
  const auto forest = Forest::from_xgboost_json(t.json, d.cols);
  ASSERT_TRUE(forest) << forest.error().what;
  EXPECT_EQ(forest->num_features(), d.cols);
  EXPECT_EQ(forest->num_trees(), static_cast<std::size_t>(rounds));
  const std::vector<float> margins = predict(t, 1), contribs = predict(t, 2);
  const std::size_t w = d.cols + 1;
  ASSERT_EQ(margins.size(), d.rows);
  ASSERT_EQ(contribs.size(), d.rows * w);
  std::vector<double> phi(w);
  std::size_t nonzero = 0;
  for (std::size_t i = 0; i < d.rows; ++i) {
    const double margin = forest->margin(d.row(i));
    ASSERT_TRUE(close(margin, margins[i])) << "row " << i << ": " << margin << " vs " << margins[i];
    forest->contributions(d.row(i), phi);
    double sum = 0;
    for (std::size_t k = 0; k < w; ++k) {
      ASSERT_TRUE(close(phi[k], contribs[i * w + k]))
          << "row " << i << " feature " << k << ": " << phi[k] << " vs " << contribs[i * w + k];
      sum += phi[k];
      nonzero += phi[k] != 0 ? 1 : 0;
    }
    ASSERT_NEAR(sum, margin, 1e-9 * std::max(1.0, std::fabs(margin))) << "row " << i;
  }
  EXPECT_GT(nonzero, d.rows * 2) << "the contributions were never tested";
}

TEST(Forest, EqualsXGBoostAtDepthsOneThreeAndSix) {
  const std::vector<std::pair<int, int>> shapes{{1, 150}, {3, 100}, {6, 50}};
  for (const auto& [depth, rounds] : shapes) {
    const Data d = make_data(400, 40, 10 + static_cast<std::uint32_t>(depth));
    expect_as_xgboost(d, {{"max_depth", std::to_string(depth)}, {"tree_method", "exact"}}, rounds,
                      "exact, depth " + std::to_string(depth));
  }
}

TEST(Forest, EqualsXGBoostForHistogramTreesWithSampling) {
  const Data d = make_data(500, 60, 21);
  expect_as_xgboost(d,
                    {{"max_depth", "5"},
                     {"tree_method", "hist"},
                     {"subsample", "0.8"},
                     {"colsample_bytree", "0.7"},
                     {"min_child_weight", "0.5"}},
                    80, "hist");
}

TEST(Forest, EqualsXGBoostWithABaseScoreOtherThanOneHalf) {
  const Data d = make_data(300, 20, 31);
  const Trained t = train(d, {{"max_depth", "3"}, {"base_score", "0.2"}}, 5);
  ASSERT_NE(t.json.find(R"("base_score":"2E-1")"), std::string::npos) << "1.7 writes the base score as a string";
  expect_as_xgboost(d, {{"max_depth", "3"}, {"base_score", "0.2"}}, 60, "base_score 0.2");
}

// The exact method prunes with gamma after growing: the deleted nodes stay
// in the arrays, unreachable from the root.
TEST(Forest, EqualsXGBoostForPrunedTreesWithDeletedNodes) {
  const Data d = make_data(600, 30, 41);
  const Params p{{"max_depth", "6"}, {"tree_method", "exact"}, {"gamma", "1.5"}};
  const Trained t = train(d, p, 40);
  const Json doc = Json::parse(t.json);
  std::size_t deleted = 0;
  for (const Json& tree : doc["learner"]["gradient_booster"]["model"]["trees"]) {
    deleted += std::stoul(tree["tree_param"]["num_deleted"].get<std::string>());
  }
  ASSERT_GT(deleted, 0u) << "gamma pruned nothing; the test would not test deleted nodes";
  expect_as_xgboost(d, p, 40, "pruned");
}

// Not something Sluice's vectors have, but a NaN is XGBoost's missing value
// and must take each split's learned default branch.
TEST(Forest, EqualsXGBoostWhenValuesAreMissing) {
  const Data d = make_data(400, 24, 51, /*missing=*/0.1);
  expect_as_xgboost(d, {{"max_depth", "4"}, {"tree_method", "exact"}}, 50, "missing values");
}

// Hand-made documents, for values known without XGBoost and shapes it never writes.
Json tree_json(std::vector<int> left, std::vector<int> right, std::vector<int> feature, std::vector<double> cond,
               std::vector<double> cover) {
  const std::size_t n = left.size();
  return Json{{"left_children", left},          {"right_children", right},
              {"split_indices", feature},       {"split_conditions", cond},
              {"default_left", std::vector<int>(n, 1)}, {"sum_hessian", cover},
              {"base_weights", std::vector<double>(n, 0.0)}, {"split_type", std::vector<int>(n, 0)}};
}

Json document(Json trees, std::string base_score = "5E-1") {
  const std::vector<int> info(trees.size(), 0);
  return Json{{"learner",
               {{"learner_model_param", {{"base_score", base_score}, {"num_class", "0"}}},
                {"objective", {{"name", "binary:logistic"}}},
                {"gradient_booster", {{"name", "gbtree"}, {"model", {{"trees", trees}, {"tree_info", info}}}}}}},
              {"version", {1, 7, 4}}};
}

TEST(Forest, AStumpHasTheTextbookValues) {
  // x1 < 0.5 → -1 (cover 3), else 2 (cover 1): expected value -0.25.
  const Json doc = document(Json::array({tree_json({1, -1, -1}, {2, -1, -1}, {1, 0, 0}, {0.5, -1, 2}, {4, 3, 1})}),
                            "2E-1");
  const auto f = Forest::from_xgboost_json(doc.dump(), 3);
  ASSERT_TRUE(f) << f.error().what;
  EXPECT_EQ(f->num_trees(), 1u);
  const double base = std::log(0.2 / 0.8);
  std::vector<double> phi(4);
  const std::vector<float> low{7, 0, 7}, high{0, 1, 0}, nan{0, NAN, 0};
  EXPECT_NEAR(f->margin(low), base - 1, 1e-12);
  f->contributions(low, phi);
  EXPECT_EQ(phi, (std::vector<double>{0, -0.75, 0, base - 0.25}));
  EXPECT_NEAR(f->margin(high), base + 2, 1e-12);
  f->contributions(high, phi);
  EXPECT_EQ(phi, (std::vector<double>{0, 2.25, 0, base - 0.25}));
  EXPECT_NEAR(f->margin(nan), base - 1, 1e-12) << "NaN is missing: the default (left) branch";
  // A wrongly sized output is zeroed, never written past.
  std::vector<double> short_out(2, 9.0);
  f->contributions(low, short_out);
  EXPECT_EQ(short_out, (std::vector<double>{0, 0}));
}

TEST(Forest, ExtraTopLevelMembersAreIgnored) {
  const Data d = make_data(200, 10, 61);
  const Trained t = train(d, {{"max_depth", "3"}}, 10);
  Json doc = Json::parse(t.json);
  doc["sluice"] = {{"format", 1}, {"features", {"a", "b"}}, {"threshold", 0.5}};
  const auto plain = Forest::from_xgboost_json(t.json, d.cols);
  const auto with_header = Forest::from_xgboost_json(doc.dump(), d.cols);
  ASSERT_TRUE(plain && with_header) << (with_header ? plain.error().what : with_header.error().what);
  EXPECT_EQ(with_header->num_trees(), 10u);
  EXPECT_EQ(with_header->margin(d.row(3)), plain->margin(d.row(3)));
}

// A chain of `depth` splits on alternating features: split i goes left to a
// leaf and right to split i + 1; the last right child is a leaf worth -1.
Json chain(int depth) {
  const auto n = static_cast<std::size_t>(2 * depth + 1);
  std::vector<int> l(n, -1), r(n, -1), f(n, 0);
  std::vector<double> c(n, 0), h(n, 1);
  for (int i = 0; i < depth; ++i) {
    const auto at = static_cast<std::size_t>(i == 0 ? 0 : 2 * i);
    l[at] = 2 * i + 1;
    r[at] = 2 * i + 2;
    f[at] = i % 2;
    c[at] = 0.5 + i;
    h[at] = depth + 1.0 - i;
    c[static_cast<std::size_t>(2 * i + 1)] = 0.01 * (i + 1);
  }
  c[n - 1] = -1;
  return tree_json(l, r, f, c, h);
}

TEST(Forest, TreesUpTo64DeepLoadDeeperAreRefused) {
  const auto deep = Forest::from_xgboost_json(document(Json::array({chain(64)})).dump(), 2);
  ASSERT_TRUE(deep) << deep.error().what;
  const std::vector<float> x{100, 100};
  std::vector<double> phi(3);
  deep->contributions(x, phi);
  EXPECT_NEAR(phi[0] + phi[1] + phi[2], deep->margin(x), 1e-9);
  EXPECT_NEAR(deep->margin(x), -1, 1e-9);
  const auto deeper = Forest::from_xgboost_json(document(Json::array({chain(65)})).dump(), 2);
  ASSERT_FALSE(deeper);
  EXPECT_NE(deeper.error().what.find("deeper"), std::string::npos) << deeper.error().what;
}

TEST(Forest, BrokenDocumentsAreRefused) {
  const Data d = make_data(300, 12, 71);
  const Trained t = train(d, {{"max_depth", "3"}}, 4);
  const Json good = Json::parse(t.json);
  ASSERT_TRUE(Forest::from_xgboost_json(good.dump(), d.cols));
  const Json& tree0 = good["learner"]["gradient_booster"]["model"]["trees"][0];
  // An internal node below the root, for the cycles.
  int inner = -1;
  for (std::size_t i = 1; i < tree0["left_children"].size() && inner < 0; ++i) {
    if (tree0["left_children"][i].get<int>() != -1) inner = static_cast<int>(i);
  }
  ASSERT_GT(inner, 0);
  const auto n = static_cast<int>(tree0["left_children"].size());

  using Edit = std::function<void(Json&)>;
  const auto at = [](const std::string& pointer, Json value) -> Edit {
    return [pointer, value](Json& j) { j[Json::json_pointer(pointer)] = value; };
  };
  const std::string first = "/learner/gradient_booster/model/trees/0", t0 = first + "/";
  const std::vector<std::pair<std::string, Edit>> cases{
      {"objective reg:squarederror", at("/learner/objective/name", "reg:squarederror")},
      {"objective missing", [](Json& j) { j["learner"].erase("objective"); }},
      {"booster dart", at("/learner/gradient_booster/name", "dart")},
      {"base_score a number", at("/learner/learner_model_param/base_score", 0.5)},
      {"base_score not a probability", at("/learner/learner_model_param/base_score", "1.5")},
      {"base_score not a number", at("/learner/learner_model_param/base_score", "half")},
      {"trees an object", at("/learner/gradient_booster/model/trees", Json::object())},
      {"no trees", at("/learner/gradient_booster/model/trees", Json::array())},
      {"a tree a string", at(first, "tree")},
      {"tree_info of another group", at("/learner/gradient_booster/model/tree_info/1", 1)},
      {"tree_info too short", [](Json& j) { j["learner"]["gradient_booster"]["model"]["tree_info"].erase(0); }},
      {"a child index a string", at(t0 + "left_children/0", "1")},
      {"a condition a string", at(t0 + "split_conditions/0", "0.5")},
      {"a condition beyond float", at(t0 + "split_conditions/0", 1e300)},
      {"sum_hessian an object", at(t0 + "sum_hessian", Json::object())},
      {"default_left a string", at(t0 + "default_left/0", "yes")},
      {"arrays of different lengths", [&](Json& j) { j[Json::json_pointer(t0 + "right_children")].push_back(-1); }},
      {"left_children missing", [&](Json& j) { j[Json::json_pointer(first)].erase("left_children"); }},
      {"a child out of range", at(t0 + "left_children/0", n)},
      {"a negative child", at(t0 + "right_children/0", -5)},
      {"a child beyond 32 bits", at(t0 + "left_children/0", 4294967295u)},
      {"one child only", at(t0 + "right_children/0", -1)},
      {"a split on feature num_features", at(t0 + "split_indices/0", d.cols)},
      {"a negative split feature", at(t0 + "split_indices/0", -1)},
      {"a cycle to the root", at(t0 + "left_children/" + std::to_string(inner), 0)},
      {"a node its own child", at(t0 + "right_children/" + std::to_string(inner), inner)},
      {"two parents", [&](Json& j) { j[Json::json_pointer(t0 + "right_children/0")] = tree0["left_children"][0]; }},
      {"a child with more cover than its parent", at(t0 + "sum_hessian/1", 1e9)},
      {"a split without cover", at(t0 + "sum_hessian/0", 0)},
      {"a categorical split", at(t0 + "split_type/0", 1)},
  };
  for (const auto& [what, edit] : cases) {
    Json doc = good;
    edit(doc);
    const auto f = Forest::from_xgboost_json(doc.dump(), d.cols);
    EXPECT_FALSE(f) << what;
    if (!f) {
      EXPECT_EQ(f.error().code, Errc::malformed) << what;
    }
  }
  for (const std::string& text : {std::string(), std::string("null"), std::string("[]"), std::string("{}"),
                                 t.json.substr(0, t.json.size() / 2), t.json.substr(0, t.json.size() - 1),
                                 std::string(t.json.size(), '[')}) {
    const auto f = Forest::from_xgboost_json(text, d.cols);
    EXPECT_FALSE(f) << text.substr(0, 40);
    if (!f) {
      EXPECT_EQ(f.error().code, Errc::malformed);
    }
  }
  // The same model is refused for vectors narrower than the features it splits on.
  EXPECT_FALSE(Forest::from_xgboost_json(t.json, 1));
}

TEST(Forest, ARealRegressionModelIsRefused) {
  const Data d = make_data(200, 8, 81);
  const Trained t = train(d, {{"objective", "reg:squarederror"}, {"max_depth", "2"}}, 3);
  ASSERT_NE(t.json.find("reg:squarederror"), std::string::npos);
  const auto f = Forest::from_xgboost_json(t.json, d.cols);
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().what.find("binary:logistic"), std::string::npos) << f.error().what;
}

}  // namespace
}  // namespace sluice::model
