#pragma once
// IEEE P1282 (RRIP 1.12) entries of one SUSP area: what a Rock Ridge reader
// (Linux isofs, libarchive) learns about a directory record. The SUSP CE chain
// that links areas is walked by the caller; this only decodes entries.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "formats/iso9660/parser.hpp"
#include "sluice/artifact.hpp"
#include "sluice/byte_view.hpp"

namespace sluice::formats::iso9660 {

struct RockRidge {
  std::string name;
  bool has_name = false;
  bool symlink = false;
  std::string link_target;           // SL components joined with '/'
  std::optional<std::uint32_t> child_link;  // CL (4.1.5.1): LBA of the relocated directory
  bool relocated = false;            // RE (4.1.5.3): this directory's real place is a CL elsewhere
  std::vector<Meta> meta;            // PX, TF (and SL once complete) for the file's artifact
  std::optional<Zisofs> zisofs;
};

// Longest symlink target kept; PATH_MAX on Linux.
inline constexpr std::size_t kMaxLinkTarget = 4096;

// SUSP 5.1: a CE entry's fixed size (signature, length, version, then block,
// offset and length of the continuation area, each both-endian).
inline constexpr std::uint64_t kSuspCeSize = 28;

enum class EntryRead : std::uint8_t {
  read,         // a Rock Ridge entry, decoded
  unknown,      // not one this decodes (SP, ST, CE are the caller's)
  short_entry,  // a Rock Ridge entry shorter than its fixed fields: skipped
};

// Decodes one SUSP entry (`e` spans exactly the entry, its length byte checked).
[[nodiscard]] EntryRead parse_rrip_entry(ByteView e, RockRidge& rr);

// Called once all areas are read: turns the accumulated SL text into meta.
void finish_rock_ridge(RockRidge& rr);

// RRIP 4.1.6 TF timestamps: 7-byte (ECMA-119 9.1.5) or 17-byte (8.4.26.1) form,
// as ISO 8601 with the recorded offset from GMT. Empty when unspecified or invalid.
[[nodiscard]] std::string rr_time(ByteView t, bool long_form);

}  // namespace sluice::formats::iso9660
