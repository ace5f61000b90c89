#pragma once
// Builds an Engine from explicit parts: the production path registers every
// format and detector; tests register synthetic ones to drive the worklist.
#include <optional>

#include "analysis/detector.hpp"
#include "core/search_memo.hpp"
#include "core/unpacker.hpp"
#include "model/model.hpp"
#include "sluice/engine.hpp"

namespace sluice {

struct EngineFactory {
  // Without a model (Engine::create loads [model]).
  static Engine make(Config config, core::Registry registry, analysis::Detectors detectors);
  // `features`: the list `model` was checked against, built once per engine.
  static Engine make(Config config, core::Registry registry, analysis::Detectors detectors,
                     model::FeatureSpace features, std::optional<model::Model> model);
  // The engine's memory of password searches (core/search_memo.hpp), to see it used.
  static const core::SearchMemo& search_memo(const Engine& engine);
  // The engine's detectors, to ask one what it did.
  static const analysis::Detectors& detectors(const Engine& engine);
};

}  // namespace sluice
