#pragma once
// Pure MBR/GPT parsing: ByteView in, a model out. Problems the disk shows are
// returned as anomalies (data), the unpacker reports them.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/parsed.hpp"
#include "sluice/byte_view.hpp"
#include "sluice/limits.hpp"
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
  bool gpt = false;         // read as a GUID Partition Table, else as an MBR
  bool protective = false;  // MBR whose only job is to announce a GPT
  std::string disk_guid;    // GPT only
  std::uint32_t disk_signature = 0;  // MBR only
  std::uint64_t sector_size = 512;
};

// The table the disk's first sectors describe: the GPT when LBA 1 holds a
// GPT header, else the MBR and its chain of extended boot records (at most
// limits.partition.max_logical logical partitions). Fails when neither is
// there to read.
[[nodiscard]] Result<Parsed<PartitionTable>> parse(ByteView disk, const Limits& limits);

// The GUID text form (mixed endian as in the UEFI spec, upper case).
[[nodiscard]] std::string guid_string(ByteView sixteen);

}  // namespace sluice::formats::partition
