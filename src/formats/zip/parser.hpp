#pragma once
// Pure ZIP structure parsing: ByteView in, model out. No anomalies are judged
// here (the unpacker compares central and local views); the parser only records
// facts, including the ones that contradict each other, so the glue can tell a
// benign tool's quirk from a parser-differential evasion.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/parsed.hpp"
#include "sluice/byte_view.hpp"
#include "sluice/limits.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::zip {

// What the extra fields of one header say (APPNOTE 4.5, 4.6; WinZip AE-x).
struct ExtraInfo {
  std::optional<std::uint64_t> zip64_usize;
  std::optional<std::uint64_t> zip64_csize;
  std::optional<std::uint64_t> zip64_offset;
  bool zip64_short = false;  // 0x0001 present but shorter than the markers demand
  bool has_unicode_path = false;
  std::uint32_t unicode_path_crc = 0;  // CRC-32 of the header name it replaces
  ByteView unicode_path;               // UTF-8
  bool has_aes = false;
  std::uint16_t aes_version = 0;  // 1 = AE-1 (CRC kept), 2 = AE-2 (CRC zero)
  std::uint8_t aes_strength = 0;  // 1/2/3 = AES-128/192/256
  std::uint16_t aes_method = 0;   // the real compression method
  bool malformed = false;         // a record runs past the extra area
  std::uint32_t duplicates = 0;   // the same id twice (libzip incons-ef-local-dupe-*)
};

// What the local and the central header of a member both say (APPNOTE 4.3.7,
// 4.3.12): the unpacker compares the two copies field by field.
struct HeaderFields {
  std::uint64_t offset = 0;  // of the PK\3\4 or PK\1\2 record in the artifact
  std::uint16_t needed = 0;
  std::uint16_t flags = 0;
  std::uint16_t method = 0;
  std::uint16_t mtime = 0;
  std::uint16_t mdate = 0;
  std::uint32_t crc = 0;
  std::uint64_t csize = 0;  // ZIP64 values already applied
  std::uint64_t usize = 0;
  ByteView name;
  ExtraInfo extra;
};

struct CentralEntry : HeaderFields {
  std::uint64_t record_size = 0;
  std::uint16_t made_by = 0;
  std::uint32_t disk = 0;
  std::uint16_t internal_attr = 0;
  std::uint32_t external_attr = 0;
  std::uint64_t local_offset = 0;  // as written, before any shift
  ByteView comment;
};

struct LocalHeader : HeaderFields {
  std::uint64_t data_offset = 0;  // first byte after the header
};

struct DataDescriptor {
  bool has_signature = false;
  std::uint32_t crc = 0;
  std::uint64_t csize = 0;
  std::uint64_t usize = 0;
  std::uint64_t size = 0;  // bytes the descriptor occupies
};

struct Eocd {
  std::uint64_t offset = 0;
  std::uint16_t disk = 0;
  std::uint16_t cd_disk = 0;
  std::uint64_t entries_disk = 0;
  std::uint64_t entries_total = 0;
  std::uint64_t cd_size = 0;
  std::uint64_t cd_offset = 0;
  ByteView comment;
  std::uint64_t comment_declared = 0;  // the length field, which may lie
  bool zip64 = false;                  // values come from a ZIP64 EOCD record
  std::uint64_t zip64_offset = 0;      // where that record is
  bool zip64_broken = false;           // a locator that points at no record
  std::uint64_t record_start = 0;      // first byte of the EOCD record set (ZIP64 or classic)
};

struct CentralDirectory {
  Eocd eocd;
  std::vector<std::uint64_t> other_eocds;  // further EOCD signatures that parse
  std::uint64_t shift = 0;  // bytes prepended after the archive was written (SFX stub)
  std::uint64_t start = 0;  // actual start of the central directory
  std::uint64_t end = 0;
  std::vector<CentralEntry> entries;
  bool stopped_early = false;  // a record did not parse before entries_total was reached
  bool capped = false;         // max_entries reached with records still following
  std::uint64_t stopped_at = 0;
};

// Every EOCD signature in the last 64 KiB + 22 bytes, nearest the end first.
[[nodiscard]] std::vector<std::uint64_t> find_eocd_candidates(ByteView zip);
[[nodiscard]] Result<Eocd> parse_eocd(ByteView zip, std::uint64_t offset);
// The directory an unzipper would use: the EOCD nearest the end whose central
// directory is where it says (allowing a uniform shift), its entries bounded by
// the bytes of the directory and max_children. Fails when no EOCD is usable
// (the unpacker then recovers members from local headers). The header readers
// below are what the unpacker reads each member with.
[[nodiscard]] Result<Parsed<CentralDirectory>> parse(ByteView zip, const Limits& limits);
[[nodiscard]] Result<LocalHeader> parse_local_header(ByteView zip, std::uint64_t offset);
// `zip64`: the sizes are 8 bytes (APPNOTE 4.3.9.2).
[[nodiscard]] Result<DataDescriptor> parse_data_descriptor(ByteView zip, std::uint64_t offset,
                                                           bool zip64);
// The extra area of a header; `usize`/`csize`/`offset` say which ZIP64 fields to expect.
[[nodiscard]] ExtraInfo parse_extra(ByteView extra, bool want_usize, bool want_csize,
                                    bool want_offset, bool want_disk);

// CP437 (the DOS code page APPNOTE Appendix D names for names without bit 11).
[[nodiscard]] std::string cp437_to_utf8(ByteView raw);
[[nodiscard]] std::uint32_t crc32_of(ByteView b);

}  // namespace sluice::formats::zip
