#pragma once
// Deflate64 ("Enhanced Deflating", APPNOTE method 9), decoded by hand: zlib
// does not implement it and the Debian libraries that do (7-Zip's) are not
// libraries. Windows Explorer writes it for members over 2 GiB, so a mailed
// archive can carry it; left undecoded, its payload would go unscanned.
//
// It is deflate (RFC 1951) with three changes: a 64 KiB window, length code
// 285 meaning "3 + 16 extra bits" instead of 258, and distance codes 30 and
// 31 (32769 and 49153, 14 extra bits each).
#include <cstdint>
#include <vector>

#include "core/budget.hpp"
#include "core/inflate.hpp"
#include "sluice/byte_view.hpp"

namespace sluice::formats::zip {

// Appends at most `cap` bytes to `out`; the output itself is the window, so no
// distance can reach before the first byte this call wrote.
[[nodiscard]] core::InflateResult inflate64_bounded(ByteView input, std::vector<std::uint8_t>& out,
                                                    std::uint64_t cap, const core::Budget& budget);

}  // namespace sluice::formats::zip
