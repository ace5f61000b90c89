#pragma once
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), which [MS-VHDX]
// §2.2.2 uses for headers, region tables and log entries. zlib only has the
// IEEE polynomial, so this is a small table-driven one; the table is built at
// compile time (no mutable static state).
#include <array>
#include <cstdint>

#include "sluice/byte_view.hpp"

namespace sluice::formats::vhdx {

namespace detail {
constexpr std::array<std::uint32_t, 256> make_crc32c_table() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t[i] = c;
  }
  return t;
}
inline constexpr std::array<std::uint32_t, 256> kCrc32cTable = make_crc32c_table();
}  // namespace detail

// Continues a running CRC (start with 0xFFFFFFFF, finish with ~).
[[nodiscard]] inline std::uint32_t crc32c_update(std::uint32_t crc, ByteView b) noexcept {
  for (char ch : b.chars()) {
    crc = detail::kCrc32cTable[(crc ^ static_cast<std::uint8_t>(ch)) & 0xFF] ^ (crc >> 8);
  }
  return crc;
}

// CRC-32C of `b` with the 4 bytes at `field` read as zero (how VHDX
// checksums cover their own checksum field).
[[nodiscard]] inline std::uint32_t crc32c_skip(ByteView b, std::uint64_t field) noexcept {
  static constexpr std::array<std::uint8_t, 4> kZero{};
  std::uint32_t crc = 0xFFFFFFFFu;
  crc = crc32c_update(crc, b.clamp(0, field));
  crc = crc32c_update(crc, ByteView(kZero.data(), kZero.size()));
  crc = crc32c_update(crc, b.tail(field + 4));
  return ~crc;
}

}  // namespace sluice::formats::vhdx
