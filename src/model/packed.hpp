#pragma once
// The shipped model as the build packs it (apps/model-pack): the parts of its
// JSON document (model/document.hpp) in little-endian binary, so an engine
// starts without parsing 80 KB of JSON — 15 of the 55 million instructions
// a one-file scan took (docs/adr/0032). The reader treats the bytes as any input:
// bounded strings and counts, and the trees then pass the same checks
// (Forest::build) as a document's.
#include <cstdint>
#include <vector>

#include "model/document.hpp"
#include "sluice/byte_view.hpp"
#include "sluice/result.hpp"

namespace sluice::model {

[[nodiscard]] std::vector<std::uint8_t> pack_model(const ModelParts& parts);
[[nodiscard]] Result<ModelParts> unpack_model(ByteView packed);

}  // namespace sluice::model
