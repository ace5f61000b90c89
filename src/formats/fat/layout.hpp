#pragma once
// FAT12/16/32 on-disk constants: Microsoft "FAT: General Overview of On-Disk
// Format" (fatgen103, 2000) section numbers in comments.
#include <cstdint>

namespace sluice::formats::fat {

// BPB (fatgen103 §3.1-3.3), offsets in the boot sector.
inline constexpr std::uint64_t kOemName = 3;
inline constexpr std::uint64_t kBytesPerSector = 11;
inline constexpr std::uint64_t kSectorsPerCluster = 13;
inline constexpr std::uint64_t kReservedSectors = 14;
inline constexpr std::uint64_t kNumFats = 16;
inline constexpr std::uint64_t kRootEntries = 17;
inline constexpr std::uint64_t kTotalSectors16 = 19;
inline constexpr std::uint64_t kMedia = 21;
inline constexpr std::uint64_t kFatSize16 = 22;
inline constexpr std::uint64_t kTotalSectors32 = 32;
inline constexpr std::uint64_t kFat32FatSize = 36;
inline constexpr std::uint64_t kFat32ExtFlags = 40;
inline constexpr std::uint64_t kFat32RootCluster = 44;
inline constexpr std::uint64_t kFat32BackupBoot = 50;
inline constexpr std::uint64_t kSerial16 = 39;
inline constexpr std::uint64_t kLabel16 = 43;
inline constexpr std::uint64_t kSerial32 = 67;
inline constexpr std::uint64_t kLabel32 = 71;
inline constexpr std::uint64_t kBootSignature = 510;
// The BPB proper ends at 90 on FAT32; the backup comparison covers it.
inline constexpr std::uint64_t kBpbCompareBytes = 90;

// fatgen103 §3.5: the cluster count alone decides the FAT type.
inline constexpr std::uint64_t kMaxFat12Clusters = 4084;
inline constexpr std::uint64_t kMaxFat16Clusters = 65524;
inline constexpr std::uint64_t kMaxFat32Clusters = 0x0FFFFFF5;

// Directory entries (fatgen103 §6, §7).
inline constexpr std::uint64_t kDirEntrySize = 32;
inline constexpr std::uint8_t kAttrReadOnly = 0x01;
inline constexpr std::uint8_t kAttrHidden = 0x02;
inline constexpr std::uint8_t kAttrSystem = 0x04;
inline constexpr std::uint8_t kAttrVolumeId = 0x08;
inline constexpr std::uint8_t kAttrDirectory = 0x10;
inline constexpr std::uint8_t kAttrArchive = 0x20;
inline constexpr std::uint8_t kAttrLongName = 0x0F;
inline constexpr std::uint8_t kAttrLongNameMask = 0x3F;
inline constexpr std::uint8_t kDeleted = 0xE5;
inline constexpr std::uint8_t kKanjiE5 = 0x05;  // first byte 0x05 stands for a real 0xE5
inline constexpr std::uint8_t kLfnLast = 0x40;
inline constexpr std::uint8_t kLfnOrdMask = 0x1F;
inline constexpr std::uint32_t kLfnMaxOrd = 20;  // 20 * 13 = 260 > 255 UTF-16 units
inline constexpr std::uint32_t kLfnCharsPerEntry = 13;
// NT reserved byte 12: lower-case base/extension (Windows NT 3.5+, mtools).
inline constexpr std::uint8_t kNtLowerBase = 0x08;
inline constexpr std::uint8_t kNtLowerExt = 0x10;

inline constexpr std::uint64_t kEntryNtCase = 12;
inline constexpr std::uint64_t kEntryClusterHi = 20;
inline constexpr std::uint64_t kEntryClusterLo = 26;
inline constexpr std::uint64_t kEntrySize32 = 28;
inline constexpr std::uint64_t kEntryAttr = 11;
inline constexpr std::uint64_t kLfnChecksum = 13;

}  // namespace sluice::formats::fat
