#pragma once
// The model's view of a scanned message: one fixed-width vector of numbers
// computed from the finished artifact tree and the rules' findings
// (docs/features.md). Techniques only: no domains, names or hashes enter it,
// so a model learns what attackers do rather than who sent the training mail.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/engine.hpp"
#include "sluice/result.hpp"

namespace sluice::model {

struct FeatureInfo {
  std::string name;
  std::string meaning;
  std::string range;
};

// The feature list: built once per engine from the findings catalog compiled
// into the binary. Its version is a digest of every name in order, so a model
// trained on another list is refused rather than misread.
class FeatureSpace {
 public:
  [[nodiscard]] static FeatureSpace builtin();
  // For tests and tools that bring their own catalog text (docs/findings.md form).
  [[nodiscard]] static FeatureSpace from_catalog(std::string_view findings_md);

  [[nodiscard]] std::size_t size() const noexcept { return features_.size(); }
  [[nodiscard]] std::span<const FeatureInfo> features() const noexcept { return features_; }
  [[nodiscard]] const std::string& version() const noexcept { return version_; }

  // The vector for one scan: `findings` are the rules' findings (any model.*
  // finding is ignored, so a model never sees its own earlier output). Not
  // the rules' score or verdict: the model weighs the signals itself, and its
  // contributions then name techniques rather than "the rules said so".
  [[nodiscard]] std::vector<float> extract(const ArtifactTree& tree, std::span<const Finding> findings) const;
  [[nodiscard]] std::vector<float> extract(const ScanResult& r) const { return extract(r.tree, r.findings); }

 private:
  std::vector<FeatureInfo> features_;
  std::vector<std::string> finding_ids_;  // sorted; feature index = structural count + position
  std::size_t structural_ = 0;
  std::string version_;
};

// The finding IDs a docs/findings.md text declares ("### `id`" headings), in order.
[[nodiscard]] std::vector<std::string> catalog_ids(std::string_view findings_md);

}  // namespace sluice::model
