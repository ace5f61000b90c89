#pragma once
// Eight bytes a step ("SIMD within a register") for the text loops that run
// over every part and every report of every message (issue #17): JSON
// quoting, the UTF-8 check, ASCII lower-casing. A word is loaded with memcpy
// (no alignment, no aliasing question) and tested with the classic has-zero
// and has-less tricks: their answer for the word as a whole is exact, though
// a flagged byte's neighbours above it may be flagged too, so callers ask
// "any?" and find the byte itself by the byte loop that follows.
#include <cstdint>
#include <cstring>

namespace sluice::core::swar {

inline constexpr std::uint64_t kOnes = 0x0101010101010101ull;
inline constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7Full;
inline constexpr std::uint64_t kHigh = 0x8080808080808080ull;

[[nodiscard]] inline std::uint64_t load(const char* p) noexcept {
  std::uint64_t w = 0;
  std::memcpy(&w, p, sizeof w);
  return w;
}

inline void store(char* p, std::uint64_t w) noexcept { std::memcpy(p, &w, sizeof w); }

[[nodiscard]] constexpr std::uint64_t broadcast(unsigned char c) noexcept { return kOnes * c; }

// Non-zero when some byte of w is >= 0x80.
[[nodiscard]] constexpr std::uint64_t any_high(std::uint64_t w) noexcept { return w & kHigh; }

// Non-zero when some byte of w is below n (n <= 0x80).
[[nodiscard]] constexpr std::uint64_t any_below(std::uint64_t w, unsigned char n) noexcept {
  return (w - broadcast(n)) & ~w & kHigh;
}

// Non-zero when some byte of w is c.
[[nodiscard]] constexpr std::uint64_t any_equal(std::uint64_t w, unsigned char c) noexcept {
  return any_below(w ^ broadcast(c), 1);
}

}  // namespace sluice::core::swar
