// RAR 5 blocks (RAR 5.0 technote): signature "Rar!\x1A\x07\x01\x00", then
// headers of CRC32 | size (vint) | type | flags | [extra size] | [data size] |
// type fields | extra area, each followed by its data area. After an archive
// encryption header (type 4) every header is a 16-byte IV and the header
// AES-256-CBC encrypted, padded to 16 bytes; data areas are encrypted by their
// own file encryption records instead.
#include "formats/archive/rar5_open.hpp"

#include <zlib.h>

#include <array>
#include <cstring>
#include <map>
#include <optional>
#include <utility>

#include "core/reader.hpp"
#include "formats/archive/rar5_crypto.hpp"
#include "formats/archive/sevenzip_crypto.hpp"

namespace sluice::formats::archive::rar5 {
namespace {

constexpr std::string_view kSignature("Rar!\x1A\x07\x01\x00", 8);
constexpr std::uint64_t kMaxHeaderSize = 2u << 20;  // the technote: at most 3 vint bytes

enum HeaderType : std::uint64_t { kMain = 1, kFile = 2, kService = 3, kCrypt = 4, kEnd = 5 };
constexpr std::uint64_t kHasExtra = 0x0001, kHasData = 0x0002;
constexpr std::uint64_t kFileHasTime = 0x0002, kFileHasCrc = 0x0004;
constexpr std::uint64_t kRecordCrypt = 0x01, kRecordHash = 0x02;
constexpr std::uint64_t kCryptHasCheck = 0x0001, kCryptMacChecksums = 0x0002;

Result<std::uint64_t> vint(core::Reader& r) {
  std::uint64_t out = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    auto b = r.u8();
    if (!b) return std::unexpected(b.error());
    if (shift < 64) out |= static_cast<std::uint64_t>(*b & 0x7F) << shift;
    if ((*b & 0x80) == 0) return out;
  }
  return fail(Errc::malformed, r.offset(), "RAR 5 vint longer than 10 bytes");
}

void put_vint(std::vector<std::uint8_t>& o, std::uint64_t v) {
  do {
    std::uint8_t b = v & 0x7F;
    v >>= 7;
    if (v != 0) b |= 0x80;
    o.push_back(b);
  } while (v != 0);
}

std::span<const std::uint8_t> span(ByteView v) { return {v.data(), v.size()}; }

// One header, split into what the rewrite changes and what it copies.
struct Header {
  std::uint64_t type = 0;
  std::uint64_t flags = 0;
  std::uint64_t data_size = 0;
  ByteView fields;  // type-specific fields
  ByteView extra;   // extra area
  std::uint32_t crc = 0;
  bool crc_ok = false;
};

Result<Header> parse_header(ByteView h) {
  // h = CRC32 | size vint | body
  core::Reader r(h);
  Header out;
  auto crc = r.le<std::uint32_t>();
  if (!crc) return std::unexpected(crc.error());
  out.crc = *crc;
  const std::uint64_t size_at = r.pos();
  auto size = vint(r);
  if (!size) return std::unexpected(size.error());
  if (*size > kMaxHeaderSize) return fail(Errc::malformed, size_at, "RAR 5 header larger than 2 MiB");
  auto body = r.bytes(*size);
  if (!body) return std::unexpected(body.error());
  const ByteView crc_span = h.subview(size_at, r.pos() - size_at).value_or(ByteView{});
  out.crc_ok = crc32(0, crc_span.data(), static_cast<uInt>(crc_span.size())) == out.crc;
  core::Reader b(*body);
  auto type = vint(b), flags = type ? vint(b) : type;
  if (!type || !flags) return fail(Errc::truncated, size_at, "RAR 5 header without type or flags");
  out.type = *type;
  out.flags = *flags;
  std::uint64_t extra_size = 0;
  if (out.flags & kHasExtra) {
    auto e = vint(b);
    if (!e) return std::unexpected(e.error());
    extra_size = *e;
  }
  if (out.flags & kHasData) {
    auto d = vint(b);
    if (!d) return std::unexpected(d.error());
    out.data_size = *d;
  }
  if (extra_size > b.remaining()) return fail(Errc::malformed, size_at, "RAR 5 extra area past its header");
  auto fields = b.bytes(b.remaining() - extra_size);
  auto extra = b.bytes(extra_size);
  if (!fields || !extra) return fail(Errc::truncated, size_at, "RAR 5 header fields");
  out.fields = *fields;
  out.extra = *extra;
  return out;
}

// The whole header's length from its first bytes: 4 + vint + size.
Result<std::uint64_t> header_length(ByteView start) {
  core::Reader r(start);
  if (auto s = r.skip(4); !s) return std::unexpected(s.error());
  auto size = vint(r);
  if (!size) return std::unexpected(size.error());
  if (*size > kMaxHeaderSize) return fail(Errc::malformed, 4, "RAR 5 header larger than 2 MiB");
  return r.pos() + *size;
}

struct CryptRecord {
  KdfParams kdf;
  std::array<std::uint8_t, 16> iv{};
  bool mac = false;
};

// Version 0 (AES-256) only; anything else is a problem, never a silent skip.
Result<CryptRecord> parse_crypt(core::Reader& r, bool with_iv) {
  CryptRecord c;
  auto version = vint(r);
  auto flags = version ? vint(r) : version;
  if (!version || !flags) return fail(Errc::truncated, r.offset(), "RAR 5 encryption record");
  if (*version != 0) return fail(Errc::unsupported, r.offset(), "RAR 5 encryption version " + std::to_string(*version));
  auto count = r.u8();
  auto salt = count ? r.bytes(16) : std::unexpected(count.error());
  if (!count || !salt) return fail(Errc::truncated, r.offset(), "RAR 5 encryption salt");
  if (*count > kMaxKdfCount) {
    return fail(Errc::malformed, r.offset(), "RAR 5 KDF count 2^" + std::to_string(*count) + " (the format allows 2^24)");
  }
  c.kdf.count = *count;
  std::memcpy(c.kdf.salt.data(), salt->data(), 16);
  if (with_iv) {
    auto iv = r.bytes(16);
    if (!iv) return std::unexpected(iv.error());
    std::memcpy(c.iv.data(), iv->data(), 16);
  }
  if (*flags & kCryptHasCheck) {
    auto twelve = r.bytes(12);
    if (!twelve) return std::unexpected(twelve.error());
    // RAR 7 writes an all-zero check value (with a valid checksum) into the
    // service headers of an -hp archive; unrar ignores it, and so do we: the
    // header key proved the password already.
    if (auto check = read_check(*twelve); check && *check != std::array<std::uint8_t, 8>{}) {
      c.kdf.has_check = true;
      c.kdf.check = *check;
    }
  }
  c.mac = (*flags & kCryptMacChecksums) != 0;
  return c;
}

struct Record {
  std::uint64_t type = 0;
  ByteView whole;  // size vint + type + data
  ByteView data;
};

Result<std::vector<Record>> records(ByteView extra) {
  std::vector<Record> out;
  core::Reader r(extra);
  while (!r.at_end()) {
    const std::uint64_t start = r.pos();
    auto size = vint(r);
    if (!size) return std::unexpected(size.error());
    const std::uint64_t body_at = r.pos();
    if (*size > r.remaining() || *size == 0) return fail(Errc::malformed, start, "RAR 5 extra record past its area");
    auto type = vint(r);
    if (!type) return std::unexpected(type.error());
    const std::uint64_t end = body_at + *size;
    if (r.pos() > end) return fail(Errc::malformed, start, "RAR 5 extra record type past its size");
    Record rec{*type, extra.subview(start, end - start).value_or(ByteView{}),
               extra.subview(r.pos(), end - r.pos()).value_or(ByteView{})};
    out.push_back(rec);
    if (auto s = r.seek(end); !s) return std::unexpected(s.error());
    if (out.size() > 4096) return fail(Errc::malformed, start, "RAR 5 header with more than 4096 extra records");
  }
  return out;
}

// The file/service fields without the CRC32 (when it was stored as a MAC).
Result<std::vector<std::uint8_t>> fields_without_crc(ByteView fields) {
  core::Reader r(fields);
  auto file_flags = vint(r);
  if (!file_flags) return std::unexpected(file_flags.error());
  std::vector<std::uint8_t> out;
  put_vint(out, *file_flags & ~kFileHasCrc);
  const std::uint64_t after_flags = r.pos();
  auto unpacked = vint(r), attributes = unpacked ? vint(r) : unpacked;
  if (!unpacked || !attributes) return fail(Errc::truncated, 0, "RAR 5 file header fields");
  if (*file_flags & kFileHasTime) {
    if (auto s = r.skip(4); !s) return std::unexpected(s.error());
  }
  const std::uint64_t crc_at = r.pos();
  out.insert(out.end(), fields.data() + after_flags, fields.data() + crc_at);
  if (*file_flags & kFileHasCrc) {
    if (auto s = r.skip(4); !s) return std::unexpected(s.error());
  }
  out.insert(out.end(), fields.data() + r.pos(), fields.data() + fields.size());
  return out;
}

// How much of a decrypted data area is the packed stream: AES pads it to 16
// bytes, and libarchive reads the padding as one more compressed block. A
// stored file is its unpacked size; a compressed one ends after the block
// flagged last (block header: flags, checksum, 1-3 size bytes).
std::uint64_t packed_length(ByteView fields, ByteView plain) {
  core::Reader r(fields);
  auto file_flags = vint(r);
  auto unpacked = file_flags ? vint(r) : file_flags;
  auto attributes = unpacked ? vint(r) : unpacked;
  if (!attributes) return plain.size();
  if ((*file_flags & kFileHasTime) && !r.skip(4)) return plain.size();
  if ((*file_flags & kFileHasCrc) && !r.skip(4)) return plain.size();
  auto compression = vint(r);
  if (!compression) return plain.size();
  if (((*compression >> 7) & 7) == 0) return std::min<std::uint64_t>(*unpacked, plain.size());
  std::uint64_t pos = 0;
  while (pos + 2 < plain.size()) {
    std::uint8_t flags = 0;
    if (!plain.byte_at(pos, flags)) return plain.size();
    const unsigned n = ((flags >> 3) & 3) + 1;
    if (n == 4 || pos + 2 + n > plain.size()) return plain.size();
    std::uint64_t size = 0;
    for (unsigned i = 0; i < n; ++i) {
      std::uint8_t b = 0;
      if (!plain.byte_at(pos + 2 + i, b)) return plain.size();
      size |= static_cast<std::uint64_t>(b) << (8 * i);
    }
    pos += 2 + n + size;
    if (pos > plain.size()) return plain.size();
    if (flags & 0x40) return pos;  // the last block
  }
  return plain.size();
}

void put_header(std::vector<std::uint8_t>& o, std::uint64_t type, std::uint64_t flags, std::uint64_t data_size,
                std::span<const std::uint8_t> fields, std::span<const std::uint8_t> extra) {
  std::vector<std::uint8_t> body;
  put_vint(body, type);
  flags = extra.empty() ? (flags & ~kHasExtra) : (flags | kHasExtra);
  put_vint(body, flags);
  if (!extra.empty()) put_vint(body, extra.size());
  if (flags & kHasData) put_vint(body, data_size);
  body.insert(body.end(), fields.begin(), fields.end());
  body.insert(body.end(), extra.begin(), extra.end());
  std::vector<std::uint8_t> sized;
  put_vint(sized, body.size());
  sized.insert(sized.end(), body.begin(), body.end());
  const std::uint32_t crc = crc32(0, sized.data(), static_cast<uInt>(sized.size()));
  for (int i = 0; i < 4; ++i) o.push_back(static_cast<std::uint8_t>(crc >> (8 * i)));
  o.insert(o.end(), sized.begin(), sized.end());
}

// Keys per (salt, count): RAR derives one per archive, but every record may
// name its own, and a forged archive may name many. Each new derivation is
// charged to the scan's key-derivation budget.
class KeyCache {
 public:
  KeyCache(std::string_view password, core::Budget& budget) : password_(password), budget_(budget) {}
  const Keys* get(const KdfParams& p) {
    for (const auto& [params, keys] : cache_) {
      if (params.salt == p.salt && params.count == p.count) return &keys;
    }
    if (cache_.size() >= 64 || !budget_.take_key_rounds(p.rounds())) {
      capped_ = true;
      return nullptr;
    }
    cache_.emplace_back(p, derive(p, password_));
    return &cache_.back().second;
  }
  // Keys derived (and charged) beforehand, beside another candidate's.
  void seed(const KdfParams& p, const Keys& k) { cache_.emplace_back(p, k); }
  [[nodiscard]] bool capped() const noexcept { return capped_; }

 private:
  std::string password_;
  core::Budget& budget_;
  std::vector<std::pair<KdfParams, Keys>> cache_;
  bool capped_ = false;
};

std::vector<std::uint8_t> decrypt(const Keys& k, const std::array<std::uint8_t, 16>& iv, ByteView data) {
  return sevenzip::aes_cbc_decrypt(k.key, iv, data);
}

// The first thing a password is checked against: the archive encryption
// header's parameters, or the first encryption record.
struct Probe {
  bool headers = false;
  std::optional<CryptRecord> first;
  std::uint64_t crypt_end = 0;  // after the archive encryption header (headers)
};

Result<Probe> probe(ByteView file) {
  Probe p;
  std::uint64_t pos = kSignature.size();
  for (int n = 0; n < 64 && pos < file.size(); ++n) {
    auto len = header_length(file.tail(pos));
    if (!len) return std::unexpected(len.error());
    auto h = parse_header(file.subview(pos, *len).value_or(ByteView{}));
    if (!h) return std::unexpected(h.error());
    if (h->type == kCrypt) {
      core::Reader r(h->fields);
      auto c = parse_crypt(r, false);
      if (!c) return std::unexpected(c.error());
      p.headers = true;
      p.first = *c;
      p.crypt_end = pos + *len;
      return p;
    }
    if (h->type == kFile || h->type == kService) {
      auto recs = records(h->extra);
      if (!recs) return std::unexpected(recs.error());
      for (const Record& rec : *recs) {
        if (rec.type != kRecordCrypt) continue;
        core::Reader r(rec.data);
        auto c = parse_crypt(r, true);
        if (!c) return std::unexpected(c.error());
        p.first = *c;
        return p;
      }
      if (h->type == kFile) return p;  // the first file is in the clear: so is the archive
    }
    if (h->type == kEnd) return p;
    pos += *len + h->data_size;
  }
  return p;
}

class Rewriter {
 public:
  Rewriter(ByteView file, KeyCache& keys, const OpenOptions& opts) : file_(file), keys_(keys), opts_(opts) {}

  // The plain archive, or why not.
  Result<std::vector<std::uint8_t>> run(const Probe& p, const Keys* header_keys) {
    out_.assign(kSignature.begin(), kSignature.end());
    std::uint64_t pos = p.headers ? p.crypt_end : kSignature.size();
    for (std::uint64_t n = 0; pos < file_.size(); ++n) {
      if (n >= opts_.max_headers) return fail(Errc::limit, pos, "more RAR 5 headers than the rewrite allows");
      std::vector<std::uint8_t> plain;
      ByteView header;
      std::uint64_t consumed = 0;
      if (header_keys != nullptr) {
        auto iv = file_.subview(pos, 16);
        if (!iv) return fail(Errc::truncated, pos, "encrypted RAR 5 header without its IV");
        std::array<std::uint8_t, 16> ivb{};
        std::memcpy(ivb.data(), iv->data(), 16);
        auto first = file_.subview(pos + 16, 16);
        if (!first) return fail(Errc::truncated, pos, "encrypted RAR 5 header cut short");
        const auto head = decrypt(*header_keys, ivb, *first);
        auto len = header_length(ByteView(head.data(), head.size()));
        if (!len) return fail(Errc::malformed, pos, "a decrypted RAR 5 header that is not one (wrong key?)");
        const std::uint64_t padded = (*len + 15) / 16 * 16;
        auto cipher = file_.subview(pos + 16, padded);
        if (!cipher) return fail(Errc::truncated, pos, "encrypted RAR 5 header past the end");
        plain = decrypt(*header_keys, ivb, *cipher);
        plain.resize(static_cast<std::size_t>(*len));
        header = ByteView(plain.data(), plain.size());
        consumed = 16 + padded;
      } else {
        auto len = header_length(file_.tail(pos));
        if (!len) return std::unexpected(len.error());
        auto h = file_.subview(pos, *len);
        if (!h) return fail(Errc::truncated, pos, "RAR 5 header past the end");
        header = *h;
        consumed = *len;
      }
      auto h = parse_header(header);
      if (!h) return std::unexpected(h.error());
      if (!h->crc_ok) return fail(Errc::malformed, pos, "RAR 5 header CRC mismatch" + std::string(header_keys ? " after decryption" : ""));
      const std::uint64_t data_at = pos + consumed;
      auto data = file_.subview(data_at, h->data_size);
      if (!data) return fail(Errc::truncated, data_at, "RAR 5 data area past the end");
      if (auto s = emit(*h, *data); !s) return std::unexpected(s.error());
      pos = data_at + h->data_size;
      if (h->type == kEnd) break;
    }
    return std::move(out_);
  }

 private:
  Status emit(const Header& h, ByteView data) {
    if (h.type == kCrypt) return fail(Errc::malformed, 0, "a second RAR 5 archive encryption header");
    if (h.type != kFile && h.type != kService) {
      put_header(out_, h.type, h.flags, h.data_size, span(h.fields), span(h.extra));
      out_.insert(out_.end(), data.data(), data.data() + data.size());
      return {};
    }
    auto recs = records(h.extra);
    if (!recs) return std::unexpected(recs.error());
    std::optional<CryptRecord> crypt;
    for (const Record& r : *recs) {
      if (r.type != kRecordCrypt) continue;
      core::Reader rd(r.data);
      auto c = parse_crypt(rd, true);
      if (!c) return std::unexpected(c.error());
      crypt = *c;
    }
    if (!crypt) {
      put_header(out_, h.type, h.flags, h.data_size, span(h.fields), span(h.extra));
      out_.insert(out_.end(), data.data(), data.data() + data.size());
      return {};
    }
    const Keys* k = keys_.get(crypt->kdf);
    if (k == nullptr) return fail(Errc::limit, 0, "key derivation budget spent");
    if (crypt->kdf.has_check && k->check != crypt->kdf.check) {
      return fail(Errc::invalid_argument, 0, "a file encrypted with another password");
    }
    if (data.size() % 16 != 0) return fail(Errc::malformed, 0, "encrypted RAR 5 data not a whole number of AES blocks");
    const std::vector<std::uint8_t> plain = decrypt(*k, crypt->iv, data);
    std::vector<std::uint8_t> extra;
    for (const Record& r : *recs) {
      if (r.type == kRecordCrypt || (crypt->mac && r.type == kRecordHash)) continue;
      extra.insert(extra.end(), r.whole.data(), r.whole.data() + r.whole.size());
    }
    std::vector<std::uint8_t> fields(h.fields.data(), h.fields.data() + h.fields.size());
    if (crypt->mac) {
      auto f = fields_without_crc(h.fields);
      if (!f) return std::unexpected(f.error());
      fields = std::move(*f);
    }
    const std::uint64_t keep = packed_length(h.fields, ByteView(plain.data(), plain.size()));
    put_header(out_, h.type, h.flags, keep, fields, extra);
    out_.insert(out_.end(), plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(keep));
    return {};
  }

  ByteView file_;
  KeyCache& keys_;
  const OpenOptions& opts_;
  std::vector<std::uint8_t> out_;
};

}  // namespace

bool uses_encryption(ByteView file) {
  if (!file.starts_with(kSignature)) return false;
  auto p = probe(file);
  return p && (p->headers || p->first.has_value());
}

OpenOutcome open_encrypted(ByteView file, std::span<const std::string> candidates, core::Budget& budget,
                           const OpenOptions& opts) {
  OpenOutcome out;
  if (!file.starts_with(kSignature)) return out;
  auto p = probe(file);
  if (!p) {
    out.problem = p.error().what;
    return out;
  }
  if (!p->first) return out;
  out.encrypted_headers = p->headers;
  out.encrypted_data = !p->headers;
  // The next candidate's keys, derived beside the current one's (two chains
  // cost about one, core/sha256_lanes.hpp) and charged to the budget then.
  std::optional<std::pair<std::size_t, Keys>> ahead;
  const KdfParams& kdf = p->first->kdf;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const std::string& pw = candidates[i];
    if (out.tried >= opts.max_candidates) {
      out.candidates_capped = true;
      break;
    }
    KeyCache keys(pw, budget);
    if (ahead && ahead->first == i) {
      keys.seed(kdf, ahead->second);
    } else if (i + 1 < candidates.size() && out.tried + 1 < opts.max_candidates &&
               budget.take_key_rounds(2 * kdf.rounds())) {
      const std::array<Keys, 2> both = derive_pair(kdf, pw, candidates[i + 1]);
      keys.seed(kdf, both[0]);
      ahead.emplace(i + 1, both[1]);
    }
    const Keys* k = keys.get(kdf);
    if (k == nullptr) {
      out.rounds_capped = true;
      break;
    }
    ++out.tried;
    // The check value rejects a wrong password before anything is decrypted.
    if (p->first->kdf.has_check && k->check != p->first->kdf.check) continue;
    if (!p->first->kdf.has_check && !p->headers) {
      out.problem = "no password check value in the encryption record: candidates cannot be verified";
      break;
    }
    Rewriter rw(file, keys, opts);
    auto plain = rw.run(*p, p->headers ? k : nullptr);
    if (!plain) {
      if (keys.capped()) out.rounds_capped = true;
      out.problem = plain.error().what;
      // Without a check value a header that does not decrypt means a wrong
      // candidate; with one, the archive itself is damaged: stop.
      if (p->first->kdf.has_check) break;
      continue;
    }
    out.accept(pw, std::move(*plain));
    break;
  }
  out.conclude();
  return out;
}

}  // namespace sluice::formats::archive::rar5
