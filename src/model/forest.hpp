#pragma once
// The trees of an XGBoost binary:logistic model, evaluated by Sluice itself at
// scan time (ADR 0025): a margin is one walk down each tree, and the
// contributions are the exact Tree SHAP values XGBoost's pred_contribs gives
// (Lundberg et al. 2018, Algorithm 2), computed the same way. XGBoost is the
// oracle in the tests, never a dependency of a scan.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "sluice/result.hpp"

namespace sluice::model {

class Forest {
 public:
  // `json_text`: a whole XGBoost 1.7 JSON model document (extra top-level
  // members are ignored). Anything but a binary:logistic gbtree with
  // numerical splits on features below `num_features`, shaped as trees no
  // deeper than kMaxDepth, is an error: the file is the user's, not ours.
  [[nodiscard]] static Result<Forest> from_xgboost_json(std::string_view json_text, std::size_t num_features);

  static constexpr std::uint32_t kMaxDepth = 64;

  // Log-odds, the base score's included.
  [[nodiscard]] double margin(std::span<const float> features) const;
  // out.size() == num_features() + 1; out[i] feature i's contribution, the
  // last the bias (expected margin). They sum to margin(features).
  void contributions(std::span<const float> features, std::span<double> out) const;

  [[nodiscard]] std::size_t num_features() const noexcept { return num_features_; }
  [[nodiscard]] std::size_t num_trees() const noexcept { return trees_.size(); }

  struct Node {
    std::int32_t left = -1, right = -1;  // -1: a leaf
    std::uint32_t feature = 0;
    float split = 0;  // the condition; a leaf's value
    bool default_left = false;
    double cover = 0;  // sum of hessians: the weight Tree SHAP splits by
  };
  struct Tree {
    std::vector<Node> nodes;
    std::vector<double> mean;  // cover-weighted mean leaf value below each node
    std::uint32_t depth = 0;
  };

 private:
  std::vector<Tree> trees_;
  std::size_t num_features_ = 0;
  double base_margin_ = 0;
  std::uint32_t max_depth_ = 0;
};

}  // namespace sluice::model
