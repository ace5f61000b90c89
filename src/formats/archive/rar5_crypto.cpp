#include "formats/archive/rar5_crypto.hpp"

// SHA256_Init and SHA256_Transform: see Hmac.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <iterator>

namespace sluice::formats::archive::rar5 {

namespace {

// HMAC-SHA256 with the key's inner and outer pads absorbed once, and each
// MAC of a short message (PBKDF2's 20-byte first block, then the 32-byte
// chain) exactly two SHA-256 compressions on copies of those states: the
// message and its padding fill one block. Through EVP each MAC cost two
// context copies (each a provider dup: an allocation and a free) and two
// finalisations, 180 ns an iteration against ~90 ns here, for 2^15 of them
// per candidate password (docs/adr/0018). OpenSSL 3 marks SHA256_Transform
// deprecated; it is the one call that runs the compression (with SHA-NI
// where the CPU has it) on a state the caller owns.
using Words = std::array<std::uint32_t, 8>;

// A SHA-256 state's words as the digest's big-endian bytes.
void store_words(const Words& w, std::uint8_t* out) {
  for (std::size_t i = 0; i < w.size(); ++i) {
    const std::uint32_t be = __builtin_bswap32(w[i]);
    std::memcpy(out + 4 * i, &be, 4);
  }
}

class Hmac {
 public:
  static constexpr std::size_t kMaxMessage = 55;  // message, 0x80 and the 8-byte length fit one block

  explicit Hmac(std::string_view key) {
    std::array<std::uint8_t, 64> block{};
    if (key.size() > block.size()) {
      SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), block.data());
    } else {
      std::memcpy(block.data(), key.data(), key.size());
    }
    std::array<std::uint8_t, 64> pad{};
    for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = block[i] ^ 0x36;
    SHA256_Init(&inner_);
    SHA256_Transform(&inner_, pad.data());
    for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = block[i] ^ 0x5c;
    SHA256_Init(&outer_);
    SHA256_Transform(&outer_, pad.data());
    // The outer message is always a 32-byte inner digest, as is the chain's.
    pad_tail(outer_block_, 32);
    pad_tail(chain_block_, 32);
  }

  // HMAC(key, in[0, n)) as the outer state's eight words (the MAC's
  // big-endian bytes), n <= kMaxMessage.
  void mac(const std::uint8_t* in, std::size_t n, Words& out) {
    std::array<std::uint8_t, 64> block{};
    std::memcpy(block.data(), in, n);
    pad_tail(block, n);
    finish(block, out);
  }
  // The same for a 32-byte message given as words: PBKDF2's chain, where
  // each MAC is the next message.
  void mac(const Words& in, Words& out) {
    store_words(in, chain_block_.data());
    finish(chain_block_, out);
  }

 private:
  void finish(const std::array<std::uint8_t, 64>& block, Words& out) {
    SHA256_CTX c = inner_;
    SHA256_Transform(&c, block.data());
    store_words(std::to_array(c.h), outer_block_.data());
    c = outer_;
    SHA256_Transform(&c, outer_block_.data());
    std::copy(std::begin(c.h), std::end(c.h), out.begin());
  }
  // SHA-256 padding of an n-byte message that follows one 64-byte block.
  static void pad_tail(std::array<std::uint8_t, 64>& block, std::size_t n) {
    block[n] = 0x80;
    const std::uint64_t bits = (64 + n) * 8;
    for (int i = 0; i < 8; ++i) block[63 - i] = static_cast<std::uint8_t>(bits >> (8 * i));
  }

  SHA256_CTX inner_{}, outer_{};
  std::array<std::uint8_t, 64> outer_block_{};  // the inner digest, then its padding (fixed)
  std::array<std::uint8_t, 64> chain_block_{};  // the chain's message, then its padding (fixed)
};

}  // namespace

Keys derive(const KdfParams& p, std::string_view password) {
  Hmac h(password);
  // U_i and their running XOR, as SHA-256 state words: XOR is the same on
  // words as on their big-endian bytes, which are written out once at the end.
  Words u{}, fn{};
  auto fold = [&] {
    for (std::size_t i = 0; i < fn.size(); ++i) fn[i] ^= u[i];
  };
  auto bytes = [](const Words& w) {
    std::array<std::uint8_t, 32> b{};
    store_words(w, b.data());
    return b;
  };
  std::array<std::uint8_t, 20> first{};
  static_assert(first.size() <= Hmac::kMaxMessage);
  std::memcpy(first.data(), p.salt.data(), 16);
  first[19] = 1;  // block index 1, big-endian (PBKDF2's INT(1))
  h.mac(first.data(), first.size(), u);
  fold();
  auto steps = [&](std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) {
      h.mac(u, u);
      fold();
    }
  };
  const std::uint64_t count = std::uint64_t{1} << std::min(p.count, kMaxKdfCount);
  steps(count - 1);
  Keys k;
  k.key = bytes(fn);
  steps(16);
  k.hash_key = bytes(fn);
  steps(16);
  const std::array<std::uint8_t, 32> v2 = bytes(fn);
  for (std::size_t i = 0; i < v2.size(); ++i) k.check[i % 8] ^= v2[i];
  return k;
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
