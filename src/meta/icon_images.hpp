#pragma once
// The metadata keys src/codecs/icon writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::icon {

inline constexpr MetaKey<std::string> format{
    "icon.format",
    "encoding of the decoded image: \"png\" or \"dib\""};
inline constexpr MetaKey<std::int64_t> width{
    "icon.width",
    "width of the decoded image, pixels"};
inline constexpr MetaKey<std::int64_t> height{
    "icon.height",
    "height of the decoded image, pixels"};
inline constexpr MetaKey<Hash64> phash{
    "icon.phash",
    "64-bit perceptual (DCT) hash of the image; the icons detector and campaign fingerprints "
    "compare it"};
inline constexpr MetaKey<Hash64> dhash{
    "icon.dhash",
    "64-bit difference hash of the image"};
inline constexpr MetaKey<std::int64_t> hue{
    "icon.hue",
    "dominant hue in 30-degree bins, 1..12; 0 when the image is mostly grey"};
inline constexpr MetaKey<std::string> closest{
    "icon.closest",
    "nearest built-in reference icon as \"category/theme/name@size\"; only when one is near enough"};
inline constexpr MetaKey<std::string> category{
    "icon.category",
    "category of that reference (what the icon looks like, e.g. a document type); only with "
    "icon.closest"};
inline constexpr MetaKey<std::int64_t> distance{
    "icon.distance",
    "distance to that reference: differing pHash bits + dHash bits + a penalty when hues differ; "
    "only with icon.closest"};

}  // namespace sluice::meta::icon

namespace sluice::meta {

inline constexpr MetaKeyInfo kIconImagesKeys[] = {
    icon::format,
    icon::width,
    icon::height,
    icon::phash,
    icon::dhash,
    icon::hue,
    icon::closest,
    icon::category,
    icon::distance,
};
inline constexpr MetaSection kIconImagesSection{
    "icon images", "src/codecs/icon",
    "Written by `describe_image` on the one icon image decoded from a .ico file or a PE icon "
    "group.",
    kIconImagesKeys};

}  // namespace sluice::meta
