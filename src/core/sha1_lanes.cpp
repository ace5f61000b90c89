#include "core/sha1_lanes.hpp"

#include "core/sha_ni.hpp"

// SHA1_Transform: the portable path (deprecated in OpenSSL 3, the only public
// call that compresses a caller-owned state).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <immintrin.h>

#include <cstring>

namespace sluice::core::sha1 {

namespace {

// SHA-NI keeps a, b, c, d in one vector (a in the top lane) and e in the top
// lane of another.
struct Lane {
  __m128i abcd, e;
};

__attribute__((target("sha,sse4.1,ssse3"))) Lane load(const State& s) noexcept {
  const __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data()));
  return {_mm_shuffle_epi32(dcba, 0x1B), _mm_set_epi32(static_cast<int>(s[4]), 0, 0, 0)};
}

__attribute__((target("sha,sse4.1,ssse3"))) void save(const Lane& l, State& s) noexcept {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(s.data()), _mm_shuffle_epi32(l.abcd, 0x1B));
  s[4] = static_cast<std::uint32_t>(_mm_extract_epi32(l.e, 3));
}

// The round function is an immediate: one instantiation per group of 20 rounds.
template <int F>
__attribute__((target("sha,sse4.1,ssse3"))) __m128i rounds4(__m128i abcd, __m128i e) noexcept {
  return _mm_sha1rnds4_epu32(abcd, e, F);
}

// N lanes in lock step (see core/sha256_lanes.cpp): each lane's rounds wait
// only on its own.
template <std::size_t N>
__attribute__((target("sha,sse4.1,ssse3"))) void compress_ni(std::array<Lane, N>& lanes,
                                                              const std::array<const std::uint8_t*, N>& in,
                                                              std::size_t blocks) noexcept {
  const __m128i swap = _mm_set_epi64x(0x0001020304050607ULL, 0x08090a0b0c0d0e0fULL);
  for (std::size_t blk = 0; blk < blocks; ++blk) {
    const std::array<Lane, N> start = lanes;
    __m128i w[N][4], before[N];
#pragma GCC unroll 20
    for (int g = 0; g < 20; ++g) {
#pragma GCC unroll 2
      for (std::size_t j = 0; j < N; ++j) {
        __m128i* m = w[j];
        if (g < 4) {
          m[g] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in[j] + blk * kBlock + 16 * g)),
                                  swap);
        } else {
          // W[t] = rol1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]): msg1 gives
          // W[t-16] ^ W[t-14], the XOR adds W[t-8], msg2 adds W[t-3] and rotates.
          const __m128i x = _mm_xor_si128(_mm_sha1msg1_epu32(m[g & 3], m[(g + 1) & 3]), m[(g + 2) & 3]);
          m[g & 3] = _mm_sha1msg2_epu32(x, m[(g + 3) & 3]);
        }
        // e for these four rounds: the state's own e first, then derived
        // from the a of four rounds before.
        const __m128i e = g == 0 ? _mm_add_epi32(lanes[j].e, m[0]) : _mm_sha1nexte_epu32(before[j], m[g & 3]);
        before[j] = lanes[j].abcd;
        switch (g / 5) {
          case 0: lanes[j].abcd = rounds4<0>(lanes[j].abcd, e); break;
          case 1: lanes[j].abcd = rounds4<1>(lanes[j].abcd, e); break;
          case 2: lanes[j].abcd = rounds4<2>(lanes[j].abcd, e); break;
          default: lanes[j].abcd = rounds4<3>(lanes[j].abcd, e); break;
        }
      }
    }
    for (std::size_t j = 0; j < N; ++j) {
      lanes[j].e = _mm_sha1nexte_epu32(before[j], start[j].e);
      lanes[j].abcd = _mm_add_epi32(lanes[j].abcd, start[j].abcd);
    }
  }
}

}  // namespace

// Loads, compresses and saves inside one SHA-NI function: no call across
// targets per block.
template <std::size_t N>
__attribute__((target("sha,sse4.1,ssse3"))) void Kernels::ni(const std::array<State*, N>& states,
                                                              const std::array<const std::uint8_t*, N>& in,
                                                              std::size_t blocks) noexcept {
  std::array<Lane, N> lanes;
  for (std::size_t j = 0; j < N; ++j) lanes[j] = load(*states[j]);
  compress_ni<N>(lanes, in, blocks);
  for (std::size_t j = 0; j < N; ++j) save(lanes[j], *states[j]);
}
template void Kernels::ni<1>(const std::array<State*, 1>&, const std::array<const std::uint8_t*, 1>&,
                             std::size_t) noexcept;
template void Kernels::ni<2>(const std::array<State*, 2>&, const std::array<const std::uint8_t*, 2>&,
                             std::size_t) noexcept;

void Kernels::portable(State& s, const std::uint8_t* p, std::size_t n) noexcept {
  SHA_CTX c{};
  c.h0 = s[0];
  c.h1 = s[1];
  c.h2 = s[2];
  c.h3 = s[3];
  c.h4 = s[4];
  for (std::size_t i = 0; i < n; ++i) SHA1_Transform(&c, p + i * kBlock);
  s = {c.h0, c.h1, c.h2, c.h3, c.h4};
}

std::array<std::uint8_t, 20> finish(const Compressor& c, State s, std::uint64_t hashed, const std::uint8_t* tail,
                                    std::size_t tail_size) noexcept {
  return finish_digest(c, s, hashed, tail, tail_size);
}

}  // namespace sluice::core::sha1
