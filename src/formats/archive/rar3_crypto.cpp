#include "formats/archive/rar3_crypto.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <span>
#include <vector>

#include "formats/archive/counted_rounds.hpp"
#include "formats/archive/sevenzip_crypto.hpp"

namespace sluice::formats::archive::rar3 {

std::optional<Keys> derive(std::string_view password, std::span<const std::uint8_t> salt) {
  std::vector<std::uint8_t> raw = sevenzip::utf16le_password(password);
  if (raw.size() / 2 > kMaxPasswordUnits || (salt.size() != 0 && salt.size() != 8)) return std::nullopt;
  raw.insert(raw.end(), salt.begin(), salt.end());

  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> snap(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || !snap || EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) != 1) return std::nullopt;

  // The stream is iteration after iteration of raw + 3 counter bytes, fed a
  // run at a time; runs end where an IV byte is taken (after iterations 0,
  // 2^14, 2^15 ...).
  constexpr std::uint32_t kStep = kKdfIterations / 16;
  CountedRounds runs(raw, 3, 1024);
  Keys k;
  std::array<std::uint8_t, 20> digest{};
  unsigned len = 0;
  std::uint32_t i = 0;
  auto feed_until = [&](std::uint32_t last) {  // iterations i..last inclusive
    while (i <= last) {
      const std::size_t n = std::min<std::size_t>(runs.per_run(), std::size_t{last} - i + 1);
      const std::span<const std::uint8_t> run = runs.rounds(i, n);
      EVP_DigestUpdate(ctx.get(), run.data(), run.size());
      i += static_cast<std::uint32_t>(n);
    }
  };
  for (std::uint32_t n = 0; n < 16; ++n) {
    feed_until(n * kStep);
    EVP_MD_CTX_copy_ex(snap.get(), ctx.get());
    EVP_DigestFinal_ex(snap.get(), digest.data(), &len);
    k.iv[n] = digest[19];
  }
  feed_until(kKdfIterations - 1);
  EVP_DigestFinal_ex(ctx.get(), digest.data(), &len);
  for (std::size_t w = 0; w < 4; ++w) {
    for (std::size_t b = 0; b < 4; ++b) k.key[w * 4 + b] = digest[w * 4 + 3 - b];
  }
  return k;
}

}  // namespace sluice::formats::archive::rar3
