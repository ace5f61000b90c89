#pragma once
// The metadata keys src/formats/office writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::office {

inline constexpr MetaKey<std::string> application{
    "office.application",
    "which application the document is for: \"word\", \"excel\", \"powerpoint\"; on the OOXML package "
    "(from its main part) or the OLE2 file (also ole)"};
inline constexpr MetaKey<std::string> container{
    "office.container",
    "\"ooxml\" or \"ole2\" (also ole)"};
inline constexpr MetaKey<bool> macro_enabled{
    "office.macro_enabled",
    "on an OOXML package: its main part's content type is a macro-enabled one (.docm, .xlsm, "
    ".pptm …)"};
inline constexpr MetaKey<std::string> macro_sheet{
    "office.macro_sheet",
    "an Excel 4 macro sheet part: \"relId target\" from a relationship, or the part name from "
    "[Content_Types].xml"};
inline constexpr MetaKey<std::string> hidden_sheet{
    "office.hidden_sheet",
    "a hidden sheet: \"state relId name\" (state \"hidden\" or \"veryHidden\")"};
inline constexpr MetaKey<std::string> auto_name{
    "office.auto_name",
    "a defined name that runs on open (Auto_Open, Auto_Close …) (also ole)"};
inline constexpr MetaKey<std::string> dde_link{
    "office.dde_link",
    "a DDE link: \"service topic\" or the DDE formula (also ole)"};
inline constexpr MetaKey<std::string> field{
    "office.field",
    "a field instruction that reaches outside the document (DDEAUTO, INCLUDETEXT, INCLUDEPICTURE "
    "…), spaces collapsed (also ole, rtf)"};
inline constexpr MetaKey<std::string> external_rel{
    "office.external_rel",
    "a relationship with TargetMode External: \"type target\""};

}  // namespace sluice::meta::office

namespace sluice::meta::xlm {

inline constexpr MetaKey<std::string> macro_sheet{
    "xlm.macro_sheet",
    "on a macro sheet part: its name (also ole: the sheet name, or \"substream at N\" when only the"
    " BIFF substream says so)"};
inline constexpr MetaKey<std::int64_t> formulas{
    "xlm.formulas",
    "number of formulas in the macro sheet (also ole)"};
inline constexpr MetaKey<std::string> function{
    "xlm.function",
    "an XLM function (or user-defined function, upper-cased) the macro sheet calls; one value per"
    " function (also ole)"};

}  // namespace sluice::meta::xlm

namespace sluice::meta {

inline constexpr MetaKeyInfo kOfficeKeys[] = {
    office::application,
    office::container,
    office::macro_enabled,
    office::macro_sheet,
    office::hidden_sheet,
    office::auto_name,
    office::dde_link,
    office::field,
    office::external_rel,
    xlm::macro_sheet,
    xlm::formulas,
    xlm::function,
};
inline constexpr MetaSection kOfficeSection{
    "office", "src/formats/office",
    "OOXML, BIFF12 and Office XML parts; the same facts are written by ole (OLE2 documents) and "
    "rtf where noted. String facts are one value per distinct fact, capped per part.",
    kOfficeKeys};

}  // namespace sluice::meta
