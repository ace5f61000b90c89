#pragma once
#include <span>

#include "sluice/artifact.hpp"
#include "sluice/byte_view.hpp"

namespace sluice::core {

// SHA-256 and the chosen others (all three by default) in one pass over the
// bytes: each chunk is fed to every digest while it is still in cache. MD5 and
// SHA-1 together cost three times SHA-256 alone (SHA-NI), so the engine asks
// for them only where they are wanted.
[[nodiscard]] Hashes compute_hashes(ByteView bytes, DigestChoice choice = {});

// The same digests of a sparse artifact's full contents: `present` ranges are
// read, the holes between them are fed from a constant zero block, so no hole
// page is ever touched. Equal to compute_hashes() of the expanded bytes.
[[nodiscard]] Hashes compute_hashes(ByteView bytes, std::span<const Extent> present, DigestChoice choice = {});

// For a sparse artifact too large to hash whole: digests of a canonical form
// of its data alone: for each present range, its offset and length (8 bytes
// each, little-endian) then its bytes; last, the total size (8 bytes). Two
// artifacts with the same contents give the same value, as long as their data
// sits on the same pages (SparseBuffer keeps only non-zero pages).
[[nodiscard]] Hashes compute_extent_hashes(ByteView bytes, std::span<const Extent> present,
                                          DigestChoice choice = {});

}  // namespace sluice::core
