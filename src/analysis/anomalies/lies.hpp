#pragma once
#include <set>
#include <string>

#include "analysis/detector.hpp"

namespace sluice::analysis::anomalies {

// container.lie_with_executable: an artifact carrying one of the policy's
// `lies` with an executable in or under it (or being one).
class LieDetector final : public Detector {
 public:
  explicit LieDetector(std::set<std::string, std::less<>> lies);
  std::string_view name() const noexcept override { return "lies"; }
  void inspect(const ArtifactTree& tree, FindingSink& sink) const override;

 private:
  static ArtifactId first_executable(const ArtifactTree& tree, const Artifact& a);
  std::set<std::string, std::less<>> lies_;
};

}  // namespace sluice::analysis::anomalies
