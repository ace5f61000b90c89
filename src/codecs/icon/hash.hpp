#pragma once
// Perceptual hashes of an icon image, the same at 16, 32, 48 and 256 px renders
// of one design, so an executable's icon can be compared with document icons.
// Everything is integer arithmetic (the DCT uses a fixed table), so a hash is
// the same on every machine and compiler: the reference set is hashed by this
// very code (apps/icon-hash) and must never drift from what a scan computes.
#include <cstdint>

#include "codecs/icon/image.hpp"

namespace sluice::codecs::icon {

struct IconHash {
  std::uint64_t phash = 0;  // 8x8 low frequencies of a 32x32 DCT, above/below their median
  std::uint64_t dhash = 0;  // 9x8 gradient: each pixel brighter than its right neighbour
  std::uint8_t hue = 0;     // dominant hue in 30-degree bins, 1..12; 0 when mostly grey
};

// Composites on white (alpha), averages areas exactly down to the hash grids.
// Nothing for an empty image.
[[nodiscard]] IconHash hash_image(const Image& image);

// What a differing dominant hue adds to the distance; measured in README.md.
inline constexpr int kHuePenalty = 16;

[[nodiscard]] int hamming(std::uint64_t a, std::uint64_t b) noexcept;

// The distance the reference matching uses (see README.md for why these
// terms): pHash bits + dHash bits + a penalty when the dominant hues differ.
[[nodiscard]] int distance(const IconHash& a, const IconHash& b) noexcept;

}  // namespace sluice::codecs::icon
