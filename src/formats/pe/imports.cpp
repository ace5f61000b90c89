// Import and export tables, and the imphash (Mandiant's import hash, computed
// exactly as pefile's get_imphash: "dll.function" lower-cased, the dll's
// .dll/.ocx/.sys extension dropped, ordinals as "ord<N>", joined by ",", MD5).
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <span>

#include "core/checked.hpp"
#include "core/reader.hpp"
#include "core/text.hpp"
#include "formats/pe/detail.hpp"
#include "formats/pe/layout.hpp"
#include "formats/pe/ordinals.hpp"
#include "sluice/artifact.hpp"

namespace sluice::formats::pe {
namespace {

using core::load_le;

// pefile's MAX_DLL_LENGTH / MAX_IMPORT_NAME_LENGTH: longer strings are not names.
constexpr std::uint32_t kMaxImportString = 0x200;
constexpr std::size_t kExportNamesKept = 32;

// pefile names ordinal imports of ws2_32/wsock32/oleaut32 from its ordlookup
// tables (the same ABI facts are in ordinals.hpp) and every other one "ord<N>".
std::string ordinal_name(std::string_view dll_lower, std::uint16_t ord) {
  std::span<const OrdinalName> table;
  if (dll_lower == "ws2_32.dll" || dll_lower == "wsock32.dll") table = kWs2_32Ordinals;
  if (dll_lower == "oleaut32.dll") table = kOleaut32Ordinals;
  const auto it = std::lower_bound(table.begin(), table.end(), ord,
                                   [](const OrdinalName& e, std::uint16_t v) { return e.ordinal < v; });
  if (it != table.end() && it->ordinal == ord) return std::string(it->name);
  return "ord" + std::to_string(ord);
}

}  // namespace

std::string imphash(const std::vector<ImportedDll>& imports) {
  std::string joined;
  bool any = false;
  for (const ImportedDll& d : imports) {
    const std::string dll_lower = core::ascii_lower(d.dll);
    std::string lib = dll_lower;
    if (const auto dot = lib.rfind('.'); dot != std::string::npos) {
      const std::string_view ext = std::string_view(lib).substr(dot + 1);
      if (ext == "ocx" || ext == "sys" || ext == "dll") lib.resize(dot);
    }
    for (const ImportedSymbol& s : d.symbols) {
      std::string fn = s.name.empty() ? (s.ordinal ? ordinal_name(dll_lower, *s.ordinal) : "")
                                      : s.name;
      if (fn.empty()) continue;
      if (any) joined.push_back(',');
      joined += lib + "." + core::ascii_lower(fn);
      any = true;
    }
  }
  if (imports.empty()) return {};
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(joined.data(), joined.size(), md.data(), &len, EVP_md5(), nullptr) != 1) return {};
  return to_hex(std::span<const std::uint8_t>(md.data(), std::min<std::size_t>(len, md.size())));
}

namespace detail {

void parse_imports(Parsed<PeImage>& out, ByteView file, const Limits& limits) {
  PeImage& pe = out.model;
  const DataDirectory& dir = pe.directories[kDirImport];
  if (dir.rva == 0) return;
  const std::uint64_t width = pe.pe32_plus ? 8 : 4;
  const std::uint64_t ordinal_flag = pe.pe32_plus ? (1ull << 63) : (1ull << 31);
  std::uint64_t symbols = 0;
  for (std::uint32_t n = 0;; ++n) {
    if (n >= limits.max_children) {
      problem(out.anomalies, "pe.import_table_invalid", Severity::low, dir.rva, "more import descriptors than the cap; rest ignored");
      break;
    }
    const std::uint64_t rva = dir.rva + static_cast<std::uint64_t>(n) * kImportDescriptorSize;
    auto off = rva_to_offset(pe, file.size(), rva);
    auto desc = off ? file.subview(*off, kImportDescriptorSize) : Result<ByteView>(fail(Errc::out_of_bounds, rva, ""));
    if (!desc) {
      problem(out.anomalies, "pe.import_table_invalid", Severity::low, rva, "the import directory runs off the mapped file");
      break;
    }
    // value_or: in bounds, the 20-byte descriptor was taken by subview above.
    const std::uint32_t oft = load_le<std::uint32_t>(*desc, 0).value_or(0);
    const std::uint32_t name_rva = load_le<std::uint32_t>(*desc, 12).value_or(0);
    const std::uint32_t ft = load_le<std::uint32_t>(*desc, 16).value_or(0);
    bool zero = true;
    for (char c : desc->chars()) zero = zero && c == 0;
    if (zero) break;
    auto dll = c_string_at_rva(pe, file, name_rva, kMaxImportString);
    if (!dll || dll->empty()) {
      problem(out.anomalies, "pe.import_table_invalid", Severity::low, rva, "an import descriptor has no readable DLL name");
      continue;
    }
    ImportedDll entry;
    entry.dll = std::move(*dll);
    // The lookup table (OriginalFirstThunk) names what is imported; linkers that
    // omit it leave the names in the address table, which pefile falls back to.
    const std::uint32_t thunks = oft != 0 ? oft : ft;
    for (std::uint64_t k = 0;; ++k) {
      if (symbols >= limits.max_children) {
        problem(out.anomalies, "pe.import_table_invalid", Severity::low, rva, "more imported symbols than the cap; rest ignored");
        break;
      }
      auto toff = rva_to_offset(pe, file.size(), thunks + k * width);
      if (!toff) break;
      // value_or(0): a thunk cut off by the end of the file ends the list, as
      // pefile ends it (0 is the list's terminator).
      const std::uint64_t v = pe.pe32_plus ? load_le<std::uint64_t>(file, *toff).value_or(0)
                                           : load_le<std::uint32_t>(file, *toff).value_or(0);
      if (v == 0) break;
      ImportedSymbol s;
      if (v & ordinal_flag) {
        s.ordinal = static_cast<std::uint16_t>(v & 0xFFFF);
      } else {
        auto name = c_string_at_rva(pe, file, (v & 0x7FFFFFFF) + 2, kMaxImportString);
        if (!name) {
          problem(out.anomalies, "pe.import_table_invalid", Severity::low, *toff, "an import names a string outside the file");
          break;
        }
        s.name = std::move(*name);
      }
      entry.symbols.push_back(std::move(s));
      ++symbols;
    }
    pe.imports.push_back(std::move(entry));
  }
  pe.import_symbol_count = symbols;
  pe.imphash = imphash(pe.imports);
}

void parse_exports(Parsed<PeImage>& out, ByteView file, const Limits& limits) {
  PeImage& pe = out.model;
  const DataDirectory& dir = pe.directories[kDirExport];
  if (dir.rva == 0) return;
  auto off = rva_to_offset(pe, file.size(), dir.rva);
  if (!off || !file.contains(*off, kExportDirectorySize)) {
    problem(out.anomalies, "pe.export_table_invalid", Severity::low, dir.rva, "the export directory lies outside the file");
    return;
  }
  // value_or: in bounds, file.contains(*off, 40) was checked above.
  const std::uint32_t name_rva = load_le<std::uint32_t>(file, *off + 12).value_or(0);
  const std::uint32_t nfunctions = load_le<std::uint32_t>(file, *off + 20).value_or(0);
  const std::uint32_t nnames = load_le<std::uint32_t>(file, *off + 24).value_or(0);
  const std::uint32_t names_rva = load_le<std::uint32_t>(file, *off + 32).value_or(0);
  pe.export_dll_name = c_string_at_rva(pe, file, name_rva, kMaxImportString).value_or("");
  pe.export_count = nfunctions;
  if (nfunctions > limits.max_children || nnames > limits.max_children) {
    problem(out.anomalies, "pe.export_table_invalid", Severity::low, *off + 20,
            std::to_string(nfunctions) + " exports declared, more than the cap");
  }
  const std::uint32_t keep = std::min<std::uint32_t>(nnames, kExportNamesKept);
  for (std::uint32_t i = 0; i < keep; ++i) {
    auto p = rva_to_offset(pe, file.size(), names_rva + static_cast<std::uint64_t>(i) * 4);
    if (!p) break;
    // value_or(0): a name pointer cut off by the end of the file points at RVA
    // 0, the headers, whose "MZ" is no export name pefile would keep either.
    auto n = c_string_at_rva(pe, file, load_le<std::uint32_t>(file, *p).value_or(0), limits.max_name_length);
    if (!n) break;
    pe.export_names.push_back(std::move(*n));
  }
}

}  // namespace detail
}  // namespace sluice::formats::pe
