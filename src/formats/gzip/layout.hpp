#pragma once
// RFC 1952 on-disk constants.
#include <cstdint>

namespace sluice::formats::gzip {

inline constexpr std::uint8_t kId1 = 0x1F;
inline constexpr std::uint8_t kId2 = 0x8B;
inline constexpr std::uint8_t kMethodDeflate = 8;

inline constexpr std::uint8_t kFlagText = 0x01;
inline constexpr std::uint8_t kFlagHcrc = 0x02;
inline constexpr std::uint8_t kFlagExtra = 0x04;
inline constexpr std::uint8_t kFlagName = 0x08;
inline constexpr std::uint8_t kFlagComment = 0x10;
inline constexpr std::uint8_t kFlagReserved = 0xE0;

inline constexpr std::uint64_t kFixedHeaderSize = 10;
inline constexpr std::uint64_t kTrailerSize = 8;  // CRC32 + ISIZE, little-endian

}  // namespace sluice::formats::gzip
