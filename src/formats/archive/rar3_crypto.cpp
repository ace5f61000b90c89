#include "formats/archive/rar3_crypto.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "formats/archive/sevenzip_crypto.hpp"

namespace sluice::formats::archive::rar3 {

std::optional<Keys> derive(std::string_view password, std::span<const std::uint8_t> salt) {
  std::vector<std::uint8_t> raw = sevenzip::utf16le_password(password);
  if (raw.size() / 2 > kMaxPasswordUnits || (salt.size() != 0 && salt.size() != 8)) return std::nullopt;
  raw.insert(raw.end(), salt.begin(), salt.end());

  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> snap(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || !snap || EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) != 1) return std::nullopt;

  // The stream is iteration after iteration of raw + 3 counter bytes; SHA-1
  // does not care how it is cut, so it is fed in runs of iterations that end
  // where an IV byte is taken (after iterations 0, 2^14, 2^15 ...). A run's
  // iterations are laid out once and only their counters rewritten (building
  // each run anew was a fifth of the derivation).
  constexpr std::uint32_t kStep = kKdfIterations / 16;
  constexpr std::size_t kPerRun = 1024;
  const std::size_t unit = raw.size() + 3;
  std::vector<std::uint8_t> run(unit * kPerRun);
  for (std::size_t u = 0; u < kPerRun; ++u) std::memcpy(run.data() + u * unit, raw.data(), raw.size());
  Keys k;
  std::array<std::uint8_t, 20> digest{};
  unsigned len = 0;
  std::uint32_t i = 0;
  auto feed_until = [&](std::uint32_t last) {  // iterations i..last inclusive
    while (i <= last) {
      const std::size_t n = std::min<std::size_t>(kPerRun, std::size_t{last} - i + 1);
      for (std::size_t u = 0; u < n; ++u, ++i) {
        std::uint8_t* counter = run.data() + u * unit + raw.size();
        counter[0] = static_cast<std::uint8_t>(i);
        counter[1] = static_cast<std::uint8_t>(i >> 8);
        counter[2] = static_cast<std::uint8_t>(i >> 16);
      }
      EVP_DigestUpdate(ctx.get(), run.data(), n * unit);
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
