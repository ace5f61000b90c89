#pragma once
// zisofs ("pz", mkzftree / genisoimage -z / xorriso -zisofs): a file's extent
// is a 16-byte header, a table of block pointers and one zlib stream per block
// (an empty block is all zeros). Rock Ridge readers inflate it transparently;
// Windows reads the compressed bytes. Pure: decodes into a buffer, bounded by
// the caller's cap and the scan's deadline.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/budget.hpp"
#include "sluice/byte_view.hpp"

namespace sluice::formats::iso9660 {

inline constexpr std::string_view kZisofsMagic{"\x37\xE4\x53\x96\xC9\xDB\xD6\x07", 8};

struct ZisofsOutcome {
  std::vector<std::uint8_t> data;
  std::uint64_t block_size = 0;
  bool header_ok = false;   // false: not a zisofs stream at all (data stays empty)
  bool capped = false;      // stopped at `cap`
  bool deadline = false;
  std::string problem;      // non-empty: corrupt header fields, pointers or blocks
};

// `declared` is the uncompressed size from the ZF entry; `cap` the most bytes
// the budget allows.
[[nodiscard]] ZisofsOutcome zisofs_decode(ByteView file, std::uint64_t declared, std::uint64_t cap,
                                          const core::Budget& budget);

}  // namespace sluice::formats::iso9660
