#include "codecs/office/offcrypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <climits>
#include <initializer_list>
#include <memory>
#include <utility>

#include "core/reader.hpp"
#include "core/text.hpp"

namespace sluice::codecs::office {
namespace {

using Bytes = std::vector<std::uint8_t>;
using Span = std::span<const std::uint8_t>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

// EncryptionHeader.Flags (§2.3.1).
constexpr std::uint32_t kFlagCryptoApi = 0x04;
constexpr std::uint32_t kFlagExternal = 0x10;
constexpr std::uint32_t kFlagAes = 0x20;
// AlgID / AlgIDHash (§2.3.2).
constexpr std::uint32_t kAlgRc4 = 0x6801;
constexpr std::uint32_t kAlgAes128 = 0x660E;
constexpr std::uint32_t kAlgAes192 = 0x660F;
constexpr std::uint32_t kAlgAes256 = 0x6610;
constexpr std::uint32_t kAlgHashSha1 = 0x8004;

constexpr std::size_t kAesBlock = 16;
constexpr std::size_t kSha1Size = 20;
constexpr std::size_t kVerifierSize = 16;  // §2.3.3: Verifier is always 16 random bytes
// Office refuses longer passwords (§2.3.4.7, §2.3.4.11: "at most 255
// Unicode characters"), so a longer candidate cannot be right.
constexpr std::size_t kMaxPasswordUnits = 255;
// saltSize is 1..65536 (§2.3.4.10); nothing else in the descriptor is larger.
constexpr std::size_t kMaxBase64Bytes = 65536;
// Bounds one EVP call's int length; ECB and CBC state carries across calls.
constexpr std::size_t kCipherChunk = 1u << 20;

// §2.3.4.11 block keys.
constexpr std::array<std::uint8_t, 8> kBlockVerifierInput = {0xfe, 0xa7, 0xd2, 0x76, 0x3b, 0x4b, 0x9e, 0x79};
constexpr std::array<std::uint8_t, 8> kBlockVerifierValue = {0xd7, 0xaa, 0x0f, 0x6d, 0x30, 0x61, 0x34, 0x4e};
constexpr std::array<std::uint8_t, 8> kBlockKeyValue = {0x14, 0x6e, 0x0b, 0xe7, 0xab, 0xac, 0xd0, 0xd6};

std::array<std::uint8_t, 4> le32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 24)};
}

// ---- passwords ------------------------------------------------------------

// Office hashes the password as UTF-16LE without a terminator (core's
// conversion: bad UTF-8 bytes stand for themselves); Office stops at 255 units.
std::optional<Bytes> utf16le(std::string_view s) {
  Bytes out = core::password_utf16le(s);
  if (out.size() / 2 > kMaxPasswordUnits) return std::nullopt;
  return out;
}

// ---- hashing --------------------------------------------------------------

const EVP_MD* md_of(HashAlgorithm h) {
  switch (h) {
    case HashAlgorithm::md5: return EVP_md5();
    case HashAlgorithm::sha1: return EVP_sha1();
    case HashAlgorithm::sha256: return EVP_sha256();
    case HashAlgorithm::sha384: return EVP_sha384();
    case HashAlgorithm::sha512: return EVP_sha512();
    case HashAlgorithm::unknown: break;
  }
  return nullptr;
}

std::size_t digest_size(HashAlgorithm h) {
  const EVP_MD* md = md_of(h);
  return md == nullptr ? 0 : static_cast<std::size_t>(EVP_MD_get_size(md));
}

// Empty on an OpenSSL failure: callers treat that as "password not verified".
Bytes digest(HashAlgorithm h, std::initializer_list<Span> parts) {
  const EVP_MD* md = md_of(h);
  MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (md == nullptr || !ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) return {};
  for (Span p : parts) {
    if (!p.empty() && EVP_DigestUpdate(ctx.get(), p.data(), p.size()) != 1) return {};
  }
  Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
  unsigned len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != out.size()) return {};
  return out;
}

// H0 = H(salt + password); Hn = H(LE32(n-1) + Hn-1), `spins` times (§2.3.4.7,
// §2.3.4.11). One context re-initialised in place: the digest is fetched once,
// not per round, which matters at 100,000 rounds a try.
Bytes iterated_hash(HashAlgorithm h, Span salt, Span password, std::uint64_t spins) {
  Bytes cur = digest(h, {salt, password});
  if (cur.empty()) return {};
  MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md_of(h), nullptr) != 1) return {};
  Bytes buf(4 + cur.size());
  std::copy(cur.begin(), cur.end(), buf.begin() + 4);
  for (std::uint64_t i = 0; i < spins; ++i) {
    const auto n = le32(static_cast<std::uint32_t>(i));
    std::copy(n.begin(), n.end(), buf.begin());
    unsigned len = 0;
    if (EVP_DigestInit_ex(ctx.get(), nullptr, nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), buf.data(), buf.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), buf.data() + 4, &len) != 1 || len != cur.size()) {
      return {};
    }
  }
  return Bytes(buf.begin() + 4, buf.end());
}

// §2.3.4.11/§2.3.4.12: shorter than wanted is padded with 0x36, longer is cut.
Bytes fit(Bytes v, std::size_t n) {
  v.resize(n, 0x36);
  return v;
}

bool same(Span a, Span b) {
  return a.size() == b.size() && (a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0);
}

// ---- ciphers --------------------------------------------------------------

enum class Mode : std::uint8_t { ecb, cbc, cfb };

const EVP_CIPHER* aes_cipher(std::size_t key_bytes, Mode mode) {
  switch (key_bytes) {
    case 16: return mode == Mode::ecb ? EVP_aes_128_ecb() : mode == Mode::cbc ? EVP_aes_128_cbc() : EVP_aes_128_cfb8();
    case 24: return mode == Mode::ecb ? EVP_aes_192_ecb() : mode == Mode::cbc ? EVP_aes_192_cbc() : EVP_aes_192_cfb8();
    case 32: return mode == Mode::ecb ? EVP_aes_256_ecb() : mode == Mode::cbc ? EVP_aes_256_cbc() : EVP_aes_256_cfb8();
    default: return nullptr;
  }
}

// Decrypts `in` (whole AES blocks; callers cut partial tails off) into `out`,
// which has room for in.size() bytes. No padding is removed: the formats say
// how many plaintext bytes matter.
bool aes_decrypt(Mode mode, Span key, Span iv, Span in, std::uint8_t* out) {
  const EVP_CIPHER* cipher = aes_cipher(key.size(), mode);
  if (cipher == nullptr || in.size() % kAesBlock != 0 || (mode != Mode::ecb && iv.size() != kAesBlock)) return false;
  if (in.empty()) return true;
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, key.data(), mode == Mode::ecb ? nullptr : iv.data()) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1) {
    return false;
  }
  for (std::size_t off = 0; off < in.size();) {
    const std::size_t n = std::min(kCipherChunk, in.size() - off);
    int len = 0;
    if (EVP_DecryptUpdate(ctx.get(), out + off, &len, in.data() + off, static_cast<int>(n)) != 1 ||
        static_cast<std::size_t>(len) != n) {
      return false;
    }
    off += n;
  }
  return true;
}

std::optional<Bytes> aes_decrypt(Mode mode, Span key, Span iv, Span in) {
  Bytes out(in.size());
  if (!aes_decrypt(mode, key, iv, in, out.data())) return std::nullopt;
  return out;
}

Span whole_blocks(Span s) { return s.first(s.size() - s.size() % kAesBlock); }

// RC4 by hand: OpenSSL 3 keeps it in the legacy provider, which a scanner
// should not have to load to check a password.
class Rc4 {
 public:
  explicit Rc4(Span key) {
    for (std::size_t i = 0; i < s_.size(); ++i) s_[i] = static_cast<std::uint8_t>(i);
    if (key.empty()) return;
    std::uint8_t j = 0;
    for (std::size_t i = 0; i < s_.size(); ++i) {
      j = static_cast<std::uint8_t>(j + s_[i] + key[i % key.size()]);
      std::swap(s_[i], s_[j]);
    }
  }
  // Keystream bytes dropped: the position a block's data starts at.
  void discard(std::uint64_t n) {
    for (std::uint64_t k = 0; k < n; ++k) {
      i_ = static_cast<std::uint8_t>(i_ + 1);
      j_ = static_cast<std::uint8_t>(j_ + s_[i_]);
      std::swap(s_[i_], s_[j_]);
    }
  }
  void apply_in_place(std::span<std::uint8_t> data) {
    for (auto& b : data) {
      i_ = static_cast<std::uint8_t>(i_ + 1);
      j_ = static_cast<std::uint8_t>(j_ + s_[i_]);
      std::swap(s_[i_], s_[j_]);
      b ^= s_[static_cast<std::uint8_t>(s_[i_] + s_[j_])];
    }
  }
  Bytes apply(Span in) {
    Bytes out(in.begin(), in.end());
    for (auto& b : out) {
      i_ = static_cast<std::uint8_t>(i_ + 1);
      j_ = static_cast<std::uint8_t>(j_ + s_[i_]);
      std::swap(s_[i_], s_[j_]);
      b ^= s_[static_cast<std::uint8_t>(s_[i_] + s_[j_])];
    }
    return out;
  }

 private:
  std::array<std::uint8_t, 256> s_{};
  std::uint8_t i_ = 0, j_ = 0;
};

// ---- base64 and the Agile XML ----------------------------------------------

// Attribute values in the descriptor are xsd:base64Binary: whitespace is
// allowed and skipped, padding may be missing, anything else is malformed.
std::optional<Bytes> base64(std::string_view s) {
  Bytes out;
  out.reserve(s.size() / 4 * 3 + 3);
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t i = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    int v = -1;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      continue;
    } else if (c == '=') {
      break;
    } else {
      return std::nullopt;
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
      acc &= (1u << bits) - 1;
      if (out.size() > kMaxBase64Bytes) return std::nullopt;
    }
  }
  for (; i < s.size(); ++i) {  // only padding and whitespace may follow '='
    const char c = s[i];
    if (c != '=' && c != ' ' && c != '\t' && c != '\r' && c != '\n') return std::nullopt;
  }
  if (bits >= 6) return std::nullopt;  // one lone character is not a byte
  return out;
}

bool xml_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view local_name(std::string_view qname) {
  const auto colon = qname.rfind(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

struct Tag {
  std::string_view name;  // local name, prefix dropped
  std::vector<std::pair<std::string_view, std::string_view>> attrs;
  [[nodiscard]] std::optional<std::string_view> attr(std::string_view want) const {
    for (const auto& [k, v] : attrs) {
      if (k == want) return v;
    }
    return std::nullopt;
  }
};

// The start tags of a document in order, read by hand: the descriptor is
// small and flat, and a tolerant scan gets through what a strict parser
// would refuse (other namespaces' prefixes, odd whitespace, extra elements).
// A tag that does not close ends the scan.
std::vector<Tag> start_tags(std::string_view xml) {
  std::vector<Tag> out;
  std::size_t pos = 0;
  while (pos < xml.size()) {
    const auto lt = xml.find('<', pos);
    if (lt == std::string_view::npos || lt + 1 >= xml.size()) break;
    const char first = xml[lt + 1];
    if (xml.substr(lt, 4) == "<!--") {
      const auto end = xml.find("-->", lt + 4);
      if (end == std::string_view::npos) break;
      pos = end + 3;
      continue;
    }
    if (first == '?' || first == '!' || first == '/') {
      const auto end = xml.find('>', lt);
      if (end == std::string_view::npos) break;
      pos = end + 1;
      continue;
    }
    std::size_t p = lt + 1;
    while (p < xml.size() && !xml_space(xml[p]) && xml[p] != '/' && xml[p] != '>') ++p;
    Tag tag;
    tag.name = local_name(xml.substr(lt + 1, p - lt - 1));
    bool closed = false;
    while (p < xml.size()) {
      while (p < xml.size() && xml_space(xml[p])) ++p;
      if (p >= xml.size()) break;
      if (xml[p] == '>' || xml[p] == '/') {
        const auto end = xml.find('>', p);
        if (end == std::string_view::npos) break;
        p = end + 1;
        closed = true;
        break;
      }
      const std::size_t name_start = p;
      while (p < xml.size() && !xml_space(xml[p]) && xml[p] != '=' && xml[p] != '>' && xml[p] != '/') ++p;
      const auto name = local_name(xml.substr(name_start, p - name_start));
      while (p < xml.size() && xml_space(xml[p])) ++p;
      if (p >= xml.size() || xml[p] != '=') continue;  // a bare word: skipped
      ++p;
      while (p < xml.size() && xml_space(xml[p])) ++p;
      if (p >= xml.size() || (xml[p] != '"' && xml[p] != '\'')) continue;
      const char quote = xml[p++];
      const auto end = xml.find(quote, p);
      if (end == std::string_view::npos) break;
      tag.attrs.emplace_back(name, xml.substr(p, end - p));
      p = end + 1;
    }
    if (!closed) break;
    out.push_back(std::move(tag));
    pos = p;
  }
  return out;
}

std::optional<std::uint64_t> decimal(std::string_view s) {
  while (!s.empty() && xml_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && xml_space(s.back())) s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

// Names from the file go into `algorithm` and reasons: printable ASCII only,
// and short, so a hostile descriptor cannot flood a report.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 32)) out.push_back(c >= 0x20 && c < 0x7F ? c : '?');
  return out;
}

HashAlgorithm hash_named(std::string_view s) {
  const std::string n = core::ascii_lower(s);
  if (n == "sha1" || n == "sha-1") return HashAlgorithm::sha1;
  if (n == "sha256" || n == "sha-256") return HashAlgorithm::sha256;
  if (n == "sha384" || n == "sha-384") return HashAlgorithm::sha384;
  if (n == "sha512" || n == "sha-512") return HashAlgorithm::sha512;
  if (n == "md5") return HashAlgorithm::md5;
  return HashAlgorithm::unknown;
}

std::string hash_label(HashAlgorithm h) {
  switch (h) {
    case HashAlgorithm::md5: return "MD5";
    case HashAlgorithm::sha1: return "SHA1";
    case HashAlgorithm::sha256: return "SHA256";
    case HashAlgorithm::sha384: return "SHA384";
    case HashAlgorithm::sha512: return "SHA512";
    case HashAlgorithm::unknown: break;
  }
  return "?";
}

// ---- parsers ---------------------------------------------------------------

std::string hex32(std::uint32_t v) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (int shift = 28; shift >= 0; shift -= 4) {
    if (!s.empty() || ((v >> shift) & 0xF) != 0 || shift < 16) s.push_back(kHex[(v >> shift) & 0xF]);
  }
  return s;
}

std::unexpected<Error> bad(std::uint64_t off, std::string what) { return fail(Errc::malformed, off, std::move(what)); }

void unsupported(EncryptionInfo& info, std::string reason) {
  if (!info.supported && !info.unsupported_reason.empty()) return;  // the first reason is the one to fix first
  info.supported = false;
  info.unsupported_reason = std::move(reason);
}

// One keyData or encryptedKey element (§2.3.4.10). Values a decryptor cannot
// use make the info unsupported; values that cannot be read make it malformed.
Status read_cipher(const Tag& tag, std::uint64_t off, AgileCipher& out, std::string& cipher_name,
                   EncryptionInfo& info) {
  const auto salt = tag.attr("saltValue");
  const auto key_bits = tag.attr("keyBits");
  const auto block_size = tag.attr("blockSize");
  const auto hash = tag.attr("hashAlgorithm");
  if (!salt || !key_bits || !block_size || !hash) {
    return bad(off, std::string(tag.name) + " lacks saltValue, keyBits, blockSize or hashAlgorithm");
  }
  auto s = base64(*salt);
  if (!s || s->empty()) return bad(off, std::string(tag.name) + " saltValue is not base64");
  out.salt = std::move(*s);
  const auto kb = decimal(*key_bits);
  const auto bs = decimal(*block_size);
  if (!kb || !bs || *kb > 65536 || *bs > 65536)
    return bad(off, std::string(tag.name) + " keyBits or blockSize is not a number");
  out.key_bits = static_cast<std::uint32_t>(*kb);
  out.block_size = static_cast<std::uint32_t>(*bs);
  out.hash = hash_named(*hash);
  out.hash_size = static_cast<std::uint32_t>(digest_size(out.hash));
  cipher_name = printable(tag.attr("cipherAlgorithm").value_or("AES"));
  if (out.hash == HashAlgorithm::unknown) unsupported(info, "hash algorithm " + printable(*hash));
  if (cipher_name != "AES") unsupported(info, "cipher " + cipher_name);
  const auto chaining = tag.attr("cipherChaining").value_or("ChainingModeCBC");
  if (chaining == "ChainingModeCBC") {
    out.chaining = Chaining::cbc;
  } else if (chaining == "ChainingModeCFB") {
    out.chaining = Chaining::cfb;
  } else {
    unsupported(info, "chaining " + printable(chaining));
  }
  if (cipher_name == "AES" &&
      (out.block_size != kAesBlock || (out.key_bits != 128 && out.key_bits != 192 && out.key_bits != 256))) {
    return bad(off,
               "AES with keyBits " + std::to_string(out.key_bits) + ", blockSize " + std::to_string(out.block_size));
  }
  return {};
}

Result<EncryptionInfo> parse_agile(ByteView stream, EncryptionInfo info) {
  core::Reader r(stream);
  if (auto s = r.skip(4); !s) return std::unexpected(s.error());
  auto reserved = r.le<std::uint32_t>();
  if (!reserved) return std::unexpected(reserved.error());
  info.flags = *reserved;
  info.kind = EncryptionKind::agile;
  info.supported = true;
  // §2.3.4.10 says 0x40; Office ignores it, so does this.
  std::string_view xml = r.rest().chars();
  if (xml.starts_with("\xEF\xBB\xBF")) xml.remove_prefix(3);
  constexpr std::uint64_t kXmlAt = 8;

  const std::vector<Tag> tags = start_tags(xml);
  const Tag* key_data = nullptr;
  const Tag* encrypted_key = nullptr;
  bool in_password_encryptor = false;
  bool saw_encryptor = false;
  for (const Tag& t : tags) {
    if (t.name == "keyData" && key_data == nullptr) {
      key_data = &t;
    } else if (t.name == "keyEncryptor") {
      const auto uri = t.attr("uri").value_or("");
      in_password_encryptor = uri.ends_with("keyEncryptor/password");
      saw_encryptor = true;
    } else if (t.name == "encryptedKey" && encrypted_key == nullptr &&
               (in_password_encryptor || t.attr("spinCount").has_value())) {
      encrypted_key = &t;
    }
  }
  if (key_data == nullptr) return bad(kXmlAt, "agile descriptor without keyData");

  std::string data_cipher;
  if (auto s = read_cipher(*key_data, kXmlAt, info.key_data, data_cipher, info); !s) return std::unexpected(s.error());
  info.algorithm =
      (data_cipher == "AES" ? "AES-" + std::to_string(info.key_data.key_bits) : data_cipher) + " / " +
      (info.key_data.hash == HashAlgorithm::unknown ? printable(key_data->attr("hashAlgorithm").value_or(""))
                                                    : hash_label(info.key_data.hash)) +
      " (agile)";
  if (encrypted_key == nullptr) {
    // A certificate-only document (§2.3.4.10 certificate key encryptor): no
    // password can open it.
    unsupported(info, saw_encryptor ? "no password key encryptor" : "no key encryptor");
    return info;
  }
  std::string key_cipher;
  if (auto s = read_cipher(*encrypted_key, kXmlAt, info.password_key, key_cipher, info); !s) {
    return std::unexpected(s.error());
  }
  const auto spin = decimal(encrypted_key->attr("spinCount").value_or(""));
  if (!spin) return bad(kXmlAt, "encryptedKey spinCount is not a number");
  if (*spin > kMaxSpinCount) return bad(kXmlAt, "spinCount " + std::to_string(*spin) + " above 10,000,000");
  info.spin_count = *spin;
  const auto input = base64(encrypted_key->attr("encryptedVerifierHashInput").value_or(""));
  const auto value = base64(encrypted_key->attr("encryptedVerifierHashValue").value_or(""));
  const auto key = base64(encrypted_key->attr("encryptedKeyValue").value_or(""));
  if (!input || !value || !key) return bad(kXmlAt, "encryptedKey verifier or key value is not base64");
  info.encrypted_verifier_hash_input = *input;
  info.encrypted_verifier_hash_value = *value;
  info.encrypted_key_value = *key;
  if (info.supported) {
    // Whole blocks are what decrypts: each value must still hold what it carries.
    const auto blocks = [](const Bytes& b) { return b.size() - b.size() % kAesBlock; };
    if (blocks(info.encrypted_verifier_hash_input) == 0) {
      return bad(kXmlAt, "encryptedVerifierHashInput shorter than a block");
    }
    if (blocks(info.encrypted_verifier_hash_value) < info.password_key.hash_size) {
      return bad(kXmlAt, "encryptedVerifierHashValue shorter than the hash");
    }
    if (blocks(info.encrypted_key_value) < info.key_data.key_bits / 8) {
      return bad(kXmlAt, "encryptedKeyValue shorter than the key");
    }
  }
  return info;
}

// EncryptionHeader + EncryptionVerifier (§2.3.2, §2.3.3), shared by
// Standard and CryptoAPI RC4.
Result<EncryptionInfo> parse_binary_header(ByteView stream, EncryptionInfo info) {
  core::Reader r(stream);
  if (auto s = r.skip(4); !s) return std::unexpected(s.error());
  auto outer_flags = r.le<std::uint32_t>();
  auto header_size = r.le<std::uint32_t>();
  if (!outer_flags || !header_size) return std::unexpected(!outer_flags ? outer_flags.error() : header_size.error());
  const std::uint64_t header_at = r.offset();
  auto header = r.bytes(*header_size);
  if (!header) return std::unexpected(header.error());
  core::Reader h(*header, header_at);
  std::array<std::uint32_t, 8> f{};
  for (auto& v : f) {
    auto x = h.le<std::uint32_t>();
    if (!x) return std::unexpected(x.error());
    v = *x;
  }
  info.flags = f[0];
  info.alg_id = f[2];
  info.alg_id_hash = f[3];
  info.key_bits = f[4];
  info.provider_type = f[5];
  info.csp_name = core::truncate_utf8(core::utf16_to_utf8(h.rest(), std::endian::little, core::Utf16Stop::at_nul), 256);
  if (f[1] != 0) return bad(header_at + 4, "EncryptionHeader.SizeExtra is not 0");

  const bool aes = (info.flags & kFlagAes) != 0;
  const bool rc4 = !aes && (info.alg_id == kAlgRc4 || info.alg_id == 0);
  if ((info.flags & kFlagExternal) != 0) {
    info.kind = EncryptionKind::extensible;
    info.algorithm = "extensible (" + printable(info.csp_name) + ")";
    unsupported(info, "an external encryption provider");
    return info;
  }
  info.supported = true;
  if (aes) {
    info.kind = EncryptionKind::standard;
    info.spin_count = kStandardSpinCount;
    std::uint32_t bits = 0;
    switch (info.alg_id) {
      case 0:
      case kAlgAes128: bits = 128; break;
      case kAlgAes192: bits = 192; break;
      case kAlgAes256: bits = 256; break;
      default: return bad(header_at + 8, "fAES with AlgID 0x" + hex32(info.alg_id));
    }
    if (info.key_bits == 0) info.key_bits = bits;
    if (info.key_bits != bits)
      return bad(header_at + 16, "KeySize " + std::to_string(info.key_bits) + " for AES-" + std::to_string(bits));
    info.algorithm = "AES-" + std::to_string(bits) + " / SHA1 (standard)";
  } else if (rc4 && (info.flags & kFlagCryptoApi) != 0) {
    info.kind = EncryptionKind::rc4_cryptoapi;
    info.spin_count = 0;
    if (info.key_bits == 0) info.key_bits = 40;  // §2.3.5.1: 0 means 40 bits
    if (info.key_bits < 40 || info.key_bits > 128 || info.key_bits % 8 != 0) {
      return bad(header_at + 16, "RC4 KeySize " + std::to_string(info.key_bits));
    }
    info.algorithm = "RC4-" + std::to_string(info.key_bits) + " / SHA1 (CryptoAPI)";
  } else {
    info.kind = EncryptionKind::unknown;
    info.algorithm = "AlgID 0x" + hex32(info.alg_id);
    unsupported(info, "flags 0x" + hex32(info.flags) + " with " + info.algorithm);
    return info;
  }
  if (info.alg_id_hash != 0 && info.alg_id_hash != kAlgHashSha1) {
    unsupported(info, "AlgIDHash 0x" + hex32(info.alg_id_hash));
  }

  const std::uint64_t verifier_at = r.offset();
  auto salt_size = r.le<std::uint32_t>();
  if (!salt_size) return std::unexpected(salt_size.error());
  if (*salt_size != 16) return bad(verifier_at, "SaltSize " + std::to_string(*salt_size) + ", not 16");
  auto salt = r.bytes(16);
  auto verifier = r.bytes(kVerifierSize);
  if (!salt || !verifier) return std::unexpected(!salt ? salt.error() : verifier.error());
  auto hash_size = r.le<std::uint32_t>();
  if (!hash_size) return std::unexpected(hash_size.error());
  if (*hash_size != kSha1Size)
    return bad(r.offset() - 4, "VerifierHashSize " + std::to_string(*hash_size) + ", not 20");
  // AES pads the 20-byte hash to two blocks; RC4 is a stream cipher (§2.3.3).
  auto vhash = r.bytes(info.kind == EncryptionKind::standard ? 32 : kSha1Size);
  if (!vhash) return std::unexpected(vhash.error());
  info.salt.assign(salt->data(), salt->data() + salt->size());
  info.encrypted_verifier.assign(verifier->data(), verifier->data() + verifier->size());
  info.verifier_hash_size = *hash_size;
  info.encrypted_verifier_hash.assign(vhash->data(), vhash->data() + vhash->size());
  return info;
}

// RC4 encryption header, version 1.1 (§2.3.6.1): salt, verifier, its MD5.
Result<EncryptionInfo> parse_rc4(ByteView stream, EncryptionInfo info) {
  core::Reader r(stream);
  if (auto s = r.skip(4); !s) return std::unexpected(s.error());
  auto salt = r.bytes(16);
  auto verifier = r.bytes(16);
  auto vhash = r.bytes(16);
  if (!salt || !verifier || !vhash)
    return std::unexpected(!salt ? salt.error() : !verifier ? verifier.error() : vhash.error());
  info.kind = EncryptionKind::rc4;
  info.supported = true;
  info.algorithm = "RC4-40 / MD5";
  info.key_bits = 40;
  info.salt.assign(salt->data(), salt->data() + salt->size());
  info.encrypted_verifier.assign(verifier->data(), verifier->data() + verifier->size());
  info.verifier_hash_size = 16;
  info.encrypted_verifier_hash.assign(vhash->data(), vhash->data() + vhash->size());
  return info;
}

// ---- password checks ---------------------------------------------------------

// §2.3.4.7: Hfinal = H(H50000 + LE32(0)); the key is the first KeySize/8
// bytes of SHA1(0x36-pad ^ Hfinal) + SHA1(0x5C-pad ^ Hfinal).
std::optional<Bytes> verify_standard(const EncryptionInfo& info, const Bytes& password) {
  const Bytes h = iterated_hash(HashAlgorithm::sha1, info.salt, password, kStandardSpinCount);
  if (h.empty()) return std::nullopt;
  const auto block0 = le32(0);
  const Bytes final_hash = digest(HashAlgorithm::sha1, {h, block0});
  if (final_hash.size() != kSha1Size) return std::nullopt;
  std::array<std::uint8_t, 64> b1{}, b2{};
  for (std::size_t i = 0; i < b1.size(); ++i) {
    b1[i] = static_cast<std::uint8_t>(0x36 ^ (i < final_hash.size() ? final_hash[i] : 0));
    b2[i] = static_cast<std::uint8_t>(0x5C ^ (i < final_hash.size() ? final_hash[i] : 0));
  }
  Bytes key = digest(HashAlgorithm::sha1, {b1});
  const Bytes x2 = digest(HashAlgorithm::sha1, {b2});
  if (key.size() != kSha1Size || x2.size() != kSha1Size) return std::nullopt;
  key.insert(key.end(), x2.begin(), x2.end());
  key.resize(info.key_bits / 8);

  // §2.3.4.9
  const auto verifier = aes_decrypt(Mode::ecb, key, {}, info.encrypted_verifier);
  const auto vhash = aes_decrypt(Mode::ecb, key, {}, whole_blocks(info.encrypted_verifier_hash));
  if (!verifier || !vhash || vhash->size() < kSha1Size) return std::nullopt;
  const Bytes want = digest(HashAlgorithm::sha1, {*verifier});
  if (!same(want, Span(*vhash).first(kSha1Size))) return std::nullopt;
  return key;
}

// §2.3.4.11-13.
std::optional<Bytes> verify_agile(const EncryptionInfo& info, const Bytes& password) {
  const AgileCipher& pk = info.password_key;
  const Bytes h = iterated_hash(pk.hash, pk.salt, password, info.spin_count);
  if (h.empty()) return std::nullopt;
  const std::size_t key_bytes = pk.key_bits / 8;
  const Mode mode = pk.chaining == Chaining::cbc ? Mode::cbc : Mode::cfb;
  const Bytes iv = fit(pk.salt, pk.block_size);
  auto derive = [&](Span block_key) { return fit(digest(pk.hash, {h, block_key}), key_bytes); };

  const auto input =
      aes_decrypt(mode, derive(kBlockVerifierInput), iv, whole_blocks(info.encrypted_verifier_hash_input));
  const auto value =
      aes_decrypt(mode, derive(kBlockVerifierValue), iv, whole_blocks(info.encrypted_verifier_hash_value));
  if (!input || !value || value->size() < pk.hash_size) return std::nullopt;
  // The verifier is saltSize random bytes, padded to whole blocks when encrypted.
  const std::size_t verifier_len = std::min(input->size(), pk.salt.size());
  const Bytes want = digest(pk.hash, {Span(*input).first(verifier_len)});
  // Only the first hashSize bytes are the hash: SHA-1's 20 are padded to 32.
  if (want.size() != pk.hash_size || !same(want, Span(*value).first(pk.hash_size))) return std::nullopt;

  auto key = aes_decrypt(mode, derive(kBlockKeyValue), iv, whole_blocks(info.encrypted_key_value));
  const std::size_t package_key = info.key_data.key_bits / 8;
  if (!key || key->size() < package_key) return std::nullopt;
  key->resize(package_key);
  return key;
}

// §2.3.5.2 and §2.3.5.6: no iterations; block 0's key checks the verifier,
// hash and verifier run through one RC4 stream.
std::optional<Bytes> verify_rc4_cryptoapi(const EncryptionInfo& info, const Bytes& password) {
  const Bytes h0 = digest(HashAlgorithm::sha1, {info.salt, password});
  if (h0.size() != kSha1Size) return std::nullopt;
  const auto block0 = le32(0);
  Bytes key = digest(HashAlgorithm::sha1, {h0, block0});
  if (key.size() != kSha1Size) return std::nullopt;
  key.resize(info.key_bits / 8);
  if (info.key_bits == 40) key.resize(16, 0);  // §2.3.5.2: 40 bits then 88 zero bits
  Rc4 rc4(key);
  const Bytes verifier = rc4.apply(info.encrypted_verifier);
  const Bytes vhash = rc4.apply(info.encrypted_verifier_hash);
  if (!same(digest(HashAlgorithm::sha1, {verifier}), vhash)) return std::nullopt;
  return h0;
}

// §2.3.6.2 and §2.3.6.4: MD5 of the password cut to 5 bytes, sixteen copies
// of it with the salt, MD5 again cut to 5, then the block number.
std::optional<Bytes> verify_rc4(const EncryptionInfo& info, const Bytes& password) {
  const Bytes h0 = digest(HashAlgorithm::md5, {password});
  if (h0.size() != 16) return std::nullopt;
  Bytes buf;
  buf.reserve(16 * (5 + info.salt.size()));
  for (int i = 0; i < 16; ++i) {
    buf.insert(buf.end(), h0.begin(), h0.begin() + 5);
    buf.insert(buf.end(), info.salt.begin(), info.salt.end());
  }
  Bytes h1 = digest(HashAlgorithm::md5, {buf});
  if (h1.size() != 16) return std::nullopt;
  h1.resize(5);
  const auto block0 = le32(0);
  const Bytes key = digest(HashAlgorithm::md5, {h1, block0});
  if (key.size() != 16) return std::nullopt;
  Rc4 rc4(key);
  const Bytes verifier = rc4.apply(info.encrypted_verifier);
  const Bytes vhash = rc4.apply(info.encrypted_verifier_hash);
  if (!same(digest(HashAlgorithm::md5, {verifier}), vhash)) return std::nullopt;
  return h1;
}

}  // namespace

Result<EncryptionInfo> parse_encryption_info(ByteView stream) {
  auto major = core::load_le<std::uint16_t>(stream, 0);
  auto minor = core::load_le<std::uint16_t>(stream, 2);
  if (!major || !minor) return fail(Errc::truncated, 0, "no EncryptionVersionInfo");
  EncryptionInfo info;
  info.version_major = *major;
  info.version_minor = *minor;
  const auto version = std::to_string(*major) + "." + std::to_string(*minor);
  // §2.3.4.5/§2.3.4.6/§2.3.4.10/§2.3.5.1/§2.3.6.1: the version alone picks the layout.
  if (*major == 4 && *minor == 4) return parse_agile(stream, std::move(info));
  if (*major == 1 && *minor == 1) return parse_rc4(stream, std::move(info));
  if ((*major == 3 || *major == 4) && *minor == 3) {
    info.kind = EncryptionKind::extensible;
    info.algorithm = "extensible " + version;
    auto flags = core::load_le<std::uint32_t>(stream, 4);
    if (!flags) return fail(Errc::truncated, 4, "no EncryptionInfo flags");
    info.flags = *flags;
    unsupported(info, "extensible encryption");
    return info;
  }
  if (*major >= 2 && *major <= 4 && *minor == 2) return parse_binary_header(stream, std::move(info));
  return fail(Errc::unsupported, 0, "encryption version " + version);
}

std::uint64_t derivation_rounds(const EncryptionInfo& info) noexcept {
  if (!info.supported) return 0;
  switch (info.kind) {
    case EncryptionKind::standard: return kStandardSpinCount + 4;
    case EncryptionKind::agile: return info.spin_count + 5;
    case EncryptionKind::rc4_cryptoapi: return 3;
    case EncryptionKind::rc4: return 4;
    case EncryptionKind::extensible:
    case EncryptionKind::unknown: break;
  }
  return 0;
}

std::optional<std::vector<std::uint8_t>> verify_password(const EncryptionInfo& info, std::string_view password_utf8) {
  if (!info.supported) return std::nullopt;
  const auto password = utf16le(password_utf8);
  if (!password) return std::nullopt;
  switch (info.kind) {
    case EncryptionKind::standard:
      if (info.salt.size() != 16 || info.encrypted_verifier.size() != kVerifierSize) return std::nullopt;
      return verify_standard(info, *password);
    case EncryptionKind::agile:
      if (info.spin_count > kMaxSpinCount || info.password_key.salt.empty()) return std::nullopt;
      return verify_agile(info, *password);
    case EncryptionKind::rc4_cryptoapi:
      if (info.encrypted_verifier_hash.size() != kSha1Size || info.key_bits < 40 || info.key_bits > 128) {
        return std::nullopt;
      }
      return verify_rc4_cryptoapi(info, *password);
    case EncryptionKind::rc4:
      if (info.encrypted_verifier.size() != 16 || info.encrypted_verifier_hash.size() != 16) return std::nullopt;
      return verify_rc4(info, *password);
    case EncryptionKind::extensible:
    case EncryptionKind::unknown: break;
  }
  return std::nullopt;
}

void rc4_decrypt_at(const EncryptionInfo& info, std::span<const std::uint8_t> base, std::uint32_t block_size,
                    std::uint64_t offset, std::span<std::uint8_t> data) {
  const bool legacy = info.kind == EncryptionKind::rc4;
  if (block_size == 0 || (!legacy && info.kind != EncryptionKind::rc4_cryptoapi)) return;
  std::size_t done = 0;
  while (done < data.size()) {
    const std::uint64_t pos = offset + done;
    const std::uint64_t block = pos / block_size;
    const std::uint64_t within = pos % block_size;
    const auto number = le32(static_cast<std::uint32_t>(block));
    // §2.3.6.2: MD5(base, block), all 16 bytes; §2.3.5.2: SHA-1(base, block)
    // cut to the key size, a 40-bit key padded with zeros to 128 bits.
    Bytes key = digest(legacy ? HashAlgorithm::md5 : HashAlgorithm::sha1, {base, number});
    if (!legacy) {
      key.resize(std::min<std::size_t>(key.size(), info.key_bits / 8));
      if (info.key_bits == 40) key.resize(16, 0);
    }
    if (key.empty()) return;
    Rc4 rc4(key);
    rc4.discard(within);
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(data.size() - done, block_size - within));
    rc4.apply_in_place(data.subspan(done, n));
    done += n;
  }
}

Result<Package> decrypt_package(const EncryptionInfo& info, std::span<const std::uint8_t> key,
                                ByteView encrypted_package, std::uint64_t max_bytes) {
  if (!info.supported || (info.kind != EncryptionKind::standard && info.kind != EncryptionKind::agile)) {
    return fail(Errc::unsupported, 0, "no EncryptedPackage decryption for " + info.algorithm);
  }
  const std::size_t key_bytes = (info.kind == EncryptionKind::standard ? info.key_bits : info.key_data.key_bits) / 8;
  if (key.size() != key_bytes) {
    return fail(Errc::invalid_argument, 0,
                "key of " + std::to_string(key.size()) + " bytes, want " + std::to_string(key_bytes));
  }
  auto declared = core::load_le<std::uint64_t>(encrypted_package, 0);
  if (!declared) return fail(Errc::truncated, 0, "EncryptedPackage shorter than its 8-byte StreamSize");
  Package pkg;
  pkg.declared_size = *declared;
  const ByteView cipher = encrypted_package.tail(8);
  const std::uint64_t want = std::min<std::uint64_t>(*declared, max_bytes);
  constexpr std::uint64_t kCipherAt = 8;

  if (info.kind == EncryptionKind::standard) {
    // §2.3.4.15 for Standard: the whole stream is one AES-ECB run.
    const std::size_t whole = cipher.size() - cipher.size() % kAesBlock;
    const std::size_t n =
        want >= whole ? whole : static_cast<std::size_t>((want + kAesBlock - 1) / kAesBlock * kAesBlock);
    pkg.bytes.resize(n);
    if (!aes_decrypt(Mode::ecb, key, {}, Span(cipher.data(), n), pkg.bytes.data())) {
      return fail(Errc::malformed, kCipherAt, "AES-ECB decryption failed");
    }
    pkg.bytes.resize(std::min<std::uint64_t>(n, want));
  } else {
    // §2.3.4.15: segment i is AES with IV = H(keyData.salt + LE32(i)) cut to blockSize.
    const AgileCipher& kd = info.key_data;
    const Mode mode = kd.chaining == Chaining::cbc ? Mode::cbc : Mode::cfb;
    pkg.bytes.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(want, cipher.size())));
    std::uint64_t off = 0;
    for (std::uint32_t i = 0; pkg.bytes.size() < want && off < cipher.size(); ++i, off += kAgileSegmentSize) {
      const ByteView seg = cipher.clamp(off, kAgileSegmentSize);
      const Span blocks = whole_blocks(Span(seg.data(), seg.size()));
      if (blocks.empty()) break;
      const auto index = le32(i);
      const Bytes iv = fit(digest(kd.hash, {kd.salt, index}), kd.block_size);
      if (iv.size() != kd.block_size) return fail(Errc::malformed, kCipherAt + off, "segment IV hash failed");
      const std::size_t at = pkg.bytes.size();
      pkg.bytes.resize(at + blocks.size());
      if (!aes_decrypt(mode, key, iv, blocks, pkg.bytes.data() + at)) {
        return fail(Errc::malformed, kCipherAt + off, "AES decryption of segment " + std::to_string(i) + " failed");
      }
      if (pkg.bytes.size() > want) pkg.bytes.resize(static_cast<std::size_t>(want));
      if (blocks.size() < seg.size()) break;  // a partial block ends what can be read
      if (i == UINT32_MAX) break;
    }
  }
  pkg.truncated = pkg.bytes.size() < pkg.declared_size;
  return pkg;
}

}  // namespace sluice::codecs::office
