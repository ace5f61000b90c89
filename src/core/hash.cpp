#include "core/hash.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>

namespace sluice::core {
namespace {

struct CtxFree {
  void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_MD_CTX, CtxFree>;

}  // namespace

Hashes compute_hashes(ByteView bytes) {
  constexpr std::size_t kChunk = 64 * 1024;
  Ctx md5(EVP_MD_CTX_new()), sha1(EVP_MD_CTX_new()), sha256(EVP_MD_CTX_new());
  Hashes h;
  if (!md5 || !sha1 || !sha256) return h;
  EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr);
  EVP_DigestInit_ex(sha1.get(), EVP_sha1(), nullptr);
  EVP_DigestInit_ex(sha256.get(), EVP_sha256(), nullptr);
  for (std::uint64_t off = 0; off < bytes.size(); off += kChunk) {
    const ByteView c = bytes.clamp(off, kChunk);
    EVP_DigestUpdate(md5.get(), c.data(), c.size());
    EVP_DigestUpdate(sha1.get(), c.data(), c.size());
    EVP_DigestUpdate(sha256.get(), c.data(), c.size());
  }
  EVP_DigestFinal_ex(md5.get(), h.md5.data(), nullptr);
  EVP_DigestFinal_ex(sha1.get(), h.sha1.data(), nullptr);
  EVP_DigestFinal_ex(sha256.get(), h.sha256.data(), nullptr);
  return h;
}

}  // namespace sluice::core
