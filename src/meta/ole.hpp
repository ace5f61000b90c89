#pragma once
// The metadata keys src/formats/ole writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::office {

inline constexpr MetaKey<std::string> encryption{
    "office.encryption",
    "the encryption scheme: for a BIFF workbook \"xor\", \"rc4\" or \"rc4_cryptoapi\"; for an "
    "EncryptedPackage the algorithm text, e.g. \"AES-256 / SHA512 (agile)\"; only when encrypted"};
inline constexpr MetaKey<std::string> password{
    "office.password",
    "the candidate password that decrypted the document; only when one did"};

}  // namespace sluice::meta::office

namespace sluice::meta::xlm {

inline constexpr MetaKey<std::string> hidden_macro_sheet{
    "xlm.hidden_macro_sheet",
    "a hidden macro sheet: \"name (hidden)\" or \"name (very hidden)\""};

}  // namespace sluice::meta::xlm

namespace sluice::meta::vba {

inline constexpr MetaKey<std::string> project{
    "vba.project",
    "the VBA project's name (or its storage path when unnamed); one value per project read"};

}  // namespace sluice::meta::vba

namespace sluice::meta {

inline constexpr MetaKeyInfo kOleKeys[] = {
    office::encryption,
    office::password,
    xlm::hidden_macro_sheet,
    vba::project,
};
inline constexpr MetaSection kOleSection{
    "ole", "src/formats/ole",
    "OLE2 compound files: Word, Excel, PowerPoint binaries, VBA projects. Also writes "
    "`office.application`, `office.container`, `office.auto_name`, `office.dde_link`, "
    "`office.field`, `xlm.macro_sheet`, `xlm.formulas`, `xlm.function` (see office).",
    kOleKeys};

}  // namespace sluice::meta
