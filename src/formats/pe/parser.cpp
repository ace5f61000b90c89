// PE headers, sections, directories, Rich header, TLS, CLR, certificate table and
// overlay. Address mapping follows pefile (the oracle) where the PE spec is silent:
// PointerToRawData rounded down to 512 when FileAlignment >= 512 (the loader does
// the same), sections sized max(raw, virtual) and clipped at the next section.
#include "core/text.hpp"
#include "formats/pe/parser.hpp"

#include <array>
#include <cmath>

#include "core/checked.hpp"
#include "core/reader.hpp"
#include "formats/pe/detail.hpp"
#include "formats/pe/layout.hpp"

namespace sluice::formats::pe {
namespace {

using core::checked_add;
using core::load_le;

std::uint64_t raw_pointer_adj(const PeImage& pe, const Section& s) noexcept {
  if (pe.file_alignment < 0x200) return s.raw_pointer;
  return (static_cast<std::uint64_t>(s.raw_pointer) / 0x200) * 0x200;
}

std::uint64_t virtual_address_adj(const PeImage& pe, const Section& s) noexcept {
  std::uint64_t align = pe.section_alignment < 0x1000 ? pe.file_alignment : pe.section_alignment;
  if (align != 0 && s.virtual_address % align != 0) return (s.virtual_address / align) * align;
  return s.virtual_address;
}

// pefile's SectionStructure.contains_rva, including its clipping at the next section.
bool section_contains(const PeImage& pe, std::size_t i, std::uint64_t file_size,
                      std::uint64_t rva) noexcept {
  const Section& s = pe.sections[i];
  const std::uint64_t va = virtual_address_adj(pe, s);
  const std::uint64_t raw = raw_pointer_adj(pe, s);
  std::uint64_t size = 0;
  if (raw > file_size || file_size - raw < s.raw_size) {
    size = s.virtual_size;  // SizeOfRawData is a lie: trust the virtual size
  } else {
    size = std::max<std::uint64_t>(s.raw_size, s.virtual_size);
  }
  if (i + 1 < pe.sections.size()) {
    const std::uint64_t next = pe.sections[i + 1].virtual_address;
    if (next > s.virtual_address && va + size > next) size = next > va ? next - va : 0;
  }
  return va <= rva && rva < va + size;
}

std::optional<std::size_t> section_of(const PeImage& pe, std::uint64_t file_size,
                                      std::uint64_t rva) noexcept {
  for (std::size_t i = 0; i < pe.sections.size(); ++i) {
    if (section_contains(pe, i, file_size, rva)) return i;
  }
  return std::nullopt;
}

// pefile's get_offset_from_rva, which may point past the file (callers check).
std::optional<std::uint64_t> pefile_offset(const PeImage& pe, std::uint64_t file_size,
                                           std::uint64_t rva) noexcept {
  if (auto i = section_of(pe, file_size, rva)) {
    const Section& s = pe.sections[*i];
    return rva - virtual_address_adj(pe, s) + raw_pointer_adj(pe, s);
  }
  if (rva < file_size) return rva;
  return std::nullopt;
}

std::string section_name(ByteView raw) {
  std::string out;
  for (char c : raw.chars()) {
    if (c == '\0') break;
    out.push_back(c);
  }
  return out;
}

Status parse_sections(Parsed<PeImage>& out, ByteView file, std::uint64_t table, std::uint16_t count,
                      const Limits& limits) {
  PeImage& pe = out.model;
  if (count > limits.pe.max_sections) {
    detail::problem(out.anomalies, "pe.too_many_sections", Severity::medium, pe.nt_offset + 6,
                    std::to_string(count) + " sections declared; the Windows loader refuses more than " +
                        std::to_string(limits.pe.max_sections));
    count = static_cast<std::uint16_t>(limits.pe.max_sections);
  }
  for (std::uint16_t i = 0; i < count; ++i) {
    const std::uint64_t at = table + static_cast<std::uint64_t>(i) * kSectionHeaderSize;
    auto hdr = file.subview(at, kSectionHeaderSize);
    if (!hdr) {
      detail::problem(out.anomalies, "pe.truncated_headers", Severity::low, at, "the section table runs past the end of the file");
      break;
    }
    // value_or: in bounds, the whole 40-byte header was taken by subview above.
    core::Reader r(*hdr, at);
    Section s;
    s.name = section_name(r.bytes(8).value_or(ByteView{}));
    s.virtual_size = r.le<std::uint32_t>().value_or(0);
    s.virtual_address = r.le<std::uint32_t>().value_or(0);
    s.raw_size = r.le<std::uint32_t>().value_or(0);
    s.raw_pointer = r.le<std::uint32_t>().value_or(0);
    (void)r.skip(12);  // relocations, line numbers and their counts: COFF objects only
    s.characteristics = r.le<std::uint32_t>().value_or(0);
    pe.sections.push_back(std::move(s));
  }
  // Entropy as pefile: data[adj_ptr : min(adj_ptr + raw, ptr + raw)], clipped at EOF.
  for (Section& s : pe.sections) {
    const std::uint64_t start = raw_pointer_adj(pe, s);
    const std::uint64_t end = std::min<std::uint64_t>(start + s.raw_size,
                                                      static_cast<std::uint64_t>(s.raw_pointer) + s.raw_size);
    if (end > start) s.entropy = shannon_entropy(file.clamp(start, end - start));
  }
  return {};
}

void find_rich(PeImage& pe, ByteView file) {
  // Scan the DOS stub area for "Rich"; the dword after it is the XOR key.
  // value_or: in bounds, every offset here is below nt_offset, where "PE\0\0"
  // was found, so the file holds it.
  for (std::uint64_t off = kDosHeaderSize; off + 8 <= pe.nt_offset; off += 4) {
    if (load_le<std::uint32_t>(file, off).value_or(0) != kRichMarker) continue;
    const std::uint32_t key = load_le<std::uint32_t>(file, off + 4).value_or(0);
    for (std::uint64_t back = off; back >= kDosHeaderSize + 4;) {
      back -= 4;
      if ((load_le<std::uint32_t>(file, back).value_or(0) ^ key) == kDansMarker) {
        pe.has_rich = true;
        // DanS, three padding dwords, then (comp.id, count) pairs up to "Rich".
        const std::uint64_t first = back + 16;
        pe.rich_entries = off > first ? static_cast<std::uint32_t>((off - first) / 8) : 0;
        return;
      }
    }
    return;
  }
}

void parse_tls(PeImage& pe, ByteView file) {
  const DataDirectory& d = pe.directories[kDirTls];
  if (d.rva == 0) return;
  auto off = rva_to_offset(pe, file.size(), d.rva);
  if (!off) return;
  // AddressOfCallBacks is the 4th pointer-sized field of IMAGE_TLS_DIRECTORY.
  const std::uint64_t width = pe.pe32_plus ? 8 : 4;
  const std::uint64_t field = *off + 3 * width;
  // value_or(0): a TLS directory or callback list cut off by the end of the
  // file declares no callback (0 ends the list, as for the loader).
  const std::uint64_t va = pe.pe32_plus ? load_le<std::uint64_t>(file, field).value_or(0)
                                        : load_le<std::uint32_t>(file, field).value_or(0);
  if (va == 0 || va < pe.image_base) return;
  auto cb = rva_to_offset(pe, file.size(), va - pe.image_base);
  if (!cb) {
    pe.tls_callbacks = true;  // a callback list the file does not hold: still declared
    return;
  }
  // value_or(0): as above, a list cut off by the end of the file is empty.
  const std::uint64_t first = pe.pe32_plus ? load_le<std::uint64_t>(file, *cb).value_or(0)
                                           : load_le<std::uint32_t>(file, *cb).value_or(0);
  pe.tls_callbacks = first != 0;
}

void parse_security(Parsed<PeImage>& out, ByteView file) {
  PeImage& pe = out.model;
  const DataDirectory& d = pe.directories[kDirSecurity];
  if (d.rva == 0 || d.size == 0) return;
  pe.has_security = true;
  pe.security_offset = d.rva;  // a file offset, not an RVA
  pe.security_size = d.size;
  auto table = file.subview(d.rva, d.size);
  if (!table) {
    detail::problem(out.anomalies, "pe.certificate_table_invalid", Severity::medium, d.rva,
                    "the certificate table lies past the end of the file");
    return;
  }
  // value_or(0): a table shorter than the 8-byte header reads length 0, which
  // the check below reports as not fitting.
  const std::uint32_t length = load_le<std::uint32_t>(*table, 0).value_or(0);
  const std::uint16_t type = load_le<std::uint16_t>(*table, 6).value_or(0);
  if (length < kWinCertificateHeaderSize || length > table->size()) {
    detail::problem(out.anomalies, "pe.certificate_table_invalid", Severity::medium, d.rva,
                    "WIN_CERTIFICATE length " + std::to_string(length) + " does not fit the table");
    return;
  }
  if (type != kWinCertTypePkcsSignedData) return;
  pe.pkcs7 = table->subview(kWinCertificateHeaderSize, length - kWinCertificateHeaderSize)
                 .value_or(ByteView{});
}

void find_overlay(PeImage& pe, ByteView file) {
  const std::uint64_t size = file.size();
  std::uint64_t largest = 0;
  auto consider = [&](std::uint64_t off, std::uint64_t len) {
    auto end = checked_add(off, len);
    if (end && *end <= size && *end > largest) largest = *end;
  };
  consider(pe.optional_header_offset, pe.optional_header_size);
  for (const Section& s : pe.sections) consider(s.raw_pointer, s.raw_size);
  for (std::uint32_t i = 0; i < pe.directories.size(); ++i) {
    if (i == kDirSecurity) continue;  // pefile: the certificate table is overlay data
    if (auto off = pefile_offset(pe, size, pe.directories[i].rva)) consider(*off, pe.directories[i].size);
  }
  if (size <= largest) return;
  pe.overlay_offset = largest;
  std::uint64_t end = size;
  // Sluice's overlay is what an SFX stub reads, so the Authenticode blob at the
  // end (which only WinVerifyTrust reads) is cut off.
  if (pe.has_security && pe.security_offset >= largest && pe.security_offset < end &&
      pe.security_offset + pe.security_size >= end) {
    end = pe.security_offset;
  }
  pe.overlay_size = end - largest;
  pe.overlay_entropy = shannon_entropy(file.clamp(largest, pe.overlay_size));
}

}  // namespace

double shannon_entropy(ByteView bytes) noexcept {
  if (bytes.empty()) return 0.0;
  std::array<std::uint64_t, 256> counts{};
  for (unsigned char c : bytes.chars()) ++counts[c];
  const double n = static_cast<double>(bytes.size());
  double h = 0.0;
  for (std::uint64_t c : counts) {
    if (c == 0) continue;
    const double p = static_cast<double>(c) / n;
    h -= p * std::log2(p);
  }
  return h;
}

std::optional<std::uint64_t> rva_to_offset(const PeImage& pe, std::uint64_t file_size,
                                           std::uint64_t rva) noexcept {
  auto off = pefile_offset(pe, file_size, rva);
  if (!off || *off >= file_size) return std::nullopt;
  return off;
}

Result<Parsed<PeImage>> parse(ByteView file, const Limits& limits) {
  if (!file.starts_with("MZ")) return fail(Errc::malformed, 0, "no MZ signature");
  Parsed<PeImage> out;
  PeImage& pe = out.model;
  auto lfanew = load_le<std::uint32_t>(file, kLfanewOffset);
  if (!lfanew) return fail(Errc::truncated, kLfanewOffset, "DOS header cut short");
  pe.nt_offset = *lfanew;
  if (!file.matches_at(pe.nt_offset, std::string_view("PE\0\0", 4))) {
    return fail(Errc::unsupported, kLfanewOffset, "no PE signature at e_lfanew: a DOS program");
  }
  auto coff = file.subview(pe.nt_offset + 4, kFileHeaderSize);
  if (!coff) return fail(Errc::truncated, pe.nt_offset + 4, "COFF file header cut short");
  // value_or: in bounds, the 20-byte COFF header was taken by subview above.
  core::Reader r(*coff, pe.nt_offset + 4);
  pe.machine = r.le<std::uint16_t>().value_or(0);
  const std::uint16_t nsections = r.le<std::uint16_t>().value_or(0);
  pe.timestamp = r.le<std::uint32_t>().value_or(0);
  (void)r.skip(8);  // symbol table pointer and count: COFF objects only
  pe.optional_header_size = r.le<std::uint16_t>().value_or(0);
  pe.characteristics = r.le<std::uint16_t>().value_or(0);
  pe.optional_header_offset = pe.nt_offset + 4 + kFileHeaderSize;

  // The optional header is read through a view clipped to the file: a header cut
  // short reads as zeros past the end, which is what the loader would map.
  const ByteView opt = file.clamp(pe.optional_header_offset, pe.optional_header_size);
  auto magic = load_le<std::uint16_t>(opt, 0);
  if (!magic) return fail(Errc::truncated, pe.optional_header_offset, "no optional header");
  if (*magic != kMagicPe32 && *magic != kMagicPe32Plus) {
    return fail(Errc::malformed, pe.optional_header_offset,
                "optional header magic " + std::to_string(*magic) + " is neither PE32 nor PE32+");
  }
  pe.pe32_plus = *magic == kMagicPe32Plus;
  // value_or(0): the view is clipped to the file; fields past its end read as
  // the zeros the loader maps there (a short header is reported just below).
  pe.entry_point = load_le<std::uint32_t>(opt, kOptEntryPoint).value_or(0);
  pe.image_base = pe.pe32_plus ? load_le<std::uint64_t>(opt, kOptImageBase64).value_or(0)
                               : load_le<std::uint32_t>(opt, kOptImageBase32).value_or(0);
  pe.section_alignment = load_le<std::uint32_t>(opt, kOptSectionAlignment).value_or(0);
  pe.file_alignment = load_le<std::uint32_t>(opt, kOptFileAlignment).value_or(0);
  pe.subsystem = load_le<std::uint16_t>(opt, kOptSubsystem).value_or(0);
  pe.dll_characteristics = load_le<std::uint16_t>(opt, kOptDllCharacteristics).value_or(0);
  const std::uint64_t nrva_at = pe.pe32_plus ? kOptNumberOfRvaAndSizes64 : kOptNumberOfRvaAndSizes32;
  const std::uint64_t dirs_at = pe.pe32_plus ? kOptDataDirectories64 : kOptDataDirectories32;
  if (!opt.contains(0, nrva_at + 4)) {
    detail::problem(out.anomalies, "pe.truncated_headers", Severity::low, pe.optional_header_offset,
                    "the optional header is shorter than its fixed fields");
  }
  // value_or(0): a header too short to hold NumberOfRvaAndSizes (reported
  // above) declares no directories.
  std::uint32_t ndirs = load_le<std::uint32_t>(opt, nrva_at).value_or(0);
  // The loader reads at most 16 directories; more is a lie benign linkers never tell.
  ndirs = std::min(ndirs, kMaxDataDirectories);
  pe.directories.assign(kMaxDataDirectories, DataDirectory{});
  for (std::uint32_t i = 0; i < ndirs; ++i) {
    const std::uint64_t at = dirs_at + static_cast<std::uint64_t>(i) * kDataDirectorySize;
    if (!opt.contains(at, kDataDirectorySize)) break;
    // value_or: in bounds, opt.contains(at, 8) just above.
    pe.directories[i].rva = load_le<std::uint32_t>(opt, at).value_or(0);
    pe.directories[i].size = load_le<std::uint32_t>(opt, at + 4).value_or(0);
  }

  auto table = checked_add(pe.optional_header_offset, pe.optional_header_size);
  if (!table) return fail(Errc::malformed, pe.nt_offset, "section table offset overflows");
  if (auto st = parse_sections(out, file, *table, nsections, limits); !st) return std::unexpected(st.error());
  pe.entry_section = section_of(pe, file.size(), pe.entry_point);

  find_rich(pe, file);
  parse_tls(pe, file);
  pe.dotnet = pe.directories[kDirClr].rva != 0 && pe.directories[kDirClr].size != 0;
  parse_security(out, file);
  detail::parse_imports(out, file, limits);
  detail::parse_exports(out, file, limits);
  detail::parse_resources(out, file, limits);
  find_overlay(pe, file);
  return out;
}

namespace detail {

std::optional<std::string> c_string_at(ByteView file, std::uint64_t off, std::uint32_t max) {
  const ByteView window = file.clamp(off, max);
  core::Reader r(window, off);
  auto s = r.until(0);
  if (!s) return std::nullopt;
  return std::string(s->chars());
}

std::optional<std::string> c_string_at_rva(const PeImage& pe, ByteView file, std::uint64_t rva,
                                           std::uint32_t max) {
  auto off = rva_to_offset(pe, file.size(), rva);
  if (!off) return std::nullopt;
  return c_string_at(file, *off, max);
}

std::string utf16_to_utf8(ByteView units) { return core::utf16_to_utf8(units, std::endian::little); }

}  // namespace detail
}  // namespace sluice::formats::pe
