#pragma once
#include "sluice/artifact.hpp"
#include "sluice/byte_view.hpp"

namespace sluice::core {

// MD5, SHA-1 and SHA-256 in one pass over the bytes: each chunk is fed to all
// three digests while it is still in cache.
[[nodiscard]] Hashes compute_hashes(ByteView bytes);

}  // namespace sluice::core
