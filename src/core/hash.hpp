#pragma once
#include <span>

#include "sluice/artifact.hpp"
#include "sluice/byte_view.hpp"

namespace sluice::core {

// MD5, SHA-1 and SHA-256 in one pass over the bytes: each chunk is fed to all
// three digests while it is still in cache.
[[nodiscard]] Hashes compute_hashes(ByteView bytes);

// The same digests of a sparse artifact's full contents: `present` ranges are
// read, the holes between them are fed from a constant zero block, so no hole
// page is ever touched. Equal to compute_hashes() of the expanded bytes.
[[nodiscard]] Hashes compute_hashes(ByteView bytes, std::span<const Extent> present);

// For a sparse artifact too large to hash whole: digests of a canonical form
// of its data alone: for each present range, its offset and length (8 bytes
// each, little-endian) then its bytes; last, the total size (8 bytes). Two
// artifacts with the same contents give the same value, as long as their data
// sits on the same pages (SparseBuffer keeps only non-zero pages).
[[nodiscard]] Hashes compute_extent_hashes(ByteView bytes, std::span<const Extent> present);

}  // namespace sluice::core
