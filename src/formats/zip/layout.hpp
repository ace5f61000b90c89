#pragma once
// PKWARE APPNOTE.TXT 6.3.10 on-disk constants. Every multi-byte field is
// little-endian (APPNOTE 4.4.1.1); sizes are the fixed parts before the
// variable-length name / extra / comment.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice::formats::zip {

inline constexpr std::string_view kLocalSig{"PK\x03\x04", 4};       // APPNOTE 4.3.7
inline constexpr std::string_view kCentralSig{"PK\x01\x02", 4};     // 4.3.12
inline constexpr std::string_view kEocdSig{"PK\x05\x06", 4};        // 4.3.16
inline constexpr std::string_view kZip64EocdSig{"PK\x06\x06", 4};   // 4.3.14
inline constexpr std::string_view kZip64LocatorSig{"PK\x06\x07", 4};  // 4.3.15
inline constexpr std::string_view kDescriptorSig{"PK\x07\x08", 4};  // 4.3.9.3

inline constexpr std::uint64_t kLocalSize = 30;
inline constexpr std::uint64_t kCentralSize = 46;
inline constexpr std::uint64_t kEocdSize = 22;
inline constexpr std::uint64_t kZip64EocdSize = 56;  // without the extensible data
inline constexpr std::uint64_t kZip64LocatorSize = 20;
inline constexpr std::uint64_t kMaxCommentSize = 0xFFFF;
static_assert(kEocdSize + kMaxCommentSize == 65557);

// General purpose bit flag (4.4.4).
inline constexpr std::uint16_t kFlagEncrypted = 1u << 0;
inline constexpr std::uint16_t kFlagLzmaEos = 1u << 1;  // method 14: the stream has an end marker
inline constexpr std::uint16_t kFlagDescriptor = 1u << 3;
inline constexpr std::uint16_t kFlagStrongEncryption = 1u << 6;
inline constexpr std::uint16_t kFlagUtf8 = 1u << 11;
inline constexpr std::uint16_t kFlagMaskedHeaders = 1u << 13;

// Compression methods (4.4.5).
inline constexpr std::uint16_t kMethodStored = 0;
inline constexpr std::uint16_t kMethodDeflate = 8;
inline constexpr std::uint16_t kMethodDeflate64 = 9;
inline constexpr std::uint16_t kMethodBzip2 = 12;
inline constexpr std::uint16_t kMethodLzma = 14;
inline constexpr std::uint16_t kMethodZstd = 93;
inline constexpr std::uint16_t kMethodZstdOld = 20;  // deprecated id, still written by some tools
inline constexpr std::uint16_t kMethodXz = 95;
inline constexpr std::uint16_t kMethodPpmd = 98;
inline constexpr std::uint16_t kMethodAes = 99;  // WinZip AE-x: the real method is in 0x9901

// Extra field header ids (4.5.2, 4.6).
inline constexpr std::uint16_t kExtraZip64 = 0x0001;
inline constexpr std::uint16_t kExtraUnicodePath = 0x7075;
inline constexpr std::uint16_t kExtraAes = 0x9901;

// "Value is in the ZIP64 extra field" markers (4.4.8, 4.5.3).
inline constexpr std::uint32_t kZip64Marker32 = 0xFFFFFFFFu;
inline constexpr std::uint16_t kZip64Marker16 = 0xFFFFu;

// version made by, upper byte (4.4.2.2).
inline constexpr std::uint8_t kHostDos = 0;
inline constexpr std::uint8_t kHostUnix = 3;
inline constexpr std::uint8_t kHostNtfs = 10;
inline constexpr std::uint8_t kHostVfat = 14;

// MS-DOS attribute bits in the low byte of the external attributes.
inline constexpr std::uint32_t kDosReadOnly = 0x01;
inline constexpr std::uint32_t kDosHidden = 0x02;
inline constexpr std::uint32_t kDosSystem = 0x04;
inline constexpr std::uint32_t kDosDirectory = 0x10;

// Traditional PKWARE encryption header (6.1.3) and WinZip AES framing.
inline constexpr std::uint64_t kZipCryptoHeaderSize = 12;
inline constexpr std::uint64_t kAesVerifierSize = 2;
inline constexpr std::uint64_t kAesMacSize = 10;
inline constexpr unsigned kAesPbkdf2Iterations = 1000;

// Archive and entry comments kept as meta are cut here (they may be 64 KiB).
inline constexpr std::size_t kMetaTextMax = 1024;

}  // namespace sluice::formats::zip
