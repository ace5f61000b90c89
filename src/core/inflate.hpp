#pragma once
// Bounded streaming inflate shared by every format that carries deflate data
// (gzip, ZIP, ...). Output never exceeds the caller's cap, the deadline is
// checked while it runs, and a stream that ends early or lies is an outcome,
// not an error: the bytes decoded so far are kept and scanned.
#include <cstdint>
#include <vector>

#include "core/budget.hpp"
#include "sluice/byte_view.hpp"

namespace sluice::core {

enum class InflateEnd : std::uint8_t {
  complete,   // the deflate stream's final block was reached
  truncated,  // input ran out before the final block
  corrupt,    // the bit stream is invalid
  capped,     // the output cap was reached
  deadline,   // the scan's time ran out
};

struct InflateResult {
  InflateEnd end = InflateEnd::complete;
  std::uint64_t consumed = 0;  // input bytes used, for what follows the stream
  std::uint32_t crc32 = 0;     // of the bytes this call appended
  std::uint64_t produced = 0;  // bytes this call appended
};

// Appends to `out`. `window_bits` as in zlib: -15 for raw deflate (ZIP, gzip
// members parsed by hand).
[[nodiscard]] InflateResult inflate_bounded(ByteView input, std::vector<std::uint8_t>& out,
                                            std::uint64_t cap, const Budget& budget,
                                            int window_bits = -15);

}  // namespace sluice::core
