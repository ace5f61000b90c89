// PE → meta ("pe.*"), anomalies, and children: resources a loader or dropper
// reads as opaque data (RCDATA, icons, unknown types) and the overlay (where SFX
// stubs keep their archive). Children are views: nothing here decodes.
#include <array>
#include <cstdio>

#include "core/text.hpp"
#include "core/unpacker.hpp"
#include "formats/pe/authenticode.hpp"
#include "formats/pe/followers.hpp"
#include "formats/pe/icons.hpp"
#include "formats/pe/layout.hpp"
#include "formats/pe/parser.hpp"
#include "meta/pe.hpp"

namespace sluice::formats::pe {
namespace {

std::string hex32(std::uint64_t v) {
  std::array<char, 24> buf{};
  std::snprintf(buf.data(), buf.size(), "0x%llx", static_cast<unsigned long long>(v));
  return buf.data();
}

std::string two_decimals(double v) {
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%.2f", v);
  return buf.data();
}

std::string machine_name(std::uint16_t m) {
  switch (m) {
    case 0x14C: return "i386";
    case 0x8664: return "amd64";
    case 0x1C0: return "arm";
    case 0x1C4: return "armnt";
    case 0xAA64: return "arm64";
    case 0x200: return "ia64";
    default: return hex32(m);
  }
}

std::string subsystem_name(std::uint16_t s) {
  switch (s) {
    case 1: return "native";
    case 2: return "windows_gui";
    case 3: return "windows_cui";
    case 9: return "windows_ce_gui";
    case 10: return "efi_application";
    default: return std::to_string(s);
  }
}

// The resource types a dropper stores payloads in, plus icons (which the icon
// detectors compare); well-known UI types (dialogs, menus, strings) stay meta only.
bool emit_resource(const Resource& r) {
  if (r.type_named) return true;
  switch (r.type_id) {
    case kRtRcdata:
    case kRtIcon:
    case kRtGroupIcon:
      return true;
    case 1: case 2: case 4: case 5: case 6: case 7: case 8: case 9: case 11: case 12:
    case kRtVersion: case 17: case 19: case 20: case 21: case 22: case 23: case kRtManifest:
      return false;
    default:
      return true;  // an unknown type id: nothing the OS reads, so something a program does
  }
}

class PeUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "pe"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    const ByteView file = ctx.bytes();
    auto parsed = parse(file, ctx.limits());
    if (!parsed) {
      if (parsed.error().code == Errc::unsupported) {
        ctx.meta(meta::pe::dos_only, true);  // MZ without NT headers: a DOS program, nothing more to read
        return {};
      }
      ctx.anomaly("pe.malformed_headers", Severity::medium, parsed.error().offset, parsed.error().what);
      return std::unexpected(parsed.error());
    }
    const PeImage& pe = parsed->model;
    headers(ctx, pe);
    sections(ctx, pe, file.size());
    entry_point(ctx, pe);
    imports_exports(ctx, pe);
    signature(ctx, pe);
    version(ctx, pe);
    for (const Anomaly& p : parsed->anomalies) {
      ctx.anomaly(p.id, p.severity, p.offset, p.message);
    }
    resources(ctx, pe, file);
    explorer_icon(ctx, pe, file);  // the icon Explorer shows: formats/icon, pe/icons.cpp
    run_followers(ctx, pe, file);  // malware configs: src/families registers one
    overlay(ctx, pe, file);
    return {};
  }

 private:
  static constexpr std::array kTypes{FileType::pe_exe, FileType::pe_dll};

  static void headers(core::UnpackContext& ctx, const PeImage& pe) {
    ctx.meta(meta::pe::format, std::string(pe.pe32_plus ? "PE32+" : "PE32"));
    ctx.meta(meta::pe::machine, machine_name(pe.machine));
    ctx.meta(meta::pe::characteristics, static_cast<std::int64_t>(pe.characteristics));
    ctx.meta(meta::pe::dll, (pe.characteristics & kFileDll) != 0);
    ctx.meta(meta::pe::subsystem, subsystem_name(pe.subsystem));
    ctx.meta(meta::pe::timestamp, static_cast<std::int64_t>(pe.timestamp));
    ctx.meta(meta::pe::dll_characteristics, static_cast<std::int64_t>(pe.dll_characteristics));
    ctx.meta(meta::pe::entry_point, static_cast<std::int64_t>(pe.entry_point));
    ctx.meta(meta::pe::image_base, hex32(pe.image_base));
    std::string dirs;
    static constexpr std::array<std::string_view, 16> kDirNames{
        "export", "import", "resource", "exception", "security", "basereloc", "debug", "architecture",
        "globalptr", "tls", "load_config", "bound_import", "iat", "delay_import", "clr", "reserved"};
    for (std::size_t i = 0; i < pe.directories.size() && i < kDirNames.size(); ++i) {
      if (pe.directories[i].rva == 0 && pe.directories[i].size == 0) continue;
      if (!dirs.empty()) dirs.push_back(',');
      dirs += kDirNames[i];
    }
    ctx.meta(meta::pe::directories, dirs);
    if (pe.has_rich) {
      ctx.meta(meta::pe::rich, true);
      ctx.meta(meta::pe::rich_entries, static_cast<std::int64_t>(pe.rich_entries));
    }
    if (pe.dotnet) ctx.meta(meta::pe::dotnet, true);
    if (pe.tls_callbacks) {
      // Code that runs before the entry point: debuggers and sandboxes that break
      // on the entry miss it. mingw's CRT registers one too, hence low.
      ctx.anomaly("pe.tls_callbacks", Severity::low, pe.nt_offset,
                  "TLS callbacks run before the entry point");
    }
  }

  static void sections(core::UnpackContext& ctx, const PeImage& pe, std::uint64_t file_size) {
    ctx.meta(meta::pe::sections, static_cast<std::int64_t>(pe.sections.size()));
    const std::uint64_t align = std::max<std::uint64_t>(pe.file_alignment, 0x200);
    for (std::size_t i = 0; i < pe.sections.size(); ++i) {
      const Section& s = pe.sections[i];
      const std::string name = ctx.clean_name(s.name);
      ctx.meta(meta::pe::section_index[std::to_string(i)],
               name + " va=" + hex32(s.virtual_address) + " vsize=" + std::to_string(s.virtual_size) +
                   " raw=" + hex32(s.raw_pointer) + " rawsize=" + std::to_string(s.raw_size) +
                   " flags=" + hex32(s.characteristics) + " entropy=" + two_decimals(s.entropy));
      if ((s.characteristics & kScnMemExecute) && (s.characteristics & kScnMemWrite)) {
        ctx.anomaly("pe.wx_section", Severity::medium, pe.nt_offset,
                    "section " + name + " is both writable and executable (self-modifying or unpacking code)");
      }
      const std::uint64_t raw_end = static_cast<std::uint64_t>(s.raw_pointer) + s.raw_size;
      if (s.raw_size != 0 && raw_end > file_size) {
        ctx.anomaly("pe.section_past_eof", Severity::medium, s.raw_pointer,
                    "section " + name + " claims raw data up to " + std::to_string(raw_end) +
                        " in a file of " + std::to_string(file_size) + " bytes");
      }
      const std::uint64_t mapped = (static_cast<std::uint64_t>(s.virtual_size) + align - 1) / align * align;
      if (s.virtual_size != 0 && s.raw_size > mapped + (64u << 10)) {
        ctx.anomaly("pe.section_raw_exceeds_virtual", Severity::medium, s.raw_pointer,
                    "section " + name + " has " + std::to_string(s.raw_size - s.virtual_size) +
                        " raw bytes the loader never maps");
      }
      if (s.virtual_size > 16ull * s.raw_size && s.virtual_size - s.raw_size > (1u << 20)) {
        ctx.anomaly("pe.section_virtual_exceeds_raw", Severity::low, s.raw_pointer,
                    "section " + name + " maps " + std::to_string(s.virtual_size) + " bytes from " +
                        std::to_string(s.raw_size) + " on disk (a packer's unpacking space)");
      }
    }
  }

  static void entry_point(core::UnpackContext& ctx, const PeImage& pe) {
    if (pe.entry_point == 0 && (pe.characteristics & kFileDll)) return;  // a resource-only DLL
    if (!pe.entry_section) {
      ctx.anomaly("pe.entry_outside_sections", Severity::medium, pe.optional_header_offset + 16,
                  "the entry point " + hex32(pe.entry_point) + " lies in no section");
      return;
    }
    const Section& s = pe.sections[*pe.entry_section];
    ctx.meta(meta::pe::entry_section, ctx.clean_name(s.name));
    const bool code = (s.characteristics & (kScnMemExecute | kScnCntCode)) != 0;
    if (!code || (s.characteristics & kScnMemWrite)) {
      ctx.anomaly("pe.entry_in_noncode_section", Severity::medium, pe.optional_header_offset + 16,
                  "the entry point lies in section " + ctx.clean_name(s.name) +
                      (code ? ", which is writable" : ", which is not code"));
    }
  }

  static void imports_exports(core::UnpackContext& ctx, const PeImage& pe) {
    if (!pe.imports.empty()) {
      std::string dlls;
      for (const ImportedDll& d : pe.imports) {
        if (!dlls.empty()) dlls.push_back(',');
        dlls += d.dll;
      }
      ctx.meta(meta::pe::imports_dlls, ctx.clean_name(dlls));
      ctx.meta(meta::pe::imports_count, static_cast<std::int64_t>(pe.import_symbol_count));
      ctx.meta(meta::pe::imphash, pe.imphash);
    }
    if (pe.directories[kDirExport].rva != 0) {
      ctx.meta(meta::pe::exports_name, ctx.clean_name(pe.export_dll_name));
      ctx.meta(meta::pe::exports_count, static_cast<std::int64_t>(pe.export_count));
      std::string names;
      for (const std::string& n : pe.export_names) {
        if (!names.empty()) names.push_back(',');
        names += n;
      }
      if (!names.empty()) ctx.meta(meta::pe::exports_names, ctx.clean_name(names));
    }
  }

  static void signature(core::UnpackContext& ctx, const PeImage& pe) {
    ctx.meta(meta::pe::signed_, pe.has_security);
    if (!pe.has_security) return;
    auto signer = read_signer(pe.pkcs7);
    if (!signer) {
      ctx.anomaly("pe.signature_unparsable", Severity::medium, pe.security_offset,
                  "the certificate table holds no readable PKCS#7 SignedData");
      return;
    }
    ctx.meta(meta::pe::signer_subject, ctx.clean_name(signer->subject_cn));
    ctx.meta(meta::pe::signer_issuer, ctx.clean_name(signer->issuer_cn));
  }

  // VERSIONINFO strings in the resource's order; analysis/executables judges a
  // vendor named by an unsigned program.
  static void version(core::UnpackContext& ctx, const PeImage& pe) {
    for (const auto& [key, value] : pe.version_strings) {
      ctx.meta(meta::pe::version_field[ctx.clean_name(key)], ctx.clean_name(value));
    }
    if (!pe.execution_level.empty()) {
      ctx.meta(meta::pe::manifest_execution_level, ctx.clean_name(pe.execution_level));
    }
  }

  static void resources(core::UnpackContext& ctx, const PeImage& pe, ByteView file) {
    if (pe.resources.empty()) return;
    ctx.meta(meta::pe::resources, static_cast<std::int64_t>(pe.resources.size()));
    for (const Resource& r : pe.resources) {
      if (!r.in_file || r.size == 0 || !emit_resource(r)) continue;
      const std::string path = "/" + r.type + "/" + r.name + "/" + std::to_string(r.lang);
      auto view = file.subview(r.file_offset, r.size);
      if (!view) continue;
      if (!ctx.emit(*view, "", {Name{"pe.resource", ctx.clean_name(path)}})) return;
    }
  }

  static void overlay(core::UnpackContext& ctx, const PeImage& pe, ByteView file) {
    if (!pe.overlay_offset) return;
    ctx.meta(meta::pe::overlay_offset, static_cast<std::int64_t>(*pe.overlay_offset));
    ctx.meta(meta::pe::overlay_size, static_cast<std::int64_t>(pe.overlay_size));
    ctx.meta(meta::pe::overlay_entropy, two_decimals(pe.overlay_entropy));
    if (pe.overlay_size == 0) return;
    auto view = file.subview(*pe.overlay_offset, pe.overlay_size);
    if (view) ctx.emit(*view, "overlay@" + std::to_string(*pe.overlay_offset), {});
  }
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<PeUnpacker>()); }

}  // namespace sluice::formats::pe
