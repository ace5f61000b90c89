#pragma once
// The decoded model shared by the icon decoders (DIB and PNG) and the
// perceptual hash: a top-down RGBA bitmap. Decoders follow the parser contract
// (core/parsed.hpp, Budget variant): Result<Parsed<Decoded>> from the bytes
// and the scan's budget, which gives the largest side (limits.icon.max_side)
// and the bytes pixels and scanlines may take (its decode allowance). The
// error side with Errc::limit is that allowance refusing the image; an image
// whose sides pass the cap is a Decoded without pixels and an icon.oversized
// anomaly (an absurd header, not a budget).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/byte_view.hpp"
#include "core/parsed.hpp"
#include "sluice/finding.hpp"

namespace sluice::codecs::icon {

struct Image {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::vector<std::uint8_t> rgba;  // width * height * 4, row 0 is the top row
};

struct Decoded {
  Image image;                   // empty when the sides pass limits.icon.max_side
  std::uint64_t bytes_used = 0;  // what was allocated for pixels and scanlines
};

}  // namespace sluice::codecs::icon
