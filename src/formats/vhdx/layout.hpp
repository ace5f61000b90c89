#pragma once
// [MS-VHDX] v20160714 (Microsoft Open Specifications), section numbers below.
// All fields little-endian; GUIDs in their mixed-endian on-disk form.
#include <array>
#include <cstdint>

namespace sluice::formats::vhdx {

using Guid = std::array<std::uint8_t, 16>;

inline constexpr std::uint64_t kKiB = 1024;
inline constexpr std::uint64_t kMiB = 1024 * kKiB;

// §2.2 header section: file identifier, two headers, two region tables.
inline constexpr std::uint64_t kFileIdOffset = 0;
inline constexpr std::uint64_t kHeader1Offset = 64 * kKiB;
inline constexpr std::uint64_t kHeader2Offset = 128 * kKiB;
inline constexpr std::uint64_t kRegion1Offset = 192 * kKiB;
inline constexpr std::uint64_t kRegion2Offset = 256 * kKiB;
inline constexpr std::uint64_t kHeaderSize = 4 * kKiB;     // checksummed bytes
inline constexpr std::uint64_t kRegionTableSize = 64 * kKiB;

// §2.2.2 header fields.
inline constexpr std::uint64_t kHdrChecksum = 4;
inline constexpr std::uint64_t kHdrSequence = 8;
inline constexpr std::uint64_t kHdrLogGuid = 48;
inline constexpr std::uint64_t kHdrLogVersion = 64;
inline constexpr std::uint64_t kHdrVersion = 66;
inline constexpr std::uint64_t kHdrLogLength = 68;
inline constexpr std::uint64_t kHdrLogOffset = 72;

// §2.3 log: a circular buffer of 4 KiB sectors at a 1 MiB-aligned offset.
inline constexpr std::uint64_t kLogSector = 4 * kKiB;
inline constexpr std::uint64_t kLogAlign = 1 * kMiB;
// §2.3.1.1 log entry header ("loge"), at the start of an entry's first sector.
inline constexpr std::uint64_t kLogeChecksum = 4;
inline constexpr std::uint64_t kLogeEntryLength = 8;
inline constexpr std::uint64_t kLogeTail = 12;
inline constexpr std::uint64_t kLogeSequence = 16;
inline constexpr std::uint64_t kLogeDescriptorCount = 24;
inline constexpr std::uint64_t kLogeGuid = 32;
inline constexpr std::uint64_t kLogeFlushedFileOffset = 48;
inline constexpr std::uint64_t kLogeLastFileOffset = 56;
inline constexpr std::uint64_t kLogeHeaderSize = 64;
// §2.3.1.2-3 zero ("zero") and data ("desc") descriptors, 32 bytes each,
// right after the entry header. Shared: FileOffset at 16, SequenceNumber at 24.
inline constexpr std::uint64_t kLogDescSize = 32;
inline constexpr std::uint64_t kDescTrailingBytes = 4;  // data: u32
inline constexpr std::uint64_t kDescLeadingBytes = 8;   // data: u64
inline constexpr std::uint64_t kDescZeroLength = 8;     // zero: u64
inline constexpr std::uint64_t kDescFileOffset = 16;
inline constexpr std::uint64_t kDescSequence = 24;
// §2.3.1.4 data sector ("data"): the 4084 middle bytes of the 4 KiB it
// restores; the first 8 and last 4 live in the descriptor, so the sector can
// carry the signature and the split sequence number.
inline constexpr std::uint64_t kDataSequenceHigh = 4;
inline constexpr std::uint64_t kDataPayload = 8;
inline constexpr std::uint64_t kDataPayloadSize = 4084;
inline constexpr std::uint64_t kDataSequenceLow = 4092;
static_assert(kDescLeadingBytes + kDataPayloadSize + 4 == kLogSector);
static_assert(kDataSequenceLow + 4 == kLogSector);
static_assert(kLogSector % kLogDescSize == 0 && kLogeHeaderSize % kLogDescSize == 0);

// §2.2.3 region table.
inline constexpr std::uint64_t kRtChecksum = 4;
inline constexpr std::uint64_t kRtEntryCount = 8;
inline constexpr std::uint64_t kRtEntries = 16;
inline constexpr std::uint64_t kRtEntrySize = 32;
inline constexpr std::uint32_t kRtMaxEntries = 2047;  // §2.2.3: "MUST be less than or equal to 2047"

// §2.3.1 metadata table.
inline constexpr std::uint64_t kMdEntryCount = 10;
inline constexpr std::uint64_t kMdEntries = 32;
inline constexpr std::uint64_t kMdEntrySize = 32;
inline constexpr std::uint32_t kMdMaxEntries = 2047;

// §2.4 payload block states (BAT entry bits 0-2); file offset in MiB at bits 20-63.
inline constexpr std::uint64_t kStateMask = 7;
inline constexpr std::uint64_t kPayloadNotPresent = 0;
inline constexpr std::uint64_t kPayloadUndefined = 1;
inline constexpr std::uint64_t kPayloadZero = 2;
inline constexpr std::uint64_t kPayloadUnmapped = 3;
inline constexpr std::uint64_t kPayloadFullyPresent = 6;
inline constexpr std::uint64_t kPayloadPartiallyPresent = 7;
inline constexpr std::uint64_t kOffsetShift = 20;

// §2.6.2 limits.
inline constexpr std::uint64_t kMinBlockSize = 1 * kMiB;
inline constexpr std::uint64_t kMaxBlockSize = 256 * kMiB;
inline constexpr std::uint64_t kSectorsPerBitmap = 1ull << 23;  // chunk = 2^23 sectors

// Well-known GUIDs in on-disk byte order (Data1-3 little-endian).
inline constexpr Guid kBatGuid{0x66, 0x77, 0xC2, 0x2D, 0x23, 0xF6, 0x00, 0x42,
                               0x9D, 0x64, 0x11, 0x5E, 0x9B, 0xFD, 0x4A, 0x08};
inline constexpr Guid kMetadataGuid{0x06, 0xA2, 0x7C, 0x8B, 0x90, 0x47, 0x9A, 0x4B,
                                    0xB8, 0xFE, 0x57, 0x5F, 0x05, 0x0F, 0x88, 0x6E};
inline constexpr Guid kFileParametersGuid{0x37, 0x67, 0xA1, 0xCA, 0x36, 0xFA, 0x43, 0x4D,
                                          0xB3, 0xB6, 0x33, 0xF0, 0xAA, 0x44, 0xE7, 0x6B};
inline constexpr Guid kVirtualDiskSizeGuid{0x24, 0x42, 0xA5, 0x2F, 0x1B, 0xCD, 0x76, 0x48,
                                           0xB2, 0x11, 0x5D, 0xBE, 0xD8, 0x3B, 0xF4, 0xB8};
inline constexpr Guid kLogicalSectorSizeGuid{0x1D, 0xBF, 0x41, 0x81, 0x6F, 0xA9, 0x09, 0x47,
                                             0xBA, 0x47, 0xF2, 0x33, 0xA8, 0xFA, 0xAB, 0x5F};
inline constexpr Guid kParentLocatorGuid{0x2D, 0x5F, 0xD3, 0xA8, 0x0B, 0xB3, 0x4D, 0x45,
                                         0xAB, 0xF7, 0xD3, 0xD8, 0x48, 0x34, 0xAB, 0x0C};

}  // namespace sluice::formats::vhdx
