#pragma once
// On-disk constants the unpacker reads itself; everything else about NTFS and
// exFAT is The Sleuth Kit's job. References: Microsoft "[MS-FSCC] 2.6 File
// Attributes", Carrier "File System Forensic Analysis" ch. 13 ($STANDARD_INFORMATION,
// $VOLUME_NAME), Microsoft "exFAT file system specification" §6.2 (VolumeLabel entry).
#include <cstdint>

namespace sluice::formats::ntfs {

// $STANDARD_INFORMATION content: the DOS file attributes word sits at byte 32,
// after the four 8-byte timestamps (created, modified, MFT-changed, accessed).
inline constexpr std::uint64_t kSiFlagsOffset = 32;
inline constexpr std::uint32_t kDosReadOnly = 0x0001;
inline constexpr std::uint32_t kDosHidden = 0x0002;
inline constexpr std::uint32_t kDosSystem = 0x0004;

// MFT record 3 is $Volume; its $VOLUME_NAME attribute holds the label (UTF-16LE).
inline constexpr std::uint64_t kVolumeInode = 3;
// Records 0-23 are reserved for metadata files ($MFT ... $Extend and eight spare
// records); a '$' name at the root that points above them is a user's file.
inline constexpr std::uint64_t kFirstUserInode = 24;

// The NTFS boot sector's 64-bit volume serial number (what `vol` shows half of).
inline constexpr std::uint64_t kNtfsSerialOffset = 0x48;
// exFAT boot sector: VolumeSerialNumber.
inline constexpr std::uint64_t kExfatSerialOffset = 100;

// TSK presents the exFAT VolumeLabel directory entry (type 0x83) as a zero-size
// root file whose name carries this suffix.
inline constexpr const char* kExfatLabelSuffix = " (Volume Label Entry)";

// Reads from TSK come through fixed chunks so the deadline is checked between them.
inline constexpr std::uint64_t kReadChunk = 1u << 20;

}  // namespace sluice::formats::ntfs
