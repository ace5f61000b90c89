#include "core/hash.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <memory>

namespace sluice::core {
namespace {

constexpr std::size_t kChunk = 64 * 1024;

struct CtxFree {
  void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_MD_CTX, CtxFree>;

// The three algorithms, fetched from the provider once per process. OpenSSL
// 3 looks EVP_md5() and friends up in its provider store on every init (a
// locked property query): for a ham message's small parts that lookup cost
// more than hashing their bytes (issue #17). Fetched digests are immutable and
// shared between threads by design.
struct Algorithms {
  EVP_MD* md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  EVP_MD* sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
};

const Algorithms& algorithms() {
  static const Algorithms a;
  return a;
}

class Digests {
 public:
  explicit Digests(DigestChoice choice)
      : md5_(choice.md5 ? EVP_MD_CTX_new() : nullptr),
        sha1_(choice.sha1 ? EVP_MD_CTX_new() : nullptr),
        sha256_(EVP_MD_CTX_new()) {
    const Algorithms& a = algorithms();
    ok_ = sha256_ && a.sha256 && EVP_DigestInit_ex(sha256_.get(), a.sha256, nullptr) == 1 &&
          (!choice.md5 || (md5_ && a.md5 && EVP_DigestInit_ex(md5_.get(), a.md5, nullptr) == 1)) &&
          (!choice.sha1 || (sha1_ && a.sha1 && EVP_DigestInit_ex(sha1_.get(), a.sha1, nullptr) == 1));
  }
  void update(ByteView bytes) {
    if (!ok_) return;
    for (std::uint64_t off = 0; off < bytes.size(); off += kChunk) {
      const ByteView c = bytes.clamp(off, kChunk);
      if (md5_) EVP_DigestUpdate(md5_.get(), c.data(), c.size());
      if (sha1_) EVP_DigestUpdate(sha1_.get(), c.data(), c.size());
      EVP_DigestUpdate(sha256_.get(), c.data(), c.size());
    }
  }
  void zeros(std::uint64_t n) {
    static constexpr std::array<std::uint8_t, kChunk> kZero{};
    while (n != 0) {
      const std::uint64_t k = std::min<std::uint64_t>(n, kChunk);
      update(ByteView(kZero.data(), static_cast<std::size_t>(k)));
      n -= k;
    }
  }
  void number(std::uint64_t v) {
    std::array<std::uint8_t, 8> b{};
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(v >> (8 * i));
    update(ByteView(b.data(), b.size()));
  }
  Hashes finish() {
    Hashes h;
    if (!ok_) return h;
    if (md5_) h.has_md5 = EVP_DigestFinal_ex(md5_.get(), h.md5.data(), nullptr) == 1;
    if (sha1_) h.has_sha1 = EVP_DigestFinal_ex(sha1_.get(), h.sha1.data(), nullptr) == 1;
    EVP_DigestFinal_ex(sha256_.get(), h.sha256.data(), nullptr);
    return h;
  }

 private:
  Ctx md5_, sha1_, sha256_;
  bool ok_ = false;
};

}  // namespace

Hashes compute_hashes(ByteView bytes, DigestChoice choice) {
  Digests d(choice);
  d.update(bytes);
  return d.finish();
}

Hashes compute_hashes(ByteView bytes, std::span<const Extent> present, DigestChoice choice) {
  std::uint64_t at = 0;
  for (const Extent& e : present) {
    // Unsorted or out of range cannot come from a SparseBuffer; read it all.
    if (e.offset < at || !bytes.contains(e.offset, e.length)) return compute_hashes(bytes, choice);
    at = e.end();
  }
  Digests d(choice);
  at = 0;
  for (const Extent& e : present) {
    d.zeros(e.offset - at);
    d.update(bytes.clamp(e.offset, e.length));
    at = e.end();
  }
  d.zeros(bytes.size() - at);
  return d.finish();
}

Hashes compute_extent_hashes(ByteView bytes, std::span<const Extent> present, DigestChoice choice) {
  Digests d(choice);
  for (const Extent& e : present) {
    const ByteView data = bytes.clamp(e.offset, e.length);
    d.number(e.offset);
    d.number(data.size());
    d.update(data);
  }
  d.number(bytes.size());
  return d.finish();
}

}  // namespace sluice::core
