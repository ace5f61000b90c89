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

#include <nlohmann/json_fwd.hpp>

#include "sluice/result.hpp"

namespace sluice::model {

// One node as XGBoost's JSON model lists it (its arrays' i-th entries),
// type-checked but not yet checked as a tree.
struct SourceNode {
  std::int32_t left = -1, right = -1, feature = 0;
  float value = 0, cover = 0;
  bool default_left = false;
  friend bool operator==(const SourceNode&, const SourceNode&) = default;
};

// A forest as XGBoost describes it: what Forest::build checks and shapes.
// The model loader reads it from the JSON document or from the build's packed
// copy of the shipped model (model/packed.hpp); both go through build.
struct ForestSource {
  double base_score = 0;  // a probability
  std::vector<std::vector<SourceNode>> trees;
};

// A binary:logistic gbtree ensemble read from XGBoost's JSON model format.
class Forest {
 public:
  // The trees of an XGBoost 1.7 JSON model document, every field
  // type-checked (a binary:logistic gbtree of numerical splits, one output
  // group), not yet checked as trees.
  [[nodiscard]] static Result<ForestSource> read_xgboost_document(const nlohmann::json& doc);
  // Checks that every tree is a tree of numerical splits on features below
  // `num_features`, no deeper than kMaxDepth, with consistent covers.
  [[nodiscard]] static Result<Forest> build(const ForestSource& source, std::size_t num_features);
  // `json_text`: a whole XGBoost 1.7 JSON model document (extra top-level
  // members are ignored). Anything but a binary:logistic gbtree with
  // numerical splits on features below `num_features`, shaped as trees no
  // deeper than kMaxDepth, is an error: the file is the user's, not ours.
  [[nodiscard]] static Result<Forest> from_xgboost_json(std::string_view json_text, std::size_t num_features);
  // The same, from a document already parsed (the model loader reads its
  // header from it too: one parse at engine start, not two).
  [[nodiscard]] static Result<Forest> from_xgboost_document(const nlohmann::json& doc, std::size_t num_features);

  static constexpr std::uint32_t kMaxDepth = 64;

  // Log-odds, the base score's included. A NaN feature, or one past the end
  // of `features`, is missing and takes each split's default branch.
  [[nodiscard]] double margin(std::span<const float> features) const;
  // out.size() must be num_features() + 1 (otherwise out is only zeroed);
  // out[i] is feature i's contribution, the last the bias (expected margin).
  // They sum to margin(features).
  void contributions(std::span<const float> features, std::span<double> out) const;

  [[nodiscard]] std::size_t num_features() const noexcept { return num_features_; }
  [[nodiscard]] std::size_t num_trees() const noexcept { return roots_.size(); }

  // One node of the loaded trees; public only so that the loader's helpers
  // can build them.
  struct Node {
    std::int32_t left = -1;  // -1: a leaf; the right child is always left + 1
    std::uint32_t feature = 0;
    float value = 0;  // the split condition, or a leaf's value
    // This node's part of its parent's cover (sum of hessians): the fraction
    // of the training data that went this way, Tree SHAP's "zero fraction".
    float share = 0;
    bool default_left = false;
    friend bool operator==(const Node&, const Node&) = default;
  };

  // The same trees, node for node (the packed model's test).
  friend bool operator==(const Forest&, const Forest&) = default;

  // Trees of more splits than this are walked at every scan (forest.cpp).
  static constexpr std::size_t kMaxTabulatedSplits = 8;
  static constexpr std::size_t kMaxTabulatedPatterns = std::size_t{1} << 16;  // for the whole forest

 private:
  // A small tree's contributions for every pattern of its splits' decisions.
  struct Table {
    std::vector<std::uint32_t> splits;    // its split nodes; split k is the pattern's bit k
    std::vector<std::uint32_t> features;  // the features they split on, each once
    std::vector<double> phi;              // [pattern][feature]; empty: the tree is walked
    friend bool operator==(const Table&, const Table&) = default;
  };
  // Spends the tree's patterns from `pattern_budget`, or leaves it walked.
  void tabulate(std::uint32_t tree, std::size_t& pattern_budget);

  // Every tree's reachable nodes, renumbered at load so that each tree's
  // nodes are contiguous, a node's children sit side by side and after it.
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> roots_;
  std::size_t num_features_ = 0;
  double base_margin_ = 0;
  double bias_ = 0;  // base_margin_ plus each tree's cover-weighted mean leaf
  std::uint32_t max_depth_ = 0;
  std::vector<Table> tables_;  // one per tree
};

}  // namespace sluice::model
