#pragma once
// What the SHA-1 and SHA-256 lanes (core/sha1_lanes.hpp, core/sha256_lanes.hpp)
// share: whether the CPU has the SHA extensions, and the Merkle–Damgård
// padding both hashes end with.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

namespace sluice::core {

// SHA-NI with the SSSE3 and SSE4.1 shuffles its kernels use (cpuid; ask once
// per derivation, not per block: in a VM cpuid traps to the hypervisor).
[[nodiscard]] bool cpu_has_sha_ni() noexcept;

// The last one or two 64-byte blocks of a stream of `total` bytes whose last
// `tail_size` (< 64) bytes are `tail`: the tail, 0x80, zeros and the length
// in bits, big-endian. Returns how many blocks of `out` to compress.
std::size_t pad_last_blocks(const std::uint8_t* tail, std::size_t tail_size, std::uint64_t total,
                            std::array<std::uint8_t, 128>& out) noexcept;

// Hash words as the digest's big-endian bytes (4 per word at `out`).
void store_big_endian(std::span<const std::uint32_t> words, std::uint8_t* out) noexcept;

// One stream or two in lock step through `Kernels` (a hash's SHA-NI kernel
// for one or two lanes and its portable one-stream path): the choice made
// once, when the compressor is made.
template <class Kernels>
class LaneCompressor {
 public:
  using State = typename Kernels::State;
  enum class Unit { best, portable };
  // `best` uses SHA-NI where the CPU has it; `portable` always uses OpenSSL's
  // compression (the tests compare the two).
  explicit LaneCompressor(Unit unit = Unit::best) noexcept : sha_ni_(unit == Unit::best && cpu_has_sha_ni()) {}

  // `n` 64-byte blocks into `s`.
  void one(State& s, const std::uint8_t* blocks, std::size_t n) const noexcept {
    if (n == 0) return;
    if (sha_ni_) {
      Kernels::ni(std::array<State*, 1>{&s}, std::array<const std::uint8_t*, 1>{blocks}, n);
    } else {
      Kernels::portable(s, blocks, n);
    }
  }
  // `n` blocks of `a` into `sa` and `n` of `b` into `sb`, interleaved.
  void two(State& sa, const std::uint8_t* a, State& sb, const std::uint8_t* b, std::size_t n) const noexcept {
    if (n == 0) return;
    if (sha_ni_) {
      Kernels::ni(std::array<State*, 2>{&sa, &sb}, std::array<const std::uint8_t*, 2>{a, b}, n);
    } else {
      Kernels::portable(sa, a, n);
      Kernels::portable(sb, b, n);
    }
  }

  [[nodiscard]] bool sha_ni() const noexcept { return sha_ni_; }

 private:
  bool sha_ni_ = false;
};

// The digest of a stream whose first `hashed` bytes (a multiple of 64) are in
// `s`, followed by `tail` (fewer than 64 bytes): padding, length, big-endian
// words. One body for both hashes' finish().
template <class Compressor>
std::array<std::uint8_t, 4 * std::tuple_size_v<typename Compressor::State>> finish_digest(
    const Compressor& c, typename Compressor::State s, std::uint64_t hashed, const std::uint8_t* tail,
    std::size_t tail_size) noexcept {
  std::array<std::uint8_t, 128> last{};
  c.one(s, last.data(), pad_last_blocks(tail, tail_size, hashed + tail_size, last));
  std::array<std::uint8_t, 4 * std::tuple_size_v<typename Compressor::State>> out{};
  store_big_endian(s, out.data());
  return out;
}

}  // namespace sluice::core
