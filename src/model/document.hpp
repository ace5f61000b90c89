#pragma once
// A model document (XGBoost's JSON model plus the "sluice" header member,
// docs/model.md) read into its parts, unchecked against any feature list:
// what Model::load checks and builds, and what sluice-model-pack packs.
#include <string_view>

#include "model/forest.hpp"
#include "model/model.hpp"
#include "sluice/result.hpp"

namespace sluice::model {

struct ModelParts {
  Header header;
  ForestSource trees;
};

[[nodiscard]] Result<ModelParts> read_model_document(std::string_view json_text);
// The header's own rules (this binary's format, a threshold in (0, 1)): each
// reader of a model (this one, the packed one) applies them as it reads.
[[nodiscard]] Status check_header(const Header& header);

}  // namespace sluice::model
