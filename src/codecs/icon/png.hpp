#pragma once
// The PNG form of an icon image (Vista's 256 px entries, and attachments):
// signature, IHDR, PLTE, tRNS, IDAT through the shared bounded inflate, filters
// 0-4, colour types 0/2/3/4/6 at every legal bit depth, Adam7 included.
#include "core/budget.hpp"
#include "codecs/icon/image.hpp"
#include "sluice/result.hpp"

namespace sluice::codecs::icon {

// A bad chunk CRC is a problem and decoding goes on (browsers and Windows'
// decoder differ here; the image still shows somewhere). Dimensions past the
// cap are refused before inflating; inflate output is capped at exactly what
// the dimensions need, so a zlib bomb costs nothing past that. The budget gives
// the side cap, the bytes the image may take and the scan's deadline.
[[nodiscard]] Result<Parsed<Decoded>> decode_png(ByteView bytes, const core::Budget& budget);

}  // namespace sluice::codecs::icon
