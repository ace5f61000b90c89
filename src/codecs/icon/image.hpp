#pragma once
// The decoded model shared by the icon decoders (DIB and PNG) and the
// perceptual hash: a top-down RGBA bitmap plus what the decoder could not vouch
// for. Decoders are pure: ByteView in, Decoded out; the caps (largest side and
// the bytes the caller's budget allows) come from the glue.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/byte_view.hpp"
#include "sluice/finding.hpp"

namespace sluice::codecs::icon {

struct Image {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::vector<std::uint8_t> rgba;  // width * height * 4, row 0 is the top row
};

struct DecodeCaps {
  // Windows draws icons up to 256 px; a PNG entry may legally be larger, but a
  // side past this is a resource bomb, refused before anything is allocated.
  std::uint32_t max_side = 1024;
  // Pixel memory plus inflated PNG scanlines the caller's budget allows.
  std::uint64_t max_bytes = 64ull << 20;
};

// Decoders name a budget refusal with this phrase so the glue can report it as
// the limit hit it is (the side cap is a format absurdity: an anomaly).
inline constexpr std::string_view kOverBudget = "over the budget";

struct Decoded {
  Image image;
  std::uint64_t bytes_used = 0;  // what was allocated for pixels and scanlines
  std::vector<Anomaly> problems;  // with the severity the reader judged
};

}  // namespace sluice::codecs::icon
