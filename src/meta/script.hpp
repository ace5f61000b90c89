#pragma once
// The metadata keys src/formats/script writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::script {

inline constexpr MetaKey<std::string> encoding{
    "script.encoding",
    "text encoding the script was read in: \"utf-8\" (with BOM), \"utf-16le\" or \"utf-16be\"; absent "
    "for plain bytes"};
inline constexpr MetaKey<std::string> references{
    "script.references",
    "a file name or path the script mentions (and `<script src>` of a script block); one value "
    "per reference"};
inline constexpr MetaKey<std::string> language{
    "script.language",
    "the language the artifact's text was read as script in (a file type name: \"js\", \"vbs\", \"ps1\""
    " …): the script's own type, or for decoded text the sniffer calls plain text (a decoded VBE,"
    " a short `-EncodedCommand`) the language its origin implies; absent on HTA/WSF markup whose "
    "`<script>` blocks are read instead. analysis/scripts judges the text of every artifact that "
    "has it"};

}  // namespace sluice::meta::script

namespace sluice::meta {

inline constexpr MetaKeyInfo kScriptKeys[] = {
    script::encoding,
    script::references,
    script::language,
};
inline constexpr MetaSection kScriptSection{
    "script", "src/formats/script",
    "",
    kScriptKeys};

}  // namespace sluice::meta
