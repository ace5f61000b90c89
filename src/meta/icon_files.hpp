#pragma once
// The metadata keys src/formats/icon writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::icon {

inline constexpr MetaKey<std::int64_t> images{
    "icon.images",
    "number of images the .ico directory (or PE group-icon directory) lists"};
inline constexpr MetaKey<bool> group_directory{
    "icon.group_directory",
    "true when the file is a PE RT_GROUP_ICON directory (entries name resource IDs, no image "
    "bytes), so nothing is decoded"};

}  // namespace sluice::meta::icon

namespace sluice::meta {

inline constexpr MetaKeyInfo kIconFilesKeys[] = {
    icon::images,
    icon::group_directory,
};
inline constexpr MetaSection kIconFilesSection{
    "icon files", "src/formats/icon",
    "",
    kIconFilesKeys};

}  // namespace sluice::meta
