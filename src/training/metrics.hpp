#pragma once
// How well probabilities separate two classes: the figures `sluice model
// train` prints for each fold and `sluice model eval` prints for a test set.
#include <cstdint>
#include <map>
#include <span>
#include <string>

namespace sluice::training {

struct Confusion {
  std::uint64_t true_positive = 0, false_positive = 0, true_negative = 0, false_negative = 0;
};

struct Metrics {
  double roc_auc = 0;
  double pr_auc = 0;  // average precision
  double precision = 0, recall = 0, false_positive_rate = 0;
  double threshold = 0.5;
  Confusion confusion;
  // technique → {caught, of}; only for malicious samples whose label names one.
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> by_technique;
};

// `labels` 1 malicious, 0 benign; `techniques` parallel to them (may be empty strings).
[[nodiscard]] Metrics measure(std::span<const float> probabilities, std::span<const float> labels,
                              std::span<const std::string> techniques, double threshold);

[[nodiscard]] std::string to_json(const Metrics& m);  // one JSON object, keys as docs/model.md lists them
[[nodiscard]] std::string to_text(const Metrics& m);

}  // namespace sluice::training
