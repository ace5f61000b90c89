#pragma once
// Builds an Engine from explicit parts: the production path registers every
// format and detector; tests register synthetic ones to drive the worklist.
#include "analysis/detector.hpp"
#include <optional>

#include "core/unpacker.hpp"
#include "model/model.hpp"
#include "sluice/engine.hpp"

namespace sluice {

struct EngineFactory {
  // `model`: none unless a test brings one (Engine::create loads [model]).
  static Engine make(Config config, core::Registry registry, analysis::Detectors detectors,
                     std::optional<model::Model> model = std::nullopt);
};

}  // namespace sluice
