#pragma once
// The metadata keys src/codecs/ole1 writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::ole {

inline constexpr MetaKey<std::string> source_path{
    "ole.source_path",
    "the path the packaged file was inserted from, as recorded by Packager"};
inline constexpr MetaKey<std::string> temp_path{
    "ole.temp_path",
    "the temporary path Packager extracts the file to when it is opened"};

}  // namespace sluice::meta::ole

namespace sluice::meta {

inline constexpr MetaKeyInfo kOle1Keys[] = {
    ole::source_path,
    ole::temp_path,
};
inline constexpr MetaSection kOle1Section{
    "ole1 packages", "src/codecs/ole1",
    "Written on the file an OLE1 Package object (Packager Shell Object) carries, from RTF or OLE2"
    " documents.",
    kOle1Keys};

}  // namespace sluice::meta
