#pragma once
// The metadata keys src/formats/rtf writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::rtf {

inline constexpr MetaKey<std::string> object_class{
    "rtf.object_class",
    "on an embedded object: its OLE class name from \\objclass or the OLE1 header (e.g. \"Package\","
    " \"Equation.3\")"};
inline constexpr MetaKey<std::string> linked_object{
    "rtf.linked_object",
    "the topic (file or URL) of a linked, not embedded, OLE1 object"};

}  // namespace sluice::meta::rtf

namespace sluice::meta {

inline constexpr MetaKeyInfo kRtfKeys[] = {
    rtf::object_class,
    rtf::linked_object,
};
inline constexpr MetaSection kRtfSection{
    "rtf", "src/formats/rtf",
    "Also writes `office.field` (see office).",
    kRtfKeys};

}  // namespace sluice::meta
