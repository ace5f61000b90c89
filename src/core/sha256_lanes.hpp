#pragma once
// SHA-256 compression on states the caller owns, one stream or two at once.
// Key derivations (7z AES, RAR 5's PBKDF2) hash one long chain per candidate
// password; each SHA-NI round waits on the one before, so a single chain
// leaves the unit idle half the time. Two candidates' chains interleaved
// finish together in about the time of one (docs/adr/0035): the password
// search derives its keys two candidates at a time.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/sha_ni.hpp"

namespace sluice::core::sha256 {

// The eight working words, in the standard order (a .. h).
using State = std::array<std::uint32_t, 8>;
inline constexpr State kInitial = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
inline constexpr std::size_t kBlock = 64;

// The kernels behind Compressor (core/sha_ni.hpp), in the .cpp.
struct Kernels {
  using State = sha256::State;
  template <std::size_t N>
  __attribute__((target("sha,sse4.1,ssse3"))) static void ni(const std::array<State*, N>& states,
                                                              const std::array<const std::uint8_t*, N>& in,
                                                              std::size_t blocks) noexcept;
  static void portable(State& s, const std::uint8_t* blocks, std::size_t n) noexcept;
};
using Compressor = LaneCompressor<Kernels>;

// The digest of a stream whose first `hashed` bytes (a multiple of 64) are
// already in `s`, followed by `tail` (fewer than 64 bytes): padding, length,
// big-endian output.
[[nodiscard]] std::array<std::uint8_t, 32> finish(const Compressor& c, State s, std::uint64_t hashed,
                                                  const std::uint8_t* tail, std::size_t tail_size) noexcept;

// A state's words as the digest's big-endian bytes (32 bytes at `out`).
void store_words(const State& s, std::uint8_t* out) noexcept;

// PBKDF2-HMAC-SHA256 after its first block: `inner` and `outer` are the HMAC
// key's pads absorbed (one compression each), `u` the last U, `f` their XOR.
struct HmacChain {
  State inner{}, outer{}, u{}, f{};
};
// `steps` more iterations of U = HMAC(U), F ^= U for each chain (two chains
// side by side on SHA-NI). Each MAC of a 32-byte U is two compressions on
// the pads' states, kept in the kernel's own form for the whole run.
void pbkdf2_steps(const Compressor& c, std::span<HmacChain> chains, std::uint64_t steps) noexcept;

}  // namespace sluice::core::sha256
