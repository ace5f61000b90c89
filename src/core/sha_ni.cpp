#include "core/sha_ni.hpp"

#include <cpuid.h>

#include <algorithm>
#include <cstring>

namespace sluice::core {

bool cpu_has_sha_ni() noexcept {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0) return false;
  const bool ssse3 = (c >> 9) & 1u, sse41 = (c >> 19) & 1u;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return false;
  return ssse3 && sse41 && ((b >> 29) & 1u);
}

std::size_t pad_last_blocks(const std::uint8_t* tail, std::size_t tail_size, std::uint64_t total,
                            std::array<std::uint8_t, 128>& out) noexcept {
  out.fill(0);
  tail_size = std::min<std::size_t>(tail_size, 63);
  if (tail_size > 0) std::memcpy(out.data(), tail, tail_size);
  out[tail_size] = 0x80;
  // The 0x80 and the 8-byte length fit after the tail in one block or two.
  const std::size_t blocks = tail_size + 1 + 8 <= 64 ? 1 : 2;
  const std::uint64_t bits = total * 8;
  for (int i = 0; i < 8; ++i) out[blocks * 64 - 1 - static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(bits >> (8 * i));
  return blocks;
}

void store_big_endian(std::span<const std::uint32_t> words, std::uint8_t* out) noexcept {
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::uint32_t be = __builtin_bswap32(words[i]);
    std::memcpy(out + 4 * i, &be, 4);
  }
}

}  // namespace sluice::core
