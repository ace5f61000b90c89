#pragma once
// The metadata keys src/engine writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::sparse {

inline constexpr MetaKey<std::int64_t> present_bytes{
    "sparse.present_bytes",
    "bytes actually present in a sparse artifact (a file inside a disk image with holes); only "
    "when fewer than its logical size"};

}  // namespace sluice::meta::sparse

namespace sluice::meta::hash {

inline constexpr MetaKey<std::string> scope{
    "hash.scope",
    "\"present-extents\" when the artifact's hashes cover only its present extents (too large to "
    "hash whole with its holes); see core/hash.hpp"};

}  // namespace sluice::meta::hash

namespace sluice::meta {

inline constexpr MetaKeyInfo kEngineKeys[] = {
    sparse::present_bytes,
    hash::scope,
};
inline constexpr MetaSection kEngineSection{
    "engine", "src/engine",
    "",
    kEngineKeys};

}  // namespace sluice::meta
