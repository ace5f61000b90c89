#pragma once
// The model's word on one message, as a finding beside the rules' findings.
#include <span>

#include "model/features.hpp"
#include "model/model.hpp"
#include "sluice/finding.hpp"
#include "sluice/policy.hpp"
#include "scoring/scorer.hpp"

namespace sluice::model {

// model.score on the root: the probability, the margin and the largest
// contributions as evidence ("chain.executable_in_disk_image=1" "+2.31"), with
// the weight ModelConfig's thresholds give that probability.
[[nodiscard]] Finding score_finding(const Model& model, const FeatureSpace& space, std::span<const float> x,
                                    const ModelConfig& config);

// When `with_model` is above both the rules' verdict and [model] max_verdict,
// cuts model.score's weight in `findings` so the score stays below the next
// threshold, notes it in the evidence, and returns true (score again).
bool cap_weight(std::vector<Finding>& findings, const scoring::Score& rules, const ModelConfig& config,
                const Policy& policy, const scoring::Score& with_model);

}  // namespace sluice::model
