#include "formats/archive/rar5_crypto.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace sluice::formats::archive::rar5 {

namespace {

using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

// HMAC-SHA256 with the key's inner and outer pads absorbed once: each of the
// 2^15 (default) PBKDF2 iterations then copies two digest states instead of
// hashing the key again.
class Hmac {
 public:
  explicit Hmac(std::string_view key) {
    std::array<std::uint8_t, 64> block{};
    if (key.size() > block.size()) {
      unsigned n = 0;
      EVP_Digest(key.data(), key.size(), block.data(), &n, EVP_sha256(), nullptr);
    } else {
      std::memcpy(block.data(), key.data(), key.size());
    }
    std::array<std::uint8_t, 64> pad{};
    for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = block[i] ^ 0x36;
    EVP_DigestInit_ex(inner_.get(), EVP_sha256(), nullptr);
    EVP_DigestUpdate(inner_.get(), pad.data(), pad.size());
    for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = block[i] ^ 0x5c;
    EVP_DigestInit_ex(outer_.get(), EVP_sha256(), nullptr);
    EVP_DigestUpdate(outer_.get(), pad.data(), pad.size());
  }
  void mac(const std::uint8_t* in, std::size_t n, std::array<std::uint8_t, 32>& out) {
    std::array<std::uint8_t, 32> inner{};
    unsigned len = 0;
    EVP_MD_CTX_copy_ex(work_.get(), inner_.get());
    EVP_DigestUpdate(work_.get(), in, n);
    EVP_DigestFinal_ex(work_.get(), inner.data(), &len);
    EVP_MD_CTX_copy_ex(work_.get(), outer_.get());
    EVP_DigestUpdate(work_.get(), inner.data(), inner.size());
    EVP_DigestFinal_ex(work_.get(), out.data(), &len);
  }

 private:
  MdCtx inner_{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  MdCtx outer_{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  MdCtx work_{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
};

}  // namespace

Keys derive(const KdfParams& p, std::string_view password) {
  Keys k;
  Hmac h(password);
  std::array<std::uint8_t, 32> u{}, fn{};
  auto step = [&](const std::uint8_t* in, std::size_t n) {
    h.mac(in, n, u);
    for (std::size_t i = 0; i < fn.size(); ++i) fn[i] ^= u[i];
  };
  std::array<std::uint8_t, 20> first{};
  std::memcpy(first.data(), p.salt.data(), 16);
  first[19] = 1;  // block index 1, big-endian (PBKDF2's INT(1))
  step(first.data(), first.size());
  const std::uint64_t count = std::uint64_t{1} << std::min(p.count, kMaxKdfCount);
  for (std::uint64_t i = 1; i < count; ++i) step(u.data(), u.size());
  k.key = fn;
  for (int i = 0; i < 16; ++i) step(u.data(), u.size());
  k.hash_key = fn;
  for (int i = 0; i < 16; ++i) step(u.data(), u.size());
  for (std::size_t i = 0; i < fn.size(); ++i) k.check[i % 8] ^= fn[i];
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
