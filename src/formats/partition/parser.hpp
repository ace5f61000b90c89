#pragma once
// Pure MBR/GPT parsing: ByteView in, a model out. Problems the disk shows are
// returned as Issues (data), the unpacker turns them into anomalies.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sluice/byte_view.hpp"
#include "sluice/finding.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::partition {


struct Partition {
  std::uint32_t index = 0;       // 1-based, as Windows/Linux number them
  std::uint64_t start_lba = 0;
  std::uint64_t sectors = 0;
  std::uint8_t mbr_type = 0;     // MBR only
  bool bootable = false;         // MBR only
  bool logical = false;          // inside the extended partition
  std::string type_guid;         // GPT only
  std::string unique_guid;       // GPT only
  std::string name;              // GPT only, UTF-8 from UTF-16LE
  std::uint64_t attributes = 0;  // GPT only
};

struct PartitionTable {
  std::vector<Partition> partitions;
  std::vector<Anomaly> issues;
  bool protective = false;  // MBR whose only job is to announce a GPT
  std::string disk_guid;    // GPT only
  std::uint32_t disk_signature = 0;  // MBR only
  std::uint64_t sector_size = 512;
};

[[nodiscard]] Result<PartitionTable> parse_mbr(ByteView disk);
[[nodiscard]] Result<PartitionTable> parse_gpt(ByteView disk);

// The GUID text form (mixed endian as in the UEFI spec, upper case).
[[nodiscard]] std::string guid_string(ByteView sixteen);

}  // namespace sluice::formats::partition
