#pragma once
// Caps on attacker-controlled counts inside one parsed structure, one group per
// format (or codec). They are part of `sluice::Limits` (limits.hpp) so every
// bound the engine enforces lives in one struct; a parser receives the whole
// `Limits` and reads its own group. Hitting one of these is reported by the
// parser as an anomaly or, where it names a LimitKind, as a limit hit. A
// format gets a group when its parser moves to the contract (docs/adr/0027)
// and has a cap of its own; caps the engine already has (max_children,
// max_name_length) are read from Limits directly.
//
// What is NOT here: numbers the formats' specifications fix (FAT12's 4,084
// clusters, VHDX's 256 MiB block size, a deflate code's 15 bits). Those are
// facts about the format, declared in its layout.hpp, not caps we chose.
#include <cstdint>

namespace sluice {

// Imports, exports and resources are capped by max_children each, strings by
// max_name_length (limits.hpp).
struct PeLimits {
  std::uint32_t max_sections = 96;  // the Windows loader refuses more than 96
};

struct Iso9660Limits {
  // Rock Ridge continuation areas chain through CE entries. libarchive caps the
  // chain (test_read_format_iso_rockridge_ce_loop); a visited set alone would
  // let one record walk every sector once, so a hop bound keeps each record O(1).
  std::uint32_t max_continuations = 32;
  // El Torito leaves the catalog length open; xorriso writes at most 32 images.
  std::uint64_t max_catalog_sectors = 64;
  // ECMA-167 3/10.6 lets descriptor sequences chain through pointers and 4/12
  // lets allocation descriptors chain through continuation extents. Linux udf
  // and libyal bound both; so do we, per chain, and report the cut.
  std::uint32_t max_udf_chain = 32;
  std::uint64_t max_vds_blocks = 256;  // blocks of one volume descriptor sequence read
};

struct OneNoteLimits {
  std::uint32_t max_chars = 4096;          // UTF-16 units of a name or path: a name, not a buffer
  std::uint32_t max_property_nesting = 8;  // property sets inside property sets
  std::uint64_t max_text_bytes = 1u << 17;  // a paragraph's text, kept for its links
};

struct RtfLimits {
  // Word gives up far earlier; deeper nesting is only built to exhaust a reader.
  std::uint32_t max_group_depth = 4096;
  std::uint32_t max_class_length = 256;  // bytes of an \objclass name kept
};

struct OleLimits {
  // PowerPoint records nest in a handful of containers in real files; a deeper
  // nest is built to be walked, and what it holds is still reported above it.
  std::uint32_t max_ppt_nesting = 64;
};

struct IconLimits {
  // Windows draws icons up to 256 px; a PNG entry may legally be larger, but a
  // side past this is a resource bomb, refused before anything is allocated.
  std::uint32_t max_side = 1024;
};

struct PartitionLimits {
  // Logical partitions in one extended (EBR) chain: Linux's msdos.c stops at a
  // similar number; a real disk never has more than a few dozen logical drives.
  std::uint32_t max_logical = 256;
};

}  // namespace sluice
