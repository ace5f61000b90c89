#pragma once
// MS-CFB (compound file binary format) on-disk constants.
#include <cstdint>
#include <string_view>

namespace sluice::codecs::cfb {

inline constexpr std::string_view kCfbSignature("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
inline constexpr std::uint64_t kCfbHeaderSize = 512;
inline constexpr std::uint64_t kDirEntrySize = 128;
inline constexpr std::uint32_t kHeaderDifatEntries = 109;

// Header field offsets (MS-CFB 2.2).
inline constexpr std::uint64_t kOffMajorVersion = 26;
inline constexpr std::uint64_t kOffSectorShift = 30;
inline constexpr std::uint64_t kOffMiniSectorShift = 32;
inline constexpr std::uint64_t kOffFatSectors = 44;
inline constexpr std::uint64_t kOffFirstDirSector = 48;
inline constexpr std::uint64_t kOffMiniCutoff = 56;
inline constexpr std::uint64_t kOffFirstMiniFat = 60;
inline constexpr std::uint64_t kOffMiniFatSectors = 64;
inline constexpr std::uint64_t kOffFirstDifat = 68;
inline constexpr std::uint64_t kOffDifatSectors = 72;
inline constexpr std::uint64_t kOffDifat = 76;

// Sector numbers with a meaning (MS-CFB 2.1).
inline constexpr std::uint32_t kMaxRegSect = 0xFFFFFFFA;
inline constexpr std::uint32_t kDifSect = 0xFFFFFFFC;
inline constexpr std::uint32_t kFatSect = 0xFFFFFFFD;
inline constexpr std::uint32_t kEndOfChain = 0xFFFFFFFE;
inline constexpr std::uint32_t kFreeSect = 0xFFFFFFFF;
inline constexpr std::uint32_t kNoStream = 0xFFFFFFFF;

// Directory entry fields (MS-CFB 2.6.1).
inline constexpr std::uint64_t kDirNameLen = 64;
inline constexpr std::uint64_t kDirType = 66;
inline constexpr std::uint64_t kDirLeft = 68;
inline constexpr std::uint64_t kDirRight = 72;
inline constexpr std::uint64_t kDirChild = 76;
inline constexpr std::uint64_t kDirStart = 116;
inline constexpr std::uint64_t kDirSize = 120;

inline constexpr std::uint8_t kTypeStorage = 1;
inline constexpr std::uint8_t kTypeStream = 2;
inline constexpr std::uint8_t kTypeRoot = 5;

}  // namespace sluice::codecs::cfb
