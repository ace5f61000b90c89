#pragma once
// Microsoft "Virtual Hard Disk Image Format Specification" v1.0 (2006):
// all fields big-endian. Section numbers refer to that document.
#include <cstdint>

namespace sluice::formats::vhd {

inline constexpr std::uint64_t kFooterSize = 512;
// Virtual PC before 2004 wrote a 511-byte footer; qemu and libvhdi accept it.
inline constexpr std::uint64_t kLegacyFooterSize = 511;
inline constexpr std::uint64_t kSectorSize = 512;

// Hard disk footer (§ "Hard Disk Footer Format").
inline constexpr std::uint64_t kFtFeatures = 8;
inline constexpr std::uint64_t kFtVersion = 12;
inline constexpr std::uint64_t kFtDataOffset = 16;
inline constexpr std::uint64_t kFtTimestamp = 24;
inline constexpr std::uint64_t kFtCreatorApp = 28;
inline constexpr std::uint64_t kFtCreatorHostOs = 36;
inline constexpr std::uint64_t kFtOriginalSize = 40;
inline constexpr std::uint64_t kFtCurrentSize = 48;
inline constexpr std::uint64_t kFtDiskType = 60;
inline constexpr std::uint64_t kFtChecksum = 64;
inline constexpr std::uint64_t kFtUniqueId = 68;
inline constexpr std::uint64_t kFtChecksummed = 85;  // bytes the checksum covers (rest is reserved)

inline constexpr std::uint32_t kDiskFixed = 2;
inline constexpr std::uint32_t kDiskDynamic = 3;
inline constexpr std::uint32_t kDiskDifferencing = 4;

// Dynamic disk header (§ "Dynamic Disk Header Format").
inline constexpr std::uint64_t kDynHeaderSize = 1024;
inline constexpr std::uint64_t kDhTableOffset = 16;
inline constexpr std::uint64_t kDhMaxTableEntries = 28;
inline constexpr std::uint64_t kDhBlockSize = 32;
inline constexpr std::uint64_t kDhChecksum = 36;
inline constexpr std::uint64_t kDhParentUuid = 40;
inline constexpr std::uint64_t kDhParentName = 64;
inline constexpr std::uint64_t kDhParentNameBytes = 512;
inline constexpr std::uint64_t kDhParentLocators = 576;
inline constexpr std::uint64_t kDhLocatorSize = 24;
inline constexpr std::uint32_t kDhLocatorCount = 8;

inline constexpr std::uint32_t kBatUnused = 0xFFFFFFFF;
// Block sizes seen in the wild are 512 KiB .. 2 MiB (Hyper-V, Virtual PC,
// qemu); libvhdi accepts powers of two from 512 bytes. Larger is refused so
// one BAT entry cannot claim gigabytes.
inline constexpr std::uint64_t kMaxBlockSize = 256ull << 20;

}  // namespace sluice::formats::vhd
