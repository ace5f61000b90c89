#pragma once
// Builds an Engine from explicit parts: the production path registers every
// format and detector; tests register synthetic ones to drive the worklist.
#include "analysis/detector.hpp"
#include "core/unpacker.hpp"
#include "sluice/engine.hpp"

namespace sluice {

struct EngineFactory {
  static Engine make(Config config, core::Registry registry, analysis::Detectors detectors);
};

}  // namespace sluice
