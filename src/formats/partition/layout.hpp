#pragma once
// MBR (IBM PC partition table, as documented by Microsoft "Basic disks" and the
// UEFI spec 2.10 §5.2.1) and GPT (UEFI spec 2.10 §5.3) on-disk constants.
#include <cstdint>

namespace sluice::formats::partition {

inline constexpr std::uint64_t kSectorSize = 512;
inline constexpr std::uint64_t kMbrTableOffset = 446;
inline constexpr std::uint64_t kMbrEntrySize = 16;
inline constexpr std::uint64_t kMbrEntries = 4;
inline constexpr std::uint64_t kMbrSignatureOffset = 510;
static_assert(kMbrTableOffset + kMbrEntries * kMbrEntrySize == kMbrSignatureOffset);

inline constexpr std::uint8_t kTypeEmpty = 0x00;
inline constexpr std::uint8_t kTypeExtendedChs = 0x05;
inline constexpr std::uint8_t kTypeExtendedLba = 0x0F;
inline constexpr std::uint8_t kTypeExtendedLinux = 0x85;
inline constexpr std::uint8_t kTypeGptProtective = 0xEE;

// GPT header (UEFI §5.3.2): fields used here.
inline constexpr std::uint64_t kGptSignatureOffset = 0;
inline constexpr std::uint64_t kGptHeaderSizeOffset = 12;
inline constexpr std::uint64_t kGptHeaderCrcOffset = 16;
inline constexpr std::uint64_t kGptMyLbaOffset = 24;
inline constexpr std::uint64_t kGptAlternateLbaOffset = 32;
inline constexpr std::uint64_t kGptFirstUsableOffset = 40;
inline constexpr std::uint64_t kGptLastUsableOffset = 48;
inline constexpr std::uint64_t kGptDiskGuidOffset = 56;
inline constexpr std::uint64_t kGptEntriesLbaOffset = 72;
inline constexpr std::uint64_t kGptEntryCountOffset = 80;
inline constexpr std::uint64_t kGptEntrySizeOffset = 84;
inline constexpr std::uint64_t kGptEntriesCrcOffset = 88;
inline constexpr std::uint64_t kGptMinHeaderSize = 92;
inline constexpr std::uint64_t kGptEntryMinSize = 128;
// The spec requires room for 128 entries; Linux's parser refuses more than
// this many bytes of entries, a bound we share so a lying count cannot make us
// walk gigabytes.
inline constexpr std::uint64_t kGptMaxEntryBytes = 1u << 20;
inline constexpr std::uint64_t kGptNameOffset = 56;
inline constexpr std::uint64_t kGptNameBytes = 72;


}  // namespace sluice::formats::partition
