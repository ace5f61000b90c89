// Unpackers record what they see as anomalies on artifacts; this detector turns
// each into a finding with the same stable ID, so the catalog in
// docs/findings.md is the one list of everything Sluice can say.
#include "analysis/anomalies/lies.hpp"
#include "analysis/detector.hpp"

namespace sluice::analysis::anomalies {
namespace {

class AnomalyDetector final : public Detector {
 public:
  std::string_view name() const noexcept override { return "anomalies"; }
  void inspect(const ArtifactTree& tree, FindingSink& sink) const override {
    for (const Artifact& a : tree) {
      for (const Anomaly& an : a.anomalies) {
        Evidence ev;
        if (an.offset != 0) ev.emplace_back("offset", std::to_string(an.offset));
        sink.add(an.id, an.severity, a.id, an.message, std::move(ev));
      }
    }
  }
};

}  // namespace

Status register_detector(Detectors& d, const Config& config) {
  d.push_back(std::make_unique<AnomalyDetector>());
  d.push_back(std::make_unique<LieDetector>(config.policy.lies));
  return {};
}

}  // namespace sluice::analysis::anomalies
