#include "formats/archive/rar5_crypto.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "core/sha256_lanes.hpp"
#include "core/sha_ni.hpp"

namespace sluice::formats::archive::rar5 {

namespace {

namespace sha = core::sha256;
using Block = std::array<std::uint8_t, sha::kBlock>;

// PBKDF2-HMAC-SHA256 for N passwords over one salt, their chains side by
// side. HMAC's inner and outer pads are absorbed once; the first MAC (salt |
// INT(1), 20 bytes) is two compressions here, every later one two inside
// core::sha256::pbkdf2_steps, which keeps the pads' states and U in the
// SHA-NI kernel's own form for the whole run (docs/adr/0018, 0035). Through
// EVP each MAC cost two context copies and two finalisations.
template <std::size_t N>
class Chains {
 public:
  Chains(const std::array<std::string_view, N>& keys, const std::array<std::uint8_t, 16>& salt) {
    for (std::size_t j = 0; j < N; ++j) {
      Block key{};
      if (keys[j].size() > key.size()) {
        SHA256(reinterpret_cast<const unsigned char*>(keys[j].data()), keys[j].size(), key.data());
      } else if (!keys[j].empty()) {
        std::memcpy(key.data(), keys[j].data(), keys[j].size());
      }
      sha::HmacChain& h = chains_[j];
      Block pad{};
      for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = key[i] ^ 0x36;
      h.inner = sha::kInitial;
      c_.one(h.inner, pad.data(), 1);
      for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = key[i] ^ 0x5c;
      h.outer = sha::kInitial;
      c_.one(h.outer, pad.data(), 1);
      // U_1 = HMAC(salt | INT(1)) = F so far; each message follows its pad block.
      std::array<std::uint8_t, 20> first{};
      std::memcpy(first.data(), salt.data(), salt.size());
      first[19] = 1;
      std::array<std::uint8_t, 2 * sha::kBlock> block{};
      sha::State s = h.inner;
      c_.one(s, block.data(), core::pad_last_blocks(first.data(), first.size(), sha::kBlock + first.size(), block));
      std::array<std::uint8_t, 32> digest{};
      sha::store_words(s, digest.data());
      s = h.outer;
      c_.one(s, block.data(), core::pad_last_blocks(digest.data(), digest.size(), sha::kBlock + digest.size(), block));
      h.u = s;
      h.f = s;
    }
  }

  // n more iterations, each folded into F.
  void steps(std::uint64_t n) { sha::pbkdf2_steps(c_, chains_, n); }

  [[nodiscard]] std::array<std::uint8_t, 32> value(std::size_t j) const {
    std::array<std::uint8_t, 32> b{};
    sha::store_words(chains_[j].f, b.data());
    return b;
  }

 private:
  const sha::Compressor c_;
  std::array<sha::HmacChain, N> chains_{};
};

template <std::size_t N>
std::array<Keys, N> derive_n(const KdfParams& p, const std::array<std::string_view, N>& passwords) {
  Chains<N> chains(passwords, p.salt);
  std::array<Keys, N> keys{};
  chains.steps((std::uint64_t{1} << std::min(p.count, kMaxKdfCount)) - 1);
  for (std::size_t j = 0; j < N; ++j) keys[j].key = chains.value(j);
  chains.steps(16);
  for (std::size_t j = 0; j < N; ++j) keys[j].hash_key = chains.value(j);
  chains.steps(16);
  for (std::size_t j = 0; j < N; ++j) {
    const std::array<std::uint8_t, 32> v = chains.value(j);
    for (std::size_t i = 0; i < v.size(); ++i) keys[j].check[i % 8] ^= v[i];
  }
  return keys;
}

}  // namespace

Keys derive(const KdfParams& p, std::string_view password) { return derive_n<1>(p, {password})[0]; }

std::array<Keys, 2> derive_pair(const KdfParams& p, std::string_view first, std::string_view second) {
  return derive_n<2>(p, {first, second});
}

std::optional<std::array<std::uint8_t, 8>> read_check(ByteView twelve) {
  if (twelve.size() != 12) return std::nullopt;
  std::array<std::uint8_t, 8> check{};
  std::memcpy(check.data(), twelve.data(), 8);
  std::array<std::uint8_t, SHA256_DIGEST_LENGTH> d{};
  SHA256(check.data(), check.size(), d.data());
  if (std::memcmp(d.data(), twelve.data() + 8, 4) != 0) return std::nullopt;
  return check;
}

}  // namespace sluice::formats::archive::rar5
