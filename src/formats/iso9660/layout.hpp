#pragma once
// On-disk constants of ECMA-119 (ISO 9660), IEEE P1282 (Rock Ridge / SUSP),
// the El Torito specification and ECMA-167 / OSTA UDF. Offsets are relative to
// the start of the structure they are named after.
#include <cstdint>

namespace sluice::formats::iso9660 {

inline constexpr std::uint64_t kSector = 2048;          // ECMA-119 6.1.2: logical sector
inline constexpr std::uint64_t kFirstDescriptor = 16;   // ECMA-119 6.2.1: system area is 0-15
inline constexpr std::uint64_t kRawSector = 2352;       // CD-DA style raw sectors (mode 1/2)

// Volume descriptor types (ECMA-119 8.1.1).
inline constexpr std::uint8_t kVdBoot = 0;
inline constexpr std::uint8_t kVdPrimary = 1;
inline constexpr std::uint8_t kVdSupplementary = 2;
inline constexpr std::uint8_t kVdPartition = 3;
inline constexpr std::uint8_t kVdTerminator = 255;

// Primary / supplementary volume descriptor (ECMA-119 8.4, 8.5).
inline constexpr std::uint64_t kPvdSystemId = 8;
inline constexpr std::uint64_t kPvdVolumeId = 40;
inline constexpr std::uint64_t kPvdSpaceSize = 80;      // both-endian u32
inline constexpr std::uint64_t kSvdEscapes = 88;        // 32 bytes
inline constexpr std::uint64_t kPvdBlockSize = 128;     // both-endian u16
inline constexpr std::uint64_t kPvdPathTableSize = 132; // both-endian u32
inline constexpr std::uint64_t kPvdLPathTable = 140;    // LE u32
inline constexpr std::uint64_t kPvdMPathTable = 148;    // BE u32
inline constexpr std::uint64_t kPvdRoot = 156;          // 34-byte directory record
inline constexpr std::uint64_t kPvdVolumeSetId = 190;
inline constexpr std::uint64_t kPvdPublisherId = 318;
inline constexpr std::uint64_t kPvdPreparerId = 446;
inline constexpr std::uint64_t kPvdApplicationId = 574;
inline constexpr std::uint64_t kPvdCreated = 813;       // 17-byte dec-datetime
inline constexpr std::uint64_t kPvdModified = 830;

// Directory record (ECMA-119 9.1).
inline constexpr std::uint64_t kDrMinSize = 34;
inline constexpr std::uint64_t kDrEarLength = 1;
inline constexpr std::uint64_t kDrExtent = 2;           // both-endian u32
inline constexpr std::uint64_t kDrDataLength = 10;      // both-endian u32
inline constexpr std::uint64_t kDrFlags = 25;
inline constexpr std::uint64_t kDrUnitSize = 26;        // 9.1.7: interleaved file unit (blocks)
inline constexpr std::uint64_t kDrGapSize = 27;         // 9.1.8: interleave gap (blocks)
inline constexpr std::uint64_t kDrNameLength = 32;
inline constexpr std::uint64_t kDrName = 33;
inline constexpr std::uint8_t kFlagHidden = 0x01;       // "existence": Windows hides it
inline constexpr std::uint8_t kFlagDirectory = 0x02;
inline constexpr std::uint8_t kFlagAssociated = 0x04;   // 9.1.6: "associated file" (a fork)
inline constexpr std::uint8_t kFlagMultiExtent = 0x80;

// El Torito 1.0: boot record descriptor and catalog entries.
inline constexpr std::uint64_t kBootSystemId = 7;
inline constexpr std::uint64_t kBootCatalogLba = 0x47;
inline constexpr std::uint64_t kCatalogEntry = 32;
inline constexpr std::uint8_t kCatalogValidation = 0x01;
inline constexpr std::uint8_t kCatalogBootable = 0x88;
inline constexpr std::uint8_t kCatalogHeader = 0x90;
inline constexpr std::uint8_t kCatalogLastHeader = 0x91;

// UDF (ECMA-167 3/7.2 descriptor tags, 4/7.2 file tags).
inline constexpr std::uint64_t kUdfTagSize = 16;
inline constexpr std::uint16_t kTagPvd = 1;
inline constexpr std::uint16_t kTagAnchor = 2;
inline constexpr std::uint16_t kTagVdp = 3;
inline constexpr std::uint16_t kTagPartition = 5;
inline constexpr std::uint16_t kTagLvd = 6;
inline constexpr std::uint16_t kTagTerminating = 8;
inline constexpr std::uint16_t kTagFsd = 256;
inline constexpr std::uint16_t kTagFid = 257;
// ECMA-167 4/14.5: a continuation extent of allocation descriptors starts with
// this tag, the previous extent's location and the descriptors' length.
inline constexpr std::uint16_t kTagAllocationExtent = 258;
inline constexpr std::uint64_t kAedHeaderSize = 24;
inline constexpr std::uint16_t kTagFileEntry = 261;
inline constexpr std::uint16_t kTagExtendedFileEntry = 266;
inline constexpr std::uint64_t kAnchorSector = 256;     // ECMA-167 3/8.4.2.1
inline constexpr std::uint64_t kEfeStreamIcb = 152;     // 4/14.17.19: long_ad of the stream directory

inline constexpr std::uint8_t kFidHidden = 0x01;
inline constexpr std::uint8_t kFidDirectory = 0x02;
inline constexpr std::uint8_t kFidDeleted = 0x04;
inline constexpr std::uint8_t kFidParent = 0x08;

inline constexpr std::uint8_t kIcbDirectory = 4;
inline constexpr std::uint8_t kIcbFile = 5;
inline constexpr std::uint8_t kIcbMetadata = 250;       // UDF 2.50 metadata file
inline constexpr std::uint8_t kIcbMetadataMirror = 251;

}  // namespace sluice::formats::iso9660
