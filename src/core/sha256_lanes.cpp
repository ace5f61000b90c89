#include "core/sha256_lanes.hpp"

#include "core/sha_ni.hpp"

// SHA256_Transform: the portable path's compression of a caller-owned state
// (deprecated in OpenSSL 3, the only public call that does it).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace sluice::core::sha256 {

namespace {

alignas(16) constexpr std::uint32_t kRound[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// SHA-NI keeps the words as two vectors, ABEF and CDGH.
struct Lane {
  __m128i abef, cdgh;
};

__attribute__((target("sha,sse4.1,ssse3"))) Lane load(const State& s) noexcept {
  __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data()));
  __m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + 4));
  const __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
  const __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
  return {_mm_alignr_epi8(cdab, efgh, 8), _mm_blend_epi16(efgh, cdab, 0xF0)};
}

// A state's eight words in the standard order as two vectors (words 0-3,
// 4-7): what the state array holds, and what a 32-byte message's first two
// message vectors are (PBKDF2's U).
struct Words {
  __m128i lo, hi;
};

__attribute__((target("sha,sse4.1,ssse3"), always_inline)) inline Words words(const Lane& l) noexcept {
  const __m128i feba = _mm_shuffle_epi32(l.abef, 0x1B);
  const __m128i dchg = _mm_shuffle_epi32(l.cdgh, 0xB1);
  return {_mm_blend_epi16(feba, dchg, 0xF0), _mm_alignr_epi8(dchg, feba, 8)};
}

__attribute__((target("sha,sse4.1,ssse3"), always_inline)) inline Words load_words(const State& s) noexcept {
  return {_mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data())),
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + 4))};
}

__attribute__((target("sha,sse4.1,ssse3"), always_inline)) inline void save_words(const Words& w, State& s) noexcept {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(s.data()), w.lo);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(s.data() + 4), w.hi);
}

__attribute__((target("sha,sse4.1,ssse3"))) void save(const Lane& l, State& s) noexcept { save_words(words(l), s); }

// One block into each of N lanes in lock step, its first four message
// vectors (W0..W15 in word order) given; the schedule is computed in place.
// Each lane's rounds depend on its own only, so the CPU runs one lane's
// rounds while another's wait. Two lanes fill the unit on the machines
// measured; more spill registers.
template <std::size_t N>
__attribute__((target("sha,sse4.1,ssse3"), always_inline)) inline void rounds(std::array<Lane, N>& lanes,
                                                                __m128i (&w)[N][4]) noexcept {
  const std::array<Lane, N> start = lanes;
#pragma GCC unroll 16
  for (int g = 0; g < 16; ++g) {
    const __m128i k = _mm_load_si128(reinterpret_cast<const __m128i*>(kRound + 4 * g));
#pragma GCC unroll 2
    for (std::size_t j = 0; j < N; ++j) {
      __m128i* m = w[j];
      if (g >= 4) {
        // W[i..i+3] from the four groups before: msg1 adds sigma0, the
        // alignr brings W[i-7], msg2 adds sigma1.
        const __m128i s0 = _mm_sha256msg1_epu32(m[g & 3], m[(g + 1) & 3]);
        const __m128i w7 = _mm_alignr_epi8(m[(g + 3) & 3], m[(g + 2) & 3], 4);
        m[g & 3] = _mm_sha256msg2_epu32(_mm_add_epi32(s0, w7), m[(g + 3) & 3]);
      }
      const __m128i t = _mm_add_epi32(m[g & 3], k);
      lanes[j].cdgh = _mm_sha256rnds2_epu32(lanes[j].cdgh, lanes[j].abef, t);
      lanes[j].abef = _mm_sha256rnds2_epu32(lanes[j].abef, lanes[j].cdgh, _mm_shuffle_epi32(t, 0x0E));
    }
  }
  for (std::size_t j = 0; j < N; ++j) {
    lanes[j].abef = _mm_add_epi32(lanes[j].abef, start[j].abef);
    lanes[j].cdgh = _mm_add_epi32(lanes[j].cdgh, start[j].cdgh);
  }
}

template <std::size_t N>
__attribute__((target("sha,sse4.1,ssse3"))) void compress_ni(std::array<Lane, N>& lanes,
                                                              const std::array<const std::uint8_t*, N>& in,
                                                              std::size_t blocks) noexcept {
  const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  for (std::size_t blk = 0; blk < blocks; ++blk) {
    __m128i w[N][4];
    for (std::size_t j = 0; j < N; ++j) {
      for (std::size_t g = 0; g < 4; ++g) {
        w[j][g] = _mm_shuffle_epi8(
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(in[j] + blk * kBlock + 16 * g)), swap);
      }
    }
    rounds<N>(lanes, w);
  }
}

// PBKDF2's iterations on SHA-NI: U's words are the next message's first
// two vectors as they are (no bytes, no swapping), the padding of a 32-byte
// message after the pad block is the other two, and the pads' states stay
// in lane form for the whole chain.
template <std::size_t N>
__attribute__((target("sha,sse4.1,ssse3"))) void pbkdf2_ni(const std::array<HmacChain*, N>& chains,
                                                            std::uint64_t steps) noexcept {
  const __m128i pad0 = _mm_set_epi32(0, 0, 0, static_cast<int>(0x80000000u));
  const __m128i pad1 = _mm_set_epi32(static_cast<int>((kBlock + 32) * 8), 0, 0, 0);
  std::array<Lane, N> inner, outer;
  Words u[N], f[N];
  for (std::size_t j = 0; j < N; ++j) {
    inner[j] = load(chains[j]->inner);
    outer[j] = load(chains[j]->outer);
    u[j] = load_words(chains[j]->u);
    f[j] = load_words(chains[j]->f);
  }
  for (std::uint64_t i = 0; i < steps; ++i) {
    std::array<Lane, N> s = inner;
    __m128i w[N][4];
    for (std::size_t j = 0; j < N; ++j) {
      w[j][0] = u[j].lo;
      w[j][1] = u[j].hi;
      w[j][2] = pad0;
      w[j][3] = pad1;
    }
    rounds<N>(s, w);
    for (std::size_t j = 0; j < N; ++j) {
      const Words d = words(s[j]);
      w[j][0] = d.lo;
      w[j][1] = d.hi;
      w[j][2] = pad0;
      w[j][3] = pad1;
    }
    s = outer;
    rounds<N>(s, w);
    for (std::size_t j = 0; j < N; ++j) {
      u[j] = words(s[j]);
      f[j].lo = _mm_xor_si128(f[j].lo, u[j].lo);
      f[j].hi = _mm_xor_si128(f[j].hi, u[j].hi);
    }
  }
  for (std::size_t j = 0; j < N; ++j) {
    save_words(u[j], chains[j]->u);
    save_words(f[j], chains[j]->f);
  }
}

// The same through the portable compression, a block at a time.
void pbkdf2_portable(const Compressor& c, HmacChain& h, std::uint64_t steps) noexcept {
  // A 32-byte message after the pad block, padded once: each step writes
  // only its first 32 bytes.
  std::array<std::uint8_t, 2 * kBlock> message{}, inner_digest{};
  const std::array<std::uint8_t, 32> none{};
  pad_last_blocks(none.data(), none.size(), kBlock + none.size(), message);
  inner_digest = message;
  for (std::uint64_t i = 0; i < steps; ++i) {
    store_words(h.u, message.data());
    State s = h.inner;
    c.one(s, message.data(), 1);
    store_words(s, inner_digest.data());
    s = h.outer;
    c.one(s, inner_digest.data(), 1);
    h.u = s;
    for (std::size_t w = 0; w < s.size(); ++w) h.f[w] ^= s[w];
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
  SHA256_CTX c{};
  std::memcpy(c.h, s.data(), sizeof c.h);
  for (std::size_t i = 0; i < n; ++i) SHA256_Transform(&c, p + i * kBlock);
  std::memcpy(s.data(), c.h, sizeof c.h);
}

void store_words(const State& s, std::uint8_t* out) noexcept { store_big_endian(s, out); }

std::array<std::uint8_t, 32> finish(const Compressor& c, State s, std::uint64_t hashed, const std::uint8_t* tail,
                                    std::size_t tail_size) noexcept {
  return finish_digest(c, s, hashed, tail, tail_size);
}

void pbkdf2_steps(const Compressor& c, std::span<HmacChain> chains, std::uint64_t steps) noexcept {
  if (c.sha_ni() && chains.size() == 2) {
    pbkdf2_ni<2>({&chains[0], &chains[1]}, steps);
    return;
  }
  for (HmacChain& h : chains) {
    if (c.sha_ni()) {
      pbkdf2_ni<1>({&h}, steps);
    } else {
      pbkdf2_portable(c, h, steps);
    }
  }
}

}  // namespace sluice::core::sha256
