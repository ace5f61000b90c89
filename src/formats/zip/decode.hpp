#pragma once
// Bounded decompression for every ZIP method Sluice reads. Each decoder stops
// at `cap` bytes and at the scan deadline; what was decoded before a stop is
// returned, so a damaged or capped member is still scanned.
#include <cstdint>
#include <optional>
#include <vector>

#include "core/budget.hpp"
#include "core/inflate.hpp"
#include "sluice/byte_view.hpp"

namespace sluice::formats::zip {

struct Decoded {
  std::vector<std::uint8_t> bytes;
  core::InflateEnd end = core::InflateEnd::complete;
  std::uint64_t consumed = 0;  // input bytes used (finds a streamed entry's end)
  bool supported = true;
};

[[nodiscard]] bool method_supported(std::uint16_t method) noexcept;
// `declared`: the header's uncompressed size, a hint for one allocation.
[[nodiscard]] Decoded decode(std::uint16_t method, ByteView input, std::uint64_t cap,
                             const core::Budget& budget, std::uint64_t declared = 0);

// Where a raw deflate stream ends, without keeping its output (a streamed
// member found only by its local header has no size). Nothing when it does
// not end within `max_output` bytes of output.
// `work` grows by the bytes read and written, for the caller's overall bound.
[[nodiscard]] std::optional<std::uint64_t> deflate_length(ByteView input, std::uint64_t max_output,
                                                          const core::Budget& budget,
                                                          std::uint64_t& work);

}  // namespace sluice::formats::zip
