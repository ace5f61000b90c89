#pragma once
// Pure VHD parsing: footer(s), dynamic header, BAT. The unpacker assembles.
#include <cstdint>
#include <string>
#include <vector>

#include "core/parsed.hpp"
#include "sluice/byte_view.hpp"
#include "sluice/limits.hpp"
#include "sluice/finding.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::vhd {


struct Footer {
  std::uint64_t offset = 0;  // where in the file it was read
  std::uint64_t data_offset = 0;
  std::uint64_t current_size = 0;
  std::uint32_t disk_type = 0;
  std::uint32_t checksum = 0;
  std::uint32_t computed = 0;
  std::string creator;  // creator application, 4 ASCII bytes ("vpc ", "qemu", "win ")
  ByteView raw;         // the checksummed bytes, to compare the two copies
};

struct Dynamic {
  std::uint64_t table_offset = 0;
  std::uint32_t max_entries = 0;
  std::uint32_t block_size = 0;
  std::uint64_t bitmap_bytes = 0;  // sector bitmap, padded to a sector
  std::vector<std::uint32_t> bat;  // sector offsets, kBatUnused when absent
  std::string parent_name;         // differencing: UTF-8 from UTF-16BE
  std::vector<std::string> parent_locators;  // platform codes present
};

struct Image {
  Footer footer;
  bool has_dynamic = false;
  Dynamic dynamic;
  std::uint64_t data_end = 0;  // fixed: bytes of disk data before the footer
};

// Fails when there is no footer to read or the dynamic header is unusable;
// damage short of that becomes anomalies.
[[nodiscard]] Result<Parsed<Image>> parse(ByteView file, const Limits& limits);

}  // namespace sluice::formats::vhd
