#pragma once
// Where each revision of a PDF ends. An incremental update appends objects, a
// new cross-reference section and another %%EOF; a reader opens the last one,
// so an attachment a later update replaced or dropped is invisible to it but
// still in the file. Each prefix that ends at an %%EOF is a complete earlier
// revision, readable on its own.
#include <cstdint>
#include <vector>

#include "sluice/byte_view.hpp"

namespace sluice::formats::pdf {

// Offsets just past each "%%EOF" marker (and its line end), in file order.
[[nodiscard]] std::vector<std::uint64_t> revision_ends(ByteView pdf);

}  // namespace sluice::formats::pdf
