#pragma once
// The metadata keys src/formats/pdf writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::pdf {

inline constexpr MetaKey<bool> encrypted{
    "pdf.encrypted",
    "the latest revision is encrypted"};
inline constexpr MetaKey<std::string> password{
    "pdf.password",
    "the candidate password that opened it; only when one was needed and worked"};
inline constexpr MetaKey<std::int64_t> repairs{
    "pdf.repairs",
    "number of problems QPDF had to repair while reading the latest revision; absent when none"};
inline constexpr MetaKey<std::int64_t> revisions{
    "pdf.revisions",
    "number of revisions (incremental updates + 1)"};
inline constexpr MetaKey<std::string> attachment_description{
    "pdf.attachment_description",
    "on an embedded file: the description of its file specification"};
inline constexpr MetaKey<std::string> mime_type{
    "pdf.mime_type",
    "on an embedded file: the Subtype (MIME type) of its embedded file stream"};

}  // namespace sluice::meta::pdf

namespace sluice::meta {

inline constexpr MetaKeyInfo kPdfKeys[] = {
    pdf::encrypted,
    pdf::password,
    pdf::repairs,
    pdf::revisions,
    pdf::attachment_description,
    pdf::mime_type,
};
inline constexpr MetaSection kPdfSection{
    "pdf", "src/formats/pdf",
    "",
    kPdfKeys};

}  // namespace sluice::meta
