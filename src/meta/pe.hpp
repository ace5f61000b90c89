#pragma once
// The metadata keys src/formats/pe writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::pe {

inline constexpr MetaKey<bool> dos_only{
    "pe.dos_only",
    "an MZ program without NT headers: a DOS executable, nothing else is recorded"};
inline constexpr MetaKey<std::string> format{
    "pe.format",
    "\"PE32\" or \"PE32+\""};
inline constexpr MetaKey<std::string> machine{
    "pe.machine",
    "target machine by name (\"i386\", \"amd64\", \"arm\", \"armnt\", \"arm64\", \"ia64\"), else its number "
    "in hex"};
inline constexpr MetaKey<std::int64_t> characteristics{
    "pe.characteristics",
    "COFF header Characteristics bit field"};
inline constexpr MetaKey<bool> dll{
    "pe.dll",
    "the DLL characteristic bit is set"};
inline constexpr MetaKey<std::string> subsystem{
    "pe.subsystem",
    "optional header subsystem by name (\"native\", \"windows_gui\", \"windows_cui\", \"windows_ce_gui\","
    " \"efi_application\"), else its number"};
inline constexpr MetaKey<std::int64_t> timestamp{
    "pe.timestamp",
    "COFF TimeDateStamp, seconds since the Unix epoch (as linked; often forged or a hash)"};
inline constexpr MetaKey<std::int64_t> dll_characteristics{
    "pe.dll_characteristics",
    "optional header DllCharacteristics bit field (ASLR, DEP, CFG …)"};
inline constexpr MetaKey<std::int64_t> entry_point{
    "pe.entry_point",
    "AddressOfEntryPoint (an RVA)"};
inline constexpr MetaKey<std::string> image_base{
    "pe.image_base",
    "ImageBase in hex (\"0x400000\")"};
inline constexpr MetaKey<std::string> directories{
    "pe.directories",
    "names of the non-empty data directories, comma-separated (\"import,resource,security,clr\" …)"};
inline constexpr MetaKey<bool> rich{
    "pe.rich",
    "a Rich header (Microsoft linker build record) is present"};
inline constexpr MetaKey<std::int64_t> rich_entries{
    "pe.rich.entries",
    "number of entries in the Rich header; only with pe.rich"};
inline constexpr MetaKey<bool> dotnet{
    "pe.dotnet",
    "the file has a CLR (.NET) header"};
inline constexpr MetaKey<std::int64_t> sections{
    "pe.sections",
    "number of sections"};
inline constexpr MetaKeyFamily<std::string> section_index{
    "pe.section.", "<index>",
    "one section, by index from 0: \"name va=… vsize=… raw=… rawsize=… flags=… entropy=…\" (hex "
    "addresses, entropy in bits per byte)"};
inline constexpr MetaKey<std::string> entry_section{
    "pe.entry_section",
    "name of the section holding the entry point; only when the entry point is inside one"};
inline constexpr MetaKey<std::string> imports_dlls{
    "pe.imports.dlls",
    "imported DLLs, comma-separated; only when there is an import table"};
inline constexpr MetaKey<std::int64_t> imports_count{
    "pe.imports.count",
    "number of imported symbols; only with an import table"};
inline constexpr MetaKey<std::string> imphash{
    "pe.imphash",
    "import hash, MD5 hex as pefile's get_imphash() computes it; only with an import table; "
    "campaign fingerprints use it"};
inline constexpr MetaKey<std::string> exports_name{
    "pe.exports.name",
    "the DLL name the export directory records; only with an export table"};
inline constexpr MetaKey<std::int64_t> exports_count{
    "pe.exports.count",
    "number of exports; only with an export table"};
inline constexpr MetaKey<std::string> exports_names{
    "pe.exports.names",
    "exported names, comma-separated; absent when exports are by ordinal only"};
inline constexpr MetaKey<bool> signed_{
    "pe.signed",
    "the security directory (Authenticode certificate table) is present; the signature is not "
    "verified"};
inline constexpr MetaKey<std::string> signer_subject{
    "pe.signer.subject",
    "common name of the signing certificate's subject; only when the PKCS#7 parsed"};
inline constexpr MetaKey<std::string> signer_issuer{
    "pe.signer.issuer",
    "common name of the signing certificate's issuer; only when the PKCS#7 parsed"};
inline constexpr MetaKeyFamily<std::string> version_field{
    "pe.version.", "<field>",
    "one VERSIONINFO string (CompanyName, ProductName, OriginalFilename, FileDescription …), "
    "keyed by its name"};
inline constexpr MetaKey<std::string> manifest_execution_level{
    "pe.manifest.execution_level",
    "requestedExecutionLevel of the embedded manifest (\"asInvoker\", \"requireAdministrator\" …)"};
inline constexpr MetaKey<std::int64_t> resources{
    "pe.resources",
    "number of resources in the resource tree"};
inline constexpr MetaKey<std::int64_t> overlay_offset{
    "pe.overlay.offset",
    "file offset where the overlay (bytes past the last section) starts; only when there is one"};
inline constexpr MetaKey<std::int64_t> overlay_size{
    "pe.overlay.size",
    "overlay length, bytes"};
inline constexpr MetaKey<std::string> overlay_entropy{
    "pe.overlay.entropy",
    "Shannon entropy of the overlay, bits per byte, two decimals (\"7.99\")"};

}  // namespace sluice::meta::pe

namespace sluice::meta::icon {

inline constexpr MetaKey<std::string> group{
    "icon.group",
    "name (or ID) of the PE group icon whose image was decoded and described (see icon images)"};

}  // namespace sluice::meta::icon

namespace sluice::meta {

inline constexpr MetaKeyInfo kPeKeys[] = {
    pe::dos_only,
    pe::format,
    pe::machine,
    pe::characteristics,
    pe::dll,
    pe::subsystem,
    pe::timestamp,
    pe::dll_characteristics,
    pe::entry_point,
    pe::image_base,
    pe::directories,
    pe::rich,
    pe::rich_entries,
    pe::dotnet,
    pe::sections,
    pe::section_index,
    pe::entry_section,
    pe::imports_dlls,
    pe::imports_count,
    pe::imphash,
    pe::exports_name,
    pe::exports_count,
    pe::exports_names,
    pe::signed_,
    pe::signer_subject,
    pe::signer_issuer,
    pe::version_field,
    pe::manifest_execution_level,
    pe::resources,
    pe::overlay_offset,
    pe::overlay_size,
    pe::overlay_entropy,
    icon::group,
};
inline constexpr MetaSection kPeSection{
    "pe", "src/formats/pe",
    "Windows PE executables and DLLs. `icon.group` is written here when the group icon is "
    "described.",
    kPeKeys};

}  // namespace sluice::meta
