#include "core/sniff.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/reader.hpp"
#include "core/script_sniff.hpp"
#include "core/swar.hpp"
#include "core/text.hpp"

namespace sluice::core {
namespace {

// value_or(0): sniffing probes headers that may be cut short; a field past
// the end reads 0, which no magic or size test here accepts as a match.
std::uint64_t le(ByteView b, std::uint64_t off, int width) {
  switch (width) {
    case 1: return load_le<std::uint8_t>(b, off).value_or(0);
    case 2: return load_le<std::uint16_t>(b, off).value_or(0);
    case 4: return load_le<std::uint32_t>(b, off).value_or(0);
    default: return load_le<std::uint64_t>(b, off).value_or(0);
  }
}

bool is_pow2(std::uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

// LHA/LZH has no leading magic: the method id "-lh5-" sits at offset 2 of the
// first header, with the header level (0-3) at offset 20. Requiring both, and
// a known method letter pair, keeps text that mentions "-lh5-" from matching.
bool is_lha(ByteView b) {
  std::uint8_t c3 = 0, c4 = 0, c5 = 0, level = 0;
  if (!b.matches_at(2, "-l") || !b.byte_at(4, c3) || !b.byte_at(5, c4) || !b.byte_at(6, c5) ||
      !b.byte_at(20, level)) {
    return false;
  }
  const bool lh = c3 == 'h' && ((c4 >= '0' && c4 <= '7') || c4 == 'd');
  const bool lz = c3 == 'z' && (c4 == 's' || c4 == '4' || c4 == '5');
  return (lh || lz) && c5 == '-' && level <= 3;
}

FileType sniff_mz(ByteView b) {
  const std::uint64_t pe = le(b, 0x3C, 4);
  if (pe >= 0x40 && b.matches_at(pe, std::string_view("PE\0\0", 4))) {
    const std::uint64_t characteristics = le(b, pe + 4 + 18, 2);
    return (characteristics & 0x2000) ? FileType::pe_dll : FileType::pe_exe;
  }
  // A bare DOS executable still runs (NTVDM, DOSBox); keep it executable.
  return FileType::pe_exe;
}

// ISO 9660 volume descriptors start at sector 16; raw 2352-byte images carry a
// 16-byte sync/header before each 2048-byte payload.
FileType sniff_disc(ByteView b) {
  constexpr std::uint64_t kVrs = 16 * 2048;
  if (b.matches_at(kVrs + 1, "CD001") || b.matches_at(16 * 2352 + 16 + 1, "CD001") ||
      b.matches_at(16 * 2352 + 24 + 1, "CD001")) {
    return FileType::iso9660;
  }
  // UDF's volume recognition sequence (ECMA-167 2/8.3): BEA01, NSR02|NSR03,
  // TEA01, each in its own sector of 2048 bytes or more.
  for (std::uint64_t sector : {2048ull, 4096ull, 512ull}) {
    bool bea = false;
    for (std::uint64_t i = 0; i < 8; ++i) {
      const std::uint64_t off = kVrs + i * std::max<std::uint64_t>(sector, 2048) + 1;
      if (b.matches_at(off, "BEA01")) bea = true;
      if (bea && (b.matches_at(off, "NSR02") || b.matches_at(off, "NSR03"))) return FileType::udf;
    }
  }
  return FileType::unknown;
}

bool valid_fat_bpb(ByteView b) {
  std::uint8_t jmp = 0;
  if (!b.byte_at(0, jmp) || !(jmp == 0xEB || jmp == 0xE9 || jmp == 0xE8)) return false;
  const auto bytes_per_sector = le(b, 11, 2);
  const auto sectors_per_cluster = le(b, 13, 1);
  const auto reserved = le(b, 14, 2);
  const auto fats = le(b, 16, 1);
  const auto media = le(b, 21, 1);
  const auto total16 = le(b, 19, 2);
  const auto total32 = le(b, 32, 4);
  if (!is_pow2(bytes_per_sector) || bytes_per_sector < 512 || bytes_per_sector > 4096) return false;
  if (!is_pow2(sectors_per_cluster)) return false;
  if (reserved == 0 || fats == 0 || fats > 4) return false;
  if (media != 0xF0 && media < 0xF8) return false;
  return total16 != 0 || total32 != 0;
}

bool valid_mbr(ByteView b) {
  if (!b.matches_at(510, "\x55\xAA")) return false;
  bool any = false;
  for (int i = 0; i < 4; ++i) {
    const std::uint64_t e = 446 + static_cast<std::uint64_t>(i) * 16;
    const auto status = le(b, e, 1);
    const auto type = le(b, e + 4, 1);
    const auto lba = le(b, e + 8, 4);
    const auto count = le(b, e + 12, 4);
    if (status != 0 && status != 0x80) return false;
    if (type == 0) continue;
    if (lba == 0 || count == 0) return false;
    any = true;
  }
  return any;
}

FileType sniff_volume(ByteView b) {
  if (b.matches_at(3, "NTFS    ")) return FileType::ntfs;
  if (b.matches_at(3, "EXFAT   ")) return FileType::exfat;
  // GPT header at LBA 1 for 512- or 4096-byte sectors.
  if (b.matches_at(512, "EFI PART") || b.matches_at(4096, "EFI PART")) return FileType::gpt;
  if (valid_fat_bpb(b)) return FileType::fat;
  if (valid_mbr(b)) return FileType::mbr;
  return FileType::unknown;
}

bool looks_like_lzma_alone(ByteView b) {
  // props byte (lc/lp/pb) < 225, a dictionary size of 2^n or 2^n+2^(n-1), and
  // an uncompressed size that is either "unknown" or below 256 GiB.
  std::uint8_t props = 0;
  if (!b.byte_at(0, props) || props >= 225 || b.size() < 13) return false;
  const auto dict = le(b, 1, 4);
  const auto size = le(b, 5, 8);
  const bool dict_ok = is_pow2(dict) || (dict % 3 == 0 && is_pow2(dict / 3));
  return props == 0x5D && dict_ok && dict >= 4096 && (size == UINT64_MAX || size < (1ull << 38));
}

// Header-field syntax (RFC 5322 3.6.8): printable name, then a colon.
bool header_line(std::string_view line, std::string_view& name) {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 76) return false;
  for (char c : line.substr(0, colon)) {
    if (c <= 32 || c >= 127) return false;
  }
  name = line.substr(0, colon);
  return true;
}

bool known_mail_header(std::string_view n) {
  static constexpr std::array<std::string_view, 14> kNames{
      "from",        "to",           "subject",      "date",       "received",
      "return-path", "message-id",   "mime-version", "content-type", "delivered-to",
      "reply-to",    "x-mailer",     "cc",           "sender"};
  return std::any_of(kNames.begin(), kNames.end(), [n](std::string_view k) { return ascii_lower_equals(n, k); });
}

// At least two header fields, one of them a mail header, before the first
// blank line: enough to tell a message from a text file that has one colon.
FileType sniff_mail(ByteView b) {
  std::string_view text = b.clamp(0, 64 * 1024).chars();
  bool mbox = false;
  if (text.starts_with("From ")) {
    const auto nl = text.find('\n');
    if (nl == std::string_view::npos) return FileType::unknown;
    text.remove_prefix(nl + 1);
    mbox = true;
  }
  int fields = 0, known = 0;
  std::string_view name;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') {
      if (fields == 0) return FileType::unknown;  // continuation before any field
    } else if (header_line(line, name)) {
      ++fields;
      if (known_mail_header(name)) ++known;
      // Decided: nothing further down can undo it.
      if (fields >= 2 && known >= 1) break;
    } else {
      break;
    }
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  if (fields >= 2 && known >= 1) return mbox ? FileType::mbox : FileType::email;
  return FileType::unknown;
}

FileType classify_text(std::string_view head_chars);

// An .xlsb part ([MS-XLSB] 2.1.4): records of a 1-2 byte type and a 1-4 byte
// size, 7 bits per byte. A workbook starts with BrtBeginBook (0x83), a sheet
// or macro sheet with BrtBeginSheet (0x81), an external link with
// BrtBeginSupBook (0x168); the records after it must chain inside the part.
bool is_biff12_part(ByteView b) {
  std::uint64_t pos = 0;
  auto varint = [&](int max_bytes, std::uint32_t& out) {
    out = 0;
    for (int i = 0; i < max_bytes; ++i) {
      std::uint8_t c = 0;
      if (!b.byte_at(pos, c)) return false;
      ++pos;
      out |= static_cast<std::uint32_t>(c & 0x7F) << (7 * i);
      if ((c & 0x80) == 0) return true;
    }
    return false;
  };
  for (int record = 0; record < 8; ++record) {
    if (pos == b.size()) return record >= 1;
    std::uint32_t type = 0, size = 0;
    if (!varint(2, type) || !varint(4, size) || !b.contains(pos, size)) return false;
    if (record == 0 && type != 0x83 && type != 0x81 && type != 0x168) return false;
    pos += size;
  }
  return true;
}

bool is_office_xml(std::string_view lower_head) {
  static constexpr std::string_view kMarkers[] = {
      "schemas.openxmlformats.org/package/2006/",         // relationships, content types
      "schemas.openxmlformats.org/wordprocessingml/",     // document, settings, webSettings
      "schemas.openxmlformats.org/spreadsheetml/",        // workbook, sheets, externalLinks
      "schemas.openxmlformats.org/presentationml/",       // presentation, slides
      "schemas.microsoft.com/office/excel/2006/main",     // xm:macrosheet
      "schemas.microsoft.com/office/word/2003/wordml",    // Word 2003 XML
      "schemas.microsoft.com/office/2006/xmlpackage",     // flat OPC (Word 2007 XML)
      "urn:schemas-microsoft-com:office:spreadsheet",     // Excel 2003 XML
      "progid=\"word.document\"", "progid=\"excel.sheet\"", "progid=\"powerpoint.show\"",
  };
  for (std::string_view m : kMarkers) {
    if (lower_head.find(m) != std::string_view::npos) return true;
  }
  return false;
}

FileType sniff_text(ByteView b) {
  // PowerShell and .reg files are often saved as UTF-16LE with a BOM: NUL
  // bytes everywhere, yet text. Judge the decoded characters.
  if (b.starts_with("\xFF\xFE")) {
    return classify_text(utf16_to_utf8(b.clamp(2, 128 * 1024), std::endian::little));
  }
  // 64 KiB: a dropper's first line may be a long base64 string or comment
  // padding, with the WSH idioms after it. The printable test reads 4 KiB.
  const ByteView head = b.clamp(0, 64 * 1024);
  if (head.empty()) return FileType::unknown;
  return classify_text(head.chars());
}

FileType classify_text(std::string_view head) {
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  if (head.empty()) return FileType::unknown;
  const std::string_view first = head.substr(0, 4096);
  std::size_t printable = 0;
  bool nul = false;
  const auto one = [&](std::uint8_t c) {
    if (c == 0) nul = true;
    if (c >= 0x20 || c == '\n' || c == '\r' || c == '\t' || c == '\f') ++printable;
  };
  // Eight bytes a step where none is a control character (most of any text:
  // this count ran over the first 4 KiB of every part of every message).
  std::size_t i = 0;
  for (; i + 8 <= first.size(); i += 8) {
    if (swar::any_below(swar::load(first.data() + i), 0x20) == 0) {
      printable += 8;
      continue;
    }
    for (std::size_t k = i; k < i + 8; ++k) one(static_cast<std::uint8_t>(first[k]));
    if (nul) return FileType::unknown;
  }
  for (; i < first.size(); ++i) one(static_cast<std::uint8_t>(first[i]));
  if (nul) return FileType::unknown;
  if (printable * 100 < first.size() * 95) return FileType::unknown;
  // The script matcher reads the whole head in any case; the tests on the
  // start of the text read a lower-cased copy of the first 4 KiB alone.
  const ScriptSniff script = sniff_script(head);
  const std::string lower = ascii_lower(first);
  const std::string_view t = lower;
  // VBA module source always starts with its name attribute (MS-OVBA 2.3.4.3
  // module streams as Office writes them; .bas/.cls exports too).
  if (t.starts_with("attribute vb_name")) return FileType::vba;
  // HTA and WSF are markup that holds scripts: decided before plain HTML.
  if (script.type == FileType::script_hta || script.type == FileType::script_wsf) return script.type;
  if (t.starts_with("<!doctype html") || script.html_tag) return FileType::html;
  // SVG is XML: an optional declaration, doctype or comment, then <svg.
  // Checked on the start only, so an HTML page or a script that mentions
  // "<svg" stays what it is.
  std::string_view lead_raw = head;
  while (!lead_raw.empty() &&
         (lead_raw.front() == ' ' || lead_raw.front() == '\t' || lead_raw.front() == '\r' || lead_raw.front() == '\n'))
    lead_raw.remove_prefix(1);
  const std::string lead_lower = ascii_lower(lead_raw.substr(0, 16));
  const std::string_view lead = lead_lower;
  if (lead.starts_with("<svg") || ((lead.starts_with("<?xml") || lead.starts_with("<!doctype svg") ||
                                    lead.starts_with("<!--")) &&
                                   t.find("<svg") != std::string_view::npos))
    return FileType::svg;
  // Office opens XML by its namespaces and processing instruction, not by
  // its name: OOXML parts, Word/Excel 2003 XML and flat OPC packages.
  if (lead.starts_with("<") && is_office_xml(t)) return FileType::office_xml;
  // HTML fragments browsers open just the same (a saved page without <html>,
  // a smuggling page that is one <script>): an element a document starts with.
  for (std::string_view tag : {"<head", "<body", "<script", "<meta ", "<title", "<!doctype html"}) {
    if (lead.starts_with(tag)) return FileType::html;
  }
  return script.type;
}

// An OLE2 compound file is an Outlook message when its directory holds the
// MS-OXMSG property streams. Directory entries are 128 bytes, sector-aligned,
// and start with the UTF-16LE name; checking every aligned slot for those names
// avoids walking the FAT here (the msg unpacker does that, bounded). A document
// embedding a message as a sub-storage also matches; it is then read as one.
// Only the first 512 MiB are looked at: a view into a sparse virtual disk can
// be terabytes long (docs/adr/0009), and no mail client writes a message whose
// directory lies further in.
FileType sniff_ole2(ByteView b) {
  constexpr std::uint64_t kScanBytes = 512ull << 20;
  const auto shift = le(b, 30, 2);
  if (shift != 9 && shift != 12) return FileType::ole2;
  static constexpr std::string_view kProps("_\0_\0p\0r\0o\0p\0e\0r\0t\0i\0e\0s\0_\0", 26);
  static constexpr std::string_view kSubstg("_\0_\0s\0u\0b\0s\0t\0g\0" "1\0.\0" "0\0_\0", 24);
  const std::uint64_t end = std::min<std::uint64_t>(b.size(), kScanBytes);
  for (std::uint64_t off = 1ull << shift; off + 128 <= end; off += 128) {
    if (b.matches_at(off, kProps) || b.matches_at(off, kSubstg)) return FileType::outlook_msg;
  }
  return FileType::ole2;
}

}  // namespace

FileType sniff(ByteView b) noexcept {
  if (b.empty()) return FileType::unknown;
  if (b.starts_with("vhdxfile")) return FileType::vhdx;
  if (b.starts_with("conectix")) return FileType::vhd;
  if (b.starts_with("MZ")) return sniff_mz(b);
  if (b.starts_with("\x7F" "ELF")) return FileType::elf;
  if (b.starts_with("\xFE\xED\xFA\xCE") || b.starts_with("\xFE\xED\xFA\xCF") ||
      b.starts_with("\xCE\xFA\xED\xFE") || b.starts_with("\xCF\xFA\xED\xFE"))
    return FileType::macho;
  if (b.starts_with("\x1F\x8B\x08")) return FileType::gzip;
  if (std::uint8_t level = 0; b.starts_with("BZh") && b.byte_at(3, level) && level >= '1' && level <= '9')
    return FileType::bzip2;
  if (b.starts_with(std::string_view("\xFD" "7zXZ\0", 6))) return FileType::xz;
  if (b.starts_with("\x28\xB5\x2F\xFD")) return FileType::zstd;
  if (b.starts_with("PK\x03\x04") || b.starts_with("PK\x05\x06") || b.starts_with("PK\x07\x08"))
    return FileType::zip;
  if (b.starts_with("7z\xBC\xAF\x27\x1C")) return FileType::sevenzip;
  if (b.starts_with(std::string_view("Rar!\x1A\x07", 6))) return FileType::rar;
  if (b.starts_with("MSCF")) return FileType::cab;
  if (b.starts_with("\x60\xEA")) return FileType::arj;
  if (b.starts_with("070701") || b.starts_with("070702") || b.starts_with("070707") ||
      b.starts_with("\xC7\x71") || b.starts_with("\x71\xC7"))
    return FileType::cpio;
  if (is_lha(b)) return FileType::lha;
  if (b.starts_with("!<arch>\n")) return FileType::ar;
  if (b.starts_with("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) return sniff_ole2(b);
  if (b.starts_with(std::string_view("L\0\0\0\x01\x14\x02\0\0\0\0\0\xC0\0\0\0\0\0\0\x46", 20)))
    return FileType::lnk;
  if (b.starts_with("\x78\x9F\x3E\x22")) return FileType::tnef;
  // guidFileType {7B5C52E4-D88C-4DA7-AEB1-5378D02996D3} as stored (little-endian fields).
  if (b.starts_with("\xE4\x52\x5C\x7B\x8C\xD8\xA7\x4D\xAE\xB1\x53\x78\xD0\x29\x96\xD3")) return FileType::onenote;
  if (b.starts_with("ITSF")) return FileType::chm;
  if (b.starts_with("ActiveMime")) return FileType::activemime;
  if ((b.starts_with("\x83\x01") || b.starts_with("\x81\x01") || b.starts_with("\xE8\x02")) && is_biff12_part(b))
    return FileType::biff12;
  // Word opens anything that starts "{\rt" as RTF (droppers write "{\rt{" to
  // slip past "{\rtf" checks).
  if (b.starts_with("{\\rt")) return FileType::rtf;
  if (b.starts_with("\x89PNG\r\n\x1A\n")) return FileType::png;
  if (b.starts_with("\xFF\xD8\xFF")) return FileType::jpeg;
  if (b.starts_with("GIF87a") || b.starts_with("GIF89a")) return FileType::gif;
  if (b.matches_at(257, "ustar")) return FileType::tar;

  if (const FileType disc = sniff_disc(b); disc != FileType::unknown) return disc;
  if (b.size() >= 512 && b.matches_at(b.size() - 512, "conectix")) return FileType::vhd;
  if (b.size() >= 512 && b.matches_at(b.size() - 512, "koly")) return FileType::dmg;
  if (const FileType vol = sniff_volume(b); vol != FileType::unknown) return vol;

  // PDF readers accept the header anywhere in the first KiB.
  if (b.clamp(0, 1024).chars().find("%PDF-") != std::string_view::npos) return FileType::pdf;
  if (b.starts_with(std::string_view("\0\0\x01\0", 4)) && le(b, 4, 2) > 0 && le(b, 4, 2) < 256 &&
      le(b, 6 + 8, 4) > 0)
    return FileType::ico;
  if (looks_like_lzma_alone(b)) return FileType::lzma;
  if (const FileType m = sniff_mail(b); m != FileType::unknown) return m;
  return sniff_text(b);
}

}  // namespace sluice::core
