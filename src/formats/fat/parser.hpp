#pragma once
// Pure FAT12/16/32 reader: boot sector → geometry, FAT chains → runs of image
// bytes, directories → a flat list of entries. No copies: a file is a list of
// byte ranges of the image; the unpacker decides view vs. assembled buffer.
#include <cstdint>
#include <string>
#include <vector>

#include "core/budget.hpp"
#include "core/parsed.hpp"
#include "sluice/byte_view.hpp"
#include "sluice/finding.hpp"
#include "sluice/limits.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::fat {

enum class FatKind : std::uint8_t { fat12, fat16, fat32 };


struct Geometry {
  FatKind kind = FatKind::fat12;
  std::uint32_t bytes_per_sector = 0;
  std::uint32_t sectors_per_cluster = 0;
  std::uint32_t num_fats = 0;
  std::uint64_t fat_offset = 0;       // the FAT copy in use
  std::uint64_t fat_bytes = 0;        // one FAT copy
  std::uint64_t root_offset = 0;      // FAT12/16 fixed root directory
  std::uint64_t root_bytes = 0;
  std::uint32_t root_cluster = 0;     // FAT32
  std::uint64_t data_offset = 0;
  std::uint64_t cluster_size = 0;
  std::uint32_t cluster_count = 0;    // data clusters, numbered 2 .. count+1
  std::uint64_t volume_bytes = 0;     // total sectors * bytes per sector
  std::uint32_t serial = 0;
  std::string oem_name;
  std::string bpb_label;
};

struct Run {
  std::uint64_t offset = 0;  // in the image
  std::uint64_t length = 0;
};

struct Entry {
  std::string path;        // as Windows shows it: LFN where valid, else 8.3
  std::string short_path;  // every component in 8.3 form
  std::string long_path;   // the LFN path even when Windows would not use it
  std::uint8_t attributes = 0;
  std::uint32_t first_cluster = 0;
  std::uint32_t size = 0;
  std::uint64_t entry_offset = 0;
  bool deleted = false;
  bool directory = false;
  std::vector<Run> runs;  // the file's bytes, in order; sum <= size
  std::uint64_t run_bytes = 0;
};

struct Volume {
  Geometry geometry;
  std::string label;  // root-directory volume label (what Windows shows)
  std::vector<Entry> entries;
  Run trailing;        // image bytes after the volume's last sector
  bool entries_capped = false;
  bool deadline_hit = false;
};

[[nodiscard]] Result<Geometry> parse_boot_sector(ByteView image, std::vector<Anomaly>& issues);
// Walks every directory from the root: the Budget variant of the contract
// (core/parsed.hpp), since a volume's tree is as large as the attacker likes.
// `max_children` caps the entries kept; the deadline stops long walks (both
// reported through the Volume flags).
[[nodiscard]] Result<Parsed<Volume>> parse(ByteView image, const core::Budget& budget);

}  // namespace sluice::formats::fat
