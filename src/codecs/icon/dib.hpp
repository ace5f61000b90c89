#pragma once
// The DIB form of an icon image: BITMAPINFOHEADER (or V4/V5), an optional
// palette, the XOR (colour) bitmap and the 1-bpp AND (transparency) mask. The
// header's height counts both bitmaps, so it is twice the icon's height.
#include "codecs/icon/image.hpp"
#include "core/budget.hpp"
#include "sluice/result.hpp"

namespace sluice::codecs::icon {

// 1, 4, 8, 16 (5-5-5), 24 and 32 bpp, BI_RGB or (for 16/32 bpp) BI_BITFIELDS.
// Dimensions are checked against the caps (image.hpp) before any allocation. Missing rows
// of a truncated bitmap are a problem, not an error: the rows present are kept
// (transparent below), because a half-drawn icon is still the icon a victim sees.
[[nodiscard]] Result<Parsed<Decoded>> decode_dib(ByteView bytes, const core::Budget& budget);

}  // namespace sluice::codecs::icon
