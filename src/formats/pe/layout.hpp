#pragma once
// PE/COFF on-disk constants (Microsoft "PE Format", learn.microsoft.com/windows/win32/debug/pe-format).
// Every record size is static_asserted against the spec's table so a typo cannot
// silently shift a field.
#include <cstdint>

namespace sluice::formats::pe {

inline constexpr std::uint64_t kDosHeaderSize = 0x40;
inline constexpr std::uint64_t kLfanewOffset = 0x3C;
inline constexpr std::uint64_t kFileHeaderSize = 20;      // COFF header after "PE\0\0"
inline constexpr std::uint64_t kSectionHeaderSize = 40;
inline constexpr std::uint64_t kDataDirectorySize = 8;
inline constexpr std::uint32_t kMaxDataDirectories = 16;  // the loader ignores more
inline constexpr std::uint16_t kMagicPe32 = 0x10B;
inline constexpr std::uint16_t kMagicPe32Plus = 0x20B;

// Offsets inside the optional header that differ between PE32 and PE32+.
inline constexpr std::uint64_t kOptEntryPoint = 16;
inline constexpr std::uint64_t kOptImageBase32 = 28;
inline constexpr std::uint64_t kOptImageBase64 = 24;
inline constexpr std::uint64_t kOptSectionAlignment = 32;
inline constexpr std::uint64_t kOptFileAlignment = 36;
inline constexpr std::uint64_t kOptSizeOfImage = 56;
inline constexpr std::uint64_t kOptSizeOfHeaders = 60;
inline constexpr std::uint64_t kOptChecksum = 64;
inline constexpr std::uint64_t kOptSubsystem = 68;
inline constexpr std::uint64_t kOptDllCharacteristics = 70;
inline constexpr std::uint64_t kOptNumberOfRvaAndSizes32 = 92;
inline constexpr std::uint64_t kOptNumberOfRvaAndSizes64 = 108;
inline constexpr std::uint64_t kOptDataDirectories32 = 96;
inline constexpr std::uint64_t kOptDataDirectories64 = 112;

enum DirectoryIndex : std::uint32_t {
  kDirExport = 0,
  kDirImport = 1,
  kDirResource = 2,
  kDirException = 3,
  kDirSecurity = 4,  // its "RVA" is a file offset (PE Format, "The Attribute Certificate Table")
  kDirBaseReloc = 5,
  kDirDebug = 6,
  kDirTls = 9,
  kDirLoadConfig = 10,
  kDirIat = 12,
  kDirClr = 14,
};

// Section characteristics.
inline constexpr std::uint32_t kScnCntCode = 0x00000020;
inline constexpr std::uint32_t kScnMemExecute = 0x20000000;
inline constexpr std::uint32_t kScnMemRead = 0x40000000;
inline constexpr std::uint32_t kScnMemWrite = 0x80000000;

// COFF characteristics.
inline constexpr std::uint16_t kFileDll = 0x2000;

inline constexpr std::uint64_t kImportDescriptorSize = 20;
inline constexpr std::uint64_t kExportDirectorySize = 40;
inline constexpr std::uint64_t kResourceDirectorySize = 16;
inline constexpr std::uint64_t kResourceEntrySize = 8;
inline constexpr std::uint64_t kResourceDataEntrySize = 16;
inline constexpr std::uint32_t kResourceSubdirFlag = 0x80000000u;
inline constexpr std::uint64_t kWinCertificateHeaderSize = 8;
inline constexpr std::uint16_t kWinCertTypePkcsSignedData = 0x0002;

// Resource types (winuser.h RT_*).
inline constexpr std::uint32_t kRtIcon = 3;
inline constexpr std::uint32_t kRtRcdata = 10;
inline constexpr std::uint32_t kRtGroupIcon = 14;
inline constexpr std::uint32_t kRtVersion = 16;
inline constexpr std::uint32_t kRtManifest = 24;

// The Rich header sits between the DOS stub and the NT headers, XOR-masked with a
// key that follows the "Rich" marker; "DanS" masked with the key opens it.
inline constexpr std::uint32_t kRichMarker = 0x68636952;  // "Rich"
inline constexpr std::uint32_t kDansMarker = 0x536E6144;  // "DanS"

static_assert(kSectionHeaderSize == 8 + 4 * 6 + 2 * 2 + 4);
static_assert(kImportDescriptorSize == 5 * 4);
static_assert(kExportDirectorySize == 4 * 4 + 2 * 2 + 4 * 5);
static_assert(kResourceDirectorySize == 4 + 4 + 2 + 2 + 2 + 2);
static_assert(kOptDataDirectories64 == kOptNumberOfRvaAndSizes64 + 4);
static_assert(kOptDataDirectories32 == kOptNumberOfRvaAndSizes32 + 4);

}  // namespace sluice::formats::pe
