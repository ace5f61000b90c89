#pragma once
// Compressed RTF (MS-OXRTFCP): PidTagRtfCompressed in TNEF and .msg. Pure and
// bounded: the caller says how many bytes it may produce.
#include <cstdint>
#include <vector>

#include "sluice/byte_view.hpp"
#include "sluice/result.hpp"

namespace sluice::codecs::mapi {

struct LzfuOutput {
  std::vector<std::uint8_t> bytes;
  std::uint32_t raw_size = 0;    // what the header promised
  bool compressed = true;        // "LZFu"; false for "MELA" (stored)
  bool crc_ok = true;            // CRC of the compressed bytes (LZFu only)
  bool capped = false;           // stopped at max_out
  bool short_input = false;      // ran out of input before the end marker / raw size
};

// Errors only when the header is unusable (too short, unknown kind); damage
// after it is reported through the flags, with what was decoded kept.
[[nodiscard]] Result<LzfuOutput> lzfu_decompress(ByteView in, std::uint64_t max_out);

}  // namespace sluice::codecs::mapi
