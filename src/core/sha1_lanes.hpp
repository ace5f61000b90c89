#pragma once
// SHA-1 compression on states the caller owns, one stream or two at once:
// the same idea as core/sha256_lanes.hpp for RAR 3's key derivation (2^18
// SHA-1 iterations per candidate password, docs/adr/0035).
#include <array>
#include <cstddef>
#include <cstdint>

#include "core/sha_ni.hpp"

namespace sluice::core::sha1 {

using State = std::array<std::uint32_t, 5>;  // a .. e
inline constexpr State kInitial = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
inline constexpr std::size_t kBlock = 64;

// The kernels behind Compressor (core/sha_ni.hpp), in the .cpp.
struct Kernels {
  using State = sha1::State;
  template <std::size_t N>
  __attribute__((target("sha,sse4.1,ssse3"))) static void ni(const std::array<State*, N>& states,
                                                              const std::array<const std::uint8_t*, N>& in,
                                                              std::size_t blocks) noexcept;
  static void portable(State& s, const std::uint8_t* blocks, std::size_t n) noexcept;
};
using Compressor = LaneCompressor<Kernels>;

// The digest of a stream whose first `hashed` bytes (a multiple of 64) are in
// `s`, followed by `tail` (fewer than 64 bytes).
[[nodiscard]] std::array<std::uint8_t, 20> finish(const Compressor& c, State s, std::uint64_t hashed,
                                                  const std::uint8_t* tail, std::size_t tail_size) noexcept;

}  // namespace sluice::core::sha1
