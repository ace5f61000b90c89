#pragma once
// Judges the text of every artifact the script format read as script (the
// `script.language` fact: the language a script file is, or the one a
// decoded block inherits from where it came from) by the indicators in
// indicators.hpp: one finding per kind on that artifact.
#include "analysis/detector.hpp"

namespace sluice::analysis::scripts {

class IndicatorDetector final : public Detector {
 public:
  std::string_view name() const noexcept override { return "script-indicators"; }
  void inspect(const ArtifactTree& tree, FindingSink& sink) const override;
};

}  // namespace sluice::analysis::scripts
