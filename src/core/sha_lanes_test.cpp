// The SHA-1 and SHA-256 lanes against OpenSSL's one-shot digests, on both
// units (SHA-NI and the portable path), one lane and two.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <cstring>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "core/sha1_lanes.hpp"
#include "core/sha256_lanes.hpp"

namespace sluice::core {
namespace {

struct Sha1 {
  using Compressor = sha1::Compressor;
  using State = sha1::State;
  static constexpr State kInitial = sha1::kInitial;
  static std::vector<std::uint8_t> oracle(const std::vector<std::uint8_t>& v) {
    std::vector<std::uint8_t> d(20);
    SHA1(v.data(), v.size(), d.data());
    return d;
  }
  static std::vector<std::uint8_t> finish(const Compressor& c, State s, std::uint64_t hashed, const std::uint8_t* t,
                                          std::size_t n) {
    const auto d = sha1::finish(c, s, hashed, t, n);
    return {d.begin(), d.end()};
  }
};

struct Sha256 {
  using Compressor = sha256::Compressor;
  using State = sha256::State;
  static constexpr State kInitial = sha256::kInitial;
  static std::vector<std::uint8_t> oracle(const std::vector<std::uint8_t>& v) {
    std::vector<std::uint8_t> d(32);
    SHA256(v.data(), v.size(), d.data());
    return d;
  }
  static std::vector<std::uint8_t> finish(const Compressor& c, State s, std::uint64_t hashed, const std::uint8_t* t,
                                          std::size_t n) {
    const auto d = sha256::finish(c, s, hashed, t, n);
    return {d.begin(), d.end()};
  }
};

std::vector<std::uint8_t> bytes(std::size_t n, std::uint8_t seed) {
  std::vector<std::uint8_t> v(n);
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& b : v) {
    x = x * 1103515245u + 12345u;
    b = static_cast<std::uint8_t>(x >> 24);
  }
  return v;
}

template <class H>
class ShaLanes : public ::testing::Test {};
using Hashes = ::testing::Types<Sha1, Sha256>;
TYPED_TEST_SUITE(ShaLanes, Hashes);

template <class H>
std::vector<typename H::Compressor> units() {
  return {typename H::Compressor(), typename H::Compressor(H::Compressor::Unit::portable)};
}

// Sizes around every padding edge: empty, 55/56 (the length fits after the
// tail or not), whole blocks, and several blocks.
TYPED_TEST(ShaLanes, OneLaneIsTheDigestOnBothUnits) {
  using H = TypeParam;
  for (const auto& c : units<H>()) {
    SCOPED_TRACE(c.sha_ni() ? "SHA-NI" : "portable");
    for (std::size_t n : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 119u, 120u, 128u, 1000u, 4113u}) {
      const auto v = bytes(n, static_cast<std::uint8_t>(n));
      typename H::State s = H::kInitial;
      const std::size_t whole = v.size() / 64;
      c.one(s, v.data(), whole);
      EXPECT_EQ(H::finish(c, s, whole * 64, v.data() + whole * 64, v.size() % 64), H::oracle(v)) << n << " bytes";
    }
  }
}

TYPED_TEST(ShaLanes, TwoLanesAreEachTheirOwnDigest) {
  using H = TypeParam;
  for (const auto& c : units<H>()) {
    SCOPED_TRACE(c.sha_ni() ? "SHA-NI" : "portable");
    for (std::size_t blocks : {1u, 2u, 7u, 64u}) {
      const auto a = bytes(blocks * 64, 1), b = bytes(blocks * 64, 2);
      typename H::State sa = H::kInitial, sb = H::kInitial;
      c.two(sa, a.data(), sb, b.data(), blocks);
      EXPECT_EQ(H::finish(c, sa, a.size(), nullptr, 0), H::oracle(a)) << blocks;
      EXPECT_EQ(H::finish(c, sb, b.size(), nullptr, 0), H::oracle(b)) << blocks;
      // A lane's result does not depend on its neighbour's bytes.
      typename H::State same_a = H::kInitial, other_b = H::kInitial;
      const auto b2 = bytes(blocks * 64, 3);
      c.two(same_a, a.data(), other_b, b2.data(), blocks);
      EXPECT_EQ(same_a, sa);
    }
  }
}

// Where the kernel lists SHA-NI (the CPU's flags, read independently of the
// cpuid check under test) the default compressors use it: otherwise the fast
// path could go unused without a test failing.
TYPED_TEST(ShaLanes, UsesShaNiWhereTheCpuHasIt) {
  using H = TypeParam;
  std::ifstream in("/proc/cpuinfo");
  if (!in) GTEST_SKIP() << "no /proc/cpuinfo";
  std::string flags;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("flags", 0) == 0) {
      flags = line + " ";
      break;
    }
  }
  EXPECT_EQ(typename H::Compressor().sha_ni(), flags.find(" sha_ni ") != std::string::npos);
  EXPECT_FALSE(typename H::Compressor(H::Compressor::Unit::portable).sha_ni());
}

// PBKDF2's later iterations on both units, one chain and two, against
// OpenSSL's PKCS5_PBKDF2_HMAC: the chain is set up here from the key's pads
// and OpenSSL's HMAC of salt | INT(1).
sha256::HmacChain chain_for(const sha256::Compressor& c, const std::string& key, const std::vector<std::uint8_t>& salt) {
  std::array<std::uint8_t, 64> k{};
  std::memcpy(k.data(), key.data(), key.size());  // keys up to 64 bytes here
  std::array<std::uint8_t, 64> pad{};
  sha256::HmacChain h;
  for (std::size_t i = 0; i < 64; ++i) pad[i] = k[i] ^ 0x36;
  h.inner = sha256::kInitial;
  c.one(h.inner, pad.data(), 1);
  for (std::size_t i = 0; i < 64; ++i) pad[i] = k[i] ^ 0x5c;
  h.outer = sha256::kInitial;
  c.one(h.outer, pad.data(), 1);
  std::vector<std::uint8_t> msg = salt;
  msg.insert(msg.end(), {0, 0, 0, 1});
  std::array<std::uint8_t, 32> u1{};
  unsigned len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), msg.data(), msg.size(), u1.data(), &len);
  for (std::size_t w = 0; w < 8; ++w) {
    h.u[w] = (std::uint32_t{u1[4 * w]} << 24) | (std::uint32_t{u1[4 * w + 1]} << 16) |
             (std::uint32_t{u1[4 * w + 2]} << 8) | u1[4 * w + 3];
  }
  h.f = h.u;
  return h;
}

TEST(Sha256Pbkdf2, LaterIterationsMatchOpenSslOnBothUnitsOneChainAndTwo) {
  const std::vector<std::uint8_t> salt = bytes(16, 9);
  const std::vector<std::string> keys{"Order2020", "", std::string(64, 'k')};
  for (const sha256::Compressor& c : {sha256::Compressor(), sha256::Compressor(sha256::Compressor::Unit::portable)}) {
    SCOPED_TRACE(c.sha_ni() ? "SHA-NI" : "portable");
    for (int iterations : {1, 2, 37}) {
      std::vector<sha256::HmacChain> chains;
      for (const std::string& k : keys) chains.push_back(chain_for(c, k, salt));
      // One chain alone, then the other two side by side.
      sha256::pbkdf2_steps(c, std::span(chains).first(1), static_cast<std::uint64_t>(iterations - 1));
      sha256::pbkdf2_steps(c, std::span(chains).subspan(1), static_cast<std::uint64_t>(iterations - 1));
      for (std::size_t i = 0; i < keys.size(); ++i) {
        std::array<std::uint8_t, 32> want{}, got{};
        PKCS5_PBKDF2_HMAC(keys[i].data(), static_cast<int>(keys[i].size()), salt.data(), static_cast<int>(salt.size()),
                          iterations, EVP_sha256(), 32, want.data());
        sha256::store_words(chains[i].f, got.data());
        EXPECT_EQ(got, want) << "key " << i << ", " << iterations << " iterations";
      }
    }
  }
}

}  // namespace
}  // namespace sluice::core
