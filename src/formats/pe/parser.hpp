#pragma once
// Pure PE model: ByteView in, PeImage out. No I/O, no engine: the caps on
// attacker counts come from Limits (sections: limits.pe; imports, exports and
// resources: max_children each; strings: max_name_length).
// Everything the parser could not vouch for is an Anomaly (with its severity) for the glue to
// report; a broken table never aborts the rest of the model.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sluice/byte_view.hpp"
#include "core/parsed.hpp"
#include "sluice/finding.hpp"
#include "sluice/limits.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::pe {

struct Section {
  std::string name;  // raw 8-byte name, NULs stripped (long "/123" names kept as-is)
  std::uint32_t virtual_size = 0;
  std::uint32_t virtual_address = 0;
  std::uint32_t raw_size = 0;
  std::uint32_t raw_pointer = 0;
  std::uint32_t characteristics = 0;
  double entropy = 0.0;  // over the raw bytes present in the file, as pefile computes it
};

struct DataDirectory {
  std::uint32_t rva = 0;
  std::uint32_t size = 0;
};

struct ImportedSymbol {
  std::string name;                     // empty when imported by ordinal
  std::optional<std::uint16_t> ordinal;
};

struct ImportedDll {
  std::string dll;
  std::vector<ImportedSymbol> symbols;
};

struct Resource {
  std::string type;   // "RCDATA", "ICON", "#300" for unknown ids, or the type's own name
  std::uint32_t type_id = 0;
  bool type_named = false;
  std::string name;   // "SETTINGS" or "1"
  std::uint32_t lang = 0;
  std::uint32_t rva = 0;
  std::uint32_t size = 0;
  std::uint64_t file_offset = 0;
  bool in_file = false;  // rva/size map onto bytes present in the file
};

struct PeImage {
  std::uint64_t nt_offset = 0;
  bool pe32_plus = false;
  std::uint16_t machine = 0;
  std::uint16_t characteristics = 0;
  std::uint32_t timestamp = 0;
  std::uint16_t subsystem = 0;
  std::uint16_t dll_characteristics = 0;
  std::uint32_t entry_point = 0;
  std::uint64_t image_base = 0;
  std::uint32_t file_alignment = 0;
  std::uint32_t section_alignment = 0;
  std::uint64_t optional_header_offset = 0;
  std::uint16_t optional_header_size = 0;
  std::vector<DataDirectory> directories;
  std::vector<Section> sections;
  std::optional<std::size_t> entry_section;  // index into sections

  std::vector<ImportedDll> imports;
  std::uint64_t import_symbol_count = 0;
  std::string imphash;  // pefile's get_imphash(): MD5 hex, empty without imports

  std::string export_dll_name;
  std::uint32_t export_count = 0;
  std::vector<std::string> export_names;  // first few only, for meta

  std::vector<Resource> resources;
  std::vector<std::pair<std::string, std::string>> version_strings;  // in file order
  std::string execution_level;  // from the manifest, empty when none

  bool has_rich = false;
  std::uint32_t rich_entries = 0;
  bool tls_callbacks = false;
  bool dotnet = false;

  bool has_security = false;
  std::uint64_t security_offset = 0;
  std::uint64_t security_size = 0;
  ByteView pkcs7;  // WIN_CERTIFICATE payload of the first PKCS#7 certificate

  std::optional<std::uint64_t> overlay_offset;  // pefile's overlay start
  std::uint64_t overlay_size = 0;               // without a trailing certificate table
  double overlay_entropy = 0.0;
};

// Shannon entropy in bits per byte (0..8).
[[nodiscard]] double shannon_entropy(ByteView bytes) noexcept;

// Maps an RVA to a file offset the way pefile does (sections first; an RVA in the
// headers maps to itself). Nothing when it lands on no file bytes.
[[nodiscard]] std::optional<std::uint64_t> rva_to_offset(const PeImage& pe, std::uint64_t file_size,
                                                         std::uint64_t rva) noexcept;

// Fails only when there is no PE to speak of (no MZ, no NT headers). A DOS-only
// MZ yields an error with Errc::unsupported. Anomalies carry the severity the
// reader judged where it found the fault.
[[nodiscard]] Result<Parsed<PeImage>> parse(ByteView file, const Limits& limits);

// pefile's imphash over an import list: exposed for tests.
[[nodiscard]] std::string imphash(const std::vector<ImportedDll>& imports);

}  // namespace sluice::formats::pe
