#pragma once
// The metadata keys src/formats/html writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::html {

inline constexpr MetaKey<std::string> script_src{
    "html.script_src",
    "the src of an external `<script>`; one value per script"};
inline constexpr MetaKey<std::int64_t> scripts_run{
    "html.scripts_run",
    "number of inline scripts the sandboxed interpreter ran; only when the page had runnable "
    "scripts"};
inline constexpr MetaKey<std::string> clock{
    "html.clock",
    "the time the page's clock started at, ISO 8601 in UTC; only when its scripts read the clock "
    "(`Date`, `performance.now`) (docs/adr/0043-page-clock-from-the-message.md)"};
inline constexpr MetaKey<std::string> clock_from{
    "html.clock_from",
    "where html.clock came from: \"received\" (the newest Received field of the outermost message), "
    "\"date\" (its Date field) or \"scan\" (the scan's own time: no message, a message in the mail "
    "flow, or one whose time is later)"};
inline constexpr MetaKey<std::string> script_error{
    "html.script_error",
    "an error the script interpreter (or its isolated worker) reported; one value per error"};
inline constexpr MetaKey<std::string> link{
    "html.link",
    "a normalised link (href, src, action …) in the document; one value per distinct URL (covers "
    "HTML in archives and SVG, which mime's ioc.url does not)"};
inline constexpr MetaKey<std::string> saved_as{
    "html.saved_as",
    "on a file smuggled out by the page's scripts: how it was delivered (\"anchor download\", "
    "\"msSaveOrOpenBlob\", \"navigation\", \"window.open\")"};
inline constexpr MetaKey<std::string> blob_type{
    "html.blob_type",
    "on a smuggled file: the MIME type the script gave the Blob; absent when none"};
inline constexpr MetaKey<std::string> encoding{
    "html.encoding",
    "on a payload decoded from an inline blob in the markup: how it was encoded (\"base64\", "
    "\"base64 reversed\", \"hex\", \"escaped bytes\", \"char codes\")"};

}  // namespace sluice::meta::html

namespace sluice::meta {

inline constexpr MetaKeyInfo kHtmlKeys[] = {
    html::script_src,
    html::scripts_run,
    html::clock,
    html::clock_from,
    html::script_error,
    html::link,
    html::saved_as,
    html::blob_type,
    html::encoding,
};
inline constexpr MetaSection kHtmlSection{
    "html", "src/formats/html",
    "",
    kHtmlKeys};

}  // namespace sluice::meta
