#pragma once
// Labelled feature vectors in, a Sluice model document out (docs/model.md):
// seeded, stratified k-fold cross-validation first, then the final model on
// everything, with the figures and the training set's description in its header.
#include <cstdint>
#include <string>
#include <vector>

#include "model/features.hpp"
#include "sluice/result.hpp"
#include "training/metrics.hpp"
#include "training/xgboost.hpp"

namespace sluice::training {

struct Sample {
  std::string source;  // the path (or mbox entry) it came from, for people
  std::vector<float> x;
  bool malicious = false;
  std::string technique;  // what the label names, when it names one
};

struct TrainOptions {
  std::uint32_t folds = 5;
  double threshold = 0.5;
  BoostParams boost;
  std::string description;  // where the samples came from, kept in the header
};

// Too few of a class (fewer than two per fold, at least five), or one class
// only: no model a site should trust can come of it.
[[nodiscard]] Status check_trainable(const std::vector<Sample>& samples, std::uint32_t folds);

struct CrossValidation {
  std::vector<Metrics> folds;
  Metrics pooled;  // every sample scored by the fold that did not see it
};
[[nodiscard]] Result<CrossValidation> cross_validate(const std::vector<Sample>& samples, std::size_t width,
                                                     const TrainOptions& options);

// The final model on every sample, as a complete model document.
[[nodiscard]] Result<std::string> train_document(const std::vector<Sample>& samples, const model::FeatureSpace& space,
                                                 const TrainOptions& options, const CrossValidation& cv);

// Probabilities of a loaded booster for `samples` (evaluation, tests).
[[nodiscard]] Result<std::vector<float>> predict(const Booster& booster, const std::vector<Sample>& samples,
                                                 std::size_t width);

}  // namespace sluice::training
