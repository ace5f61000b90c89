#pragma once
// The metadata keys src/formats/onenote writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::onenote {

inline constexpr MetaKey<std::string> extension{
    "onenote.extension",
    "on an embedded file: the extension its file-data reference declares"};
inline constexpr MetaKey<std::string> source_path{
    "onenote.source_path",
    "on an embedded file: the path it was inserted from, as recorded in the section"};

}  // namespace sluice::meta::onenote

namespace sluice::meta {

inline constexpr MetaKeyInfo kOnenoteKeys[] = {
    onenote::extension,
    onenote::source_path,
};
inline constexpr MetaSection kOnenoteSection{
    "onenote", "src/formats/onenote",
    "",
    kOnenoteKeys};

}  // namespace sluice::meta
