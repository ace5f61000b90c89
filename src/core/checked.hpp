#pragma once
// Size arithmetic on attacker-supplied numbers happens here, before any
// allocation or sub-view: an overflow is an answer ("no"), never a wrap.
#include <cstdint>
#include <optional>

namespace sluice::core {

[[nodiscard]] constexpr std::optional<std::uint64_t> checked_add(std::uint64_t a,
                                                                 std::uint64_t b) noexcept {
  std::uint64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

[[nodiscard]] constexpr std::optional<std::uint64_t> checked_mul(std::uint64_t a,
                                                                 std::uint64_t b) noexcept {
  std::uint64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

// a * b + c, the shape of "block number * block size + offset" in every disk format.
[[nodiscard]] constexpr std::optional<std::uint64_t> checked_mul_add(std::uint64_t a,
                                                                     std::uint64_t b,
                                                                     std::uint64_t c) noexcept {
  auto m = checked_mul(a, b);
  if (!m) return std::nullopt;
  return checked_add(*m, c);
}

}  // namespace sluice::core
