#include "formats/zip/crypto.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstring>

#include "formats/zip/layout.hpp"

namespace sluice::formats::zip {
namespace {

constexpr std::array<std::string_view, 6> kDefaultPasswords = {"infected", "password", "malware",
                                                               "virus",    "1234",     "123456"};

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[n] = c;
  }
  return t;
}
constexpr std::array<std::uint32_t, 256> kCrcTable = make_crc_table();

constexpr std::uint32_t crc_byte(std::uint32_t crc, std::uint8_t b) {
  return kCrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
}

// APPNOTE 6.1.5: the three 32-bit keys, updated by every plaintext byte.
class Keys {
 public:
  explicit Keys(std::string_view password) {
    for (char c : password) update(static_cast<std::uint8_t>(c));
  }
  void update(std::uint8_t p) {
    k0_ = crc_byte(k0_, p);
    k1_ = (k1_ + (k0_ & 0xFF)) * 134775813u + 1;
    k2_ = crc_byte(k2_, static_cast<std::uint8_t>(k1_ >> 24));
  }
  std::uint8_t decrypt(std::uint8_t c) {
    const std::uint16_t t = static_cast<std::uint16_t>(k2_ | 2);
    const auto p = static_cast<std::uint8_t>(c ^ static_cast<std::uint8_t>((t * (t ^ 1u)) >> 8));
    update(p);
    return p;
  }

 private:
  std::uint32_t k0_ = 0x12345678u;
  std::uint32_t k1_ = 0x23456789u;
  std::uint32_t k2_ = 0x34567890u;
};

std::uint64_t key_size(std::uint8_t strength) noexcept {
  switch (strength) {
    case 1: return 16;
    case 2: return 24;
    case 3: return 32;
    default: return 0;
  }
}

const EVP_CIPHER* ecb(std::uint8_t strength) {
  switch (strength) {
    case 1: return EVP_aes_128_ecb();
    case 2: return EVP_aes_192_ecb();
    default: return EVP_aes_256_ecb();
  }
}

}  // namespace

std::span<const std::string_view> default_passwords() noexcept { return kDefaultPasswords; }

bool zipcrypto_screen(ByteView header, std::string_view password, std::uint8_t check_crc,
                      std::uint8_t check_time) {
  if (header.size() < kZipCryptoHeaderSize) return false;
  Keys k(password);
  std::uint8_t last = 0;
  for (char c : header.clamp(0, kZipCryptoHeaderSize).chars()) {
    last = k.decrypt(static_cast<std::uint8_t>(c));
  }
  // Info-ZIP accepts either check byte, whatever bit 3 says.
  return last == check_crc || last == check_time;
}

std::vector<std::uint8_t> zipcrypto_decrypt(ByteView encrypted, std::string_view password) {
  std::vector<std::uint8_t> out;
  if (encrypted.size() < kZipCryptoHeaderSize) return out;
  Keys k(password);
  out.reserve(encrypted.size() - kZipCryptoHeaderSize);
  std::uint64_t i = 0;
  for (char c : encrypted.chars()) {
    const std::uint8_t p = k.decrypt(static_cast<std::uint8_t>(c));
    if (i++ >= kZipCryptoHeaderSize) out.push_back(p);
  }
  return out;
}

std::uint64_t aes_salt_size(std::uint8_t strength) noexcept { return key_size(strength) / 2; }

std::optional<AesPlain> winzip_aes_decrypt(ByteView payload, std::string_view password,
                                           std::uint8_t strength) {
  const std::uint64_t klen = key_size(strength);
  if (klen == 0) return std::nullopt;
  const std::uint64_t salt_len = klen / 2;
  const std::uint64_t overhead = salt_len + kAesVerifierSize + kAesMacSize;
  if (payload.size() < overhead) return std::nullopt;
  const ByteView salt = payload.clamp(0, salt_len);
  const ByteView verifier = payload.clamp(salt_len, kAesVerifierSize);
  const ByteView cipher =
      payload.clamp(salt_len + kAesVerifierSize, payload.size() - overhead);
  const ByteView mac = payload.tail(payload.size() - kAesMacSize);

  // WinZip AES spec: PBKDF2-HMAC-SHA1, 1000 rounds -> enc key | MAC key | 2-byte verifier.
  std::array<std::uint8_t, 66> derived{};
  const std::size_t dlen = static_cast<std::size_t>(2 * klen + kAesVerifierSize);
  if (PKCS5_PBKDF2_HMAC_SHA1(password.data(), static_cast<int>(password.size()), salt.data(),
                             static_cast<int>(salt.size()), kAesPbkdf2Iterations,
                             static_cast<int>(dlen), derived.data()) != 1) {
    return std::nullopt;
  }
  if (std::memcmp(derived.data() + 2 * klen, verifier.data(), kAesVerifierSize) != 0) {
    return std::nullopt;
  }
  AesPlain out;
  std::array<std::uint8_t, 20> md{};
  unsigned md_len = 0;
  if (HMAC(EVP_sha1(), derived.data() + klen, static_cast<int>(klen), cipher.data(), cipher.size(),
           md.data(), &md_len) != nullptr &&
      md_len >= kAesMacSize) {
    out.mac_ok = std::memcmp(md.data(), mac.data(), kAesMacSize) == 0;
  }

  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return std::nullopt;
  if (EVP_EncryptInit_ex(ctx, ecb(strength), nullptr, derived.data(), nullptr) != 1) {
    EVP_CIPHER_CTX_free(ctx);
    return std::nullopt;
  }
  EVP_CIPHER_CTX_set_padding(ctx, 0);
  // CTR mode with a 128-bit little-endian counter starting at 1 (Gladman's
  // fileenc.c, which WinZip uses), not the big-endian counter of SP 800-38A.
  out.data.reserve(cipher.size());
  std::array<std::uint8_t, 16> counter{};
  std::array<std::uint8_t, 16> stream{};
  std::uint64_t pos = 0;
  bool ok = true;
  for (char c : cipher.chars()) {
    if ((pos & 15) == 0) {
      for (auto& b : counter) {
        if (++b != 0) break;
      }
      int n = 0;
      if (EVP_EncryptUpdate(ctx, stream.data(), &n, counter.data(), 16) != 1 || n != 16) {
        ok = false;
        break;
      }
    }
    out.data.push_back(static_cast<std::uint8_t>(static_cast<std::uint8_t>(c) ^ stream[pos & 15]));
    ++pos;
  }
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace sluice::formats::zip
