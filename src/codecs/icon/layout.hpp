#pragma once
// On-disk constants of icon containers. ICONDIR/ICONDIRENTRY (.ico/.cur files)
// and GRPICONDIR/GRPICONDIRENTRY (RT_GROUP_ICON resources) share the 6-byte
// header; the entries differ only in the last field: a file offset (16-byte
// entry) or the RT_ICON resource id (14-byte entry). Microsoft Learn, "Icons"
// (ICONDIR) and "GRPICONDIR structure"; Raymond Chen, "The format of icon
// resources" (2012).
#include <cstdint>
#include <string_view>

namespace sluice::codecs::icon {

inline constexpr std::uint64_t kDirHeaderSize = 6;
inline constexpr std::uint64_t kFileEntrySize = 16;
inline constexpr std::uint64_t kGroupEntrySize = 14;
inline constexpr std::uint16_t kTypeIcon = 1;
inline constexpr std::uint16_t kTypeCursor = 2;

// BITMAPINFOHEADER and its later versions (V4 = 108, V5 = 124 bytes).
inline constexpr std::uint32_t kBitmapInfoHeaderSize = 40;
inline constexpr std::uint32_t kBitmapV5HeaderSize = 124;
inline constexpr std::uint32_t kBiRgb = 0;
inline constexpr std::uint32_t kBiBitfields = 3;

inline constexpr std::string_view kPngSignature{"\x89PNG\r\n\x1A\n", 8};

}  // namespace sluice::codecs::icon
