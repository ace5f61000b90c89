// RAR 1.5-4 blocks (unrar's headers.hpp, RAR 2.9 format): signature
// "Rar!\x1A\x07\x00", then blocks of CRC16 | type | flags | size, a 32-bit
// data size when flagged (always for file and service headers, whose high 32
// bits follow the attributes when LHD_LARGE is set), and the data. After a
// main header flagged MHD_PASSWORD every block is an 8-byte salt and the
// header AES-128-CBC encrypted (fresh key and IV per salt), padded to 16
// bytes; data areas are encrypted with their own file's salt either way.
#include "formats/archive/rar3_open.hpp"

#include <zlib.h>

#include <array>
#include <cstring>
#include <optional>
#include <utility>

#include "core/reader.hpp"
#include "formats/archive/rar3_crypto.hpp"
#include "formats/archive/sevenzip_crypto.hpp"

namespace sluice::formats::archive::rar3 {
namespace {

constexpr std::string_view kSignature("Rar!\x1A\x07\x00", 7);

enum BlockType : std::uint8_t { kMain = 0x73, kFile = 0x74, kService = 0x7A, kEnd = 0x7B };
constexpr std::uint16_t kMainPassword = 0x0080;
constexpr std::uint16_t kFileSplitBefore = 0x0001, kFileSplitAfter = 0x0002, kFilePassword = 0x0004,
                        kFileLarge = 0x0100, kFileSalt = 0x0400, kLongBlock = 0x8000;
constexpr std::uint8_t kMethodStore = 0x30;
// RAR 2.9 and later encrypt with AES-128; older versions with ciphers of
// their own, which are not opened here.
constexpr std::uint8_t kAesVersion = 29;

std::uint16_t crc16(ByteView h) {
  return static_cast<std::uint16_t>(crc32(0, h.data() + 2, static_cast<uInt>(h.size() - 2)) & 0xFFFF);
}

// One block header, plain; `bytes` is exactly its HEAD_SIZE bytes.
struct Block {
  ByteView bytes;
  std::uint8_t type = 0;
  std::uint16_t flags = 0;
  std::uint64_t data_size = 0;
  bool crc_ok = false;
  // File and service headers:
  std::uint64_t unpacked = 0;
  std::uint32_t file_crc = 0;
  std::uint8_t version = 0, method = 0;
  ByteView salt;

  [[nodiscard]] bool is_file() const noexcept { return type == kFile || type == kService; }
  [[nodiscard]] bool encrypted() const noexcept { return is_file() && (flags & kFilePassword) != 0; }
};

// HEAD_SIZE from the first 7 bytes.
Result<std::uint16_t> head_size(ByteView start) {
  core::Reader r(start);
  if (auto s = r.skip(5); !s) return std::unexpected(s.error());
  auto size = r.le<std::uint16_t>();
  if (!size) return std::unexpected(size.error());
  if (*size < 7) return fail(Errc::malformed, 5, "RAR block shorter than its own header");
  return *size;
}

Result<Block> parse_block(ByteView h) {
  core::Reader r(h);
  Block b;
  b.bytes = h;
  auto crc = r.le<std::uint16_t>();
  auto type = crc ? r.u8() : std::unexpected(crc.error());
  auto flags = type ? r.le<std::uint16_t>() : std::unexpected(type.error());
  if (!flags || !r.skip(2)) return fail(Errc::truncated, 0, "RAR block header");
  b.type = *type;
  b.flags = *flags;
  b.crc_ok = crc16(h) == *crc;
  if (b.is_file()) {
    auto packed = r.le<std::uint32_t>(), unpacked = r.le<std::uint32_t>();
    if (!packed || !unpacked || !r.skip(1)) return fail(Errc::truncated, 7, "RAR file header");
    auto file_crc = r.le<std::uint32_t>();
    if (!file_crc || !r.skip(4)) return fail(Errc::truncated, 7, "RAR file header");
    auto version = r.u8(), method = version ? r.u8() : version;
    auto name_size = method ? r.le<std::uint16_t>() : std::unexpected(method.error());
    if (!name_size || !r.skip(4)) return fail(Errc::truncated, 7, "RAR file header");
    b.data_size = *packed;
    b.unpacked = *unpacked;
    if (b.flags & kFileLarge) {
      auto hp = r.le<std::uint32_t>(), hu = hp ? r.le<std::uint32_t>() : hp;
      if (!hu) return fail(Errc::truncated, 32, "RAR large-file sizes");
      b.data_size |= std::uint64_t{*hp} << 32;
      b.unpacked |= std::uint64_t{*hu} << 32;
    }
    b.file_crc = *file_crc;
    b.version = *version;
    b.method = *method;
    if (auto s = r.skip(*name_size); !s) return fail(Errc::truncated, r.offset(), "RAR file name past its header");
    if (b.flags & kFileSalt) {
      auto salt = r.bytes(8);
      if (!salt) return fail(Errc::truncated, r.offset(), "RAR salt past its header");
      b.salt = *salt;
    }
  } else if (b.flags & kLongBlock) {
    auto add = r.le<std::uint32_t>();
    if (!add) return fail(Errc::truncated, 7, "RAR block data size");
    b.data_size = *add;
  }
  return b;
}

// Keys per salt: RAR derives one per file (and, with -hp, per header), and a
// forged archive may name many. Each new derivation is charged to the scan's
// key-derivation budget.
class KeyCache {
 public:
  KeyCache(std::string_view password, core::Budget& budget) : password_(password), budget_(budget) {}
  // nullptr when the budget is spent (capped()) or the password cannot be
  // derived (too long for the plain SHA-1 path).
  const Keys* get(ByteView salt) {
    const std::vector<std::uint8_t> s(salt.data(), salt.data() + salt.size());
    for (const auto& [known, keys] : cache_) {
      if (known == s) return &keys;
    }
    if (cache_.size() >= 64 || !budget_.take_key_rounds(kKdfIterations)) {
      capped_ = true;
      return nullptr;
    }
    auto k = derive(password_, s);
    if (!k) return nullptr;
    cache_.emplace_back(s, *k);
    return &cache_.back().second;
  }
  // Keys derived (and charged) beforehand, beside another candidate's.
  void seed(ByteView salt, const Keys& k) {
    cache_.emplace_back(std::vector<std::uint8_t>(salt.data(), salt.data() + salt.size()), k);
  }
  [[nodiscard]] bool capped() const noexcept { return capped_; }

 private:
  std::string password_;
  core::Budget& budget_;
  std::vector<std::pair<std::vector<std::uint8_t>, Keys>> cache_;
  bool capped_ = false;
};

std::vector<std::uint8_t> decrypt(const Keys& k, ByteView data) {
  return sevenzip::aes_cbc_decrypt(k.key, k.iv, data);
}

void put_u16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}
void put_u32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// A header with new flags (and, for a stored file, its packed size cut to the
// unpacked one), its CRC16 recomputed.
void put_block(std::vector<std::uint8_t>& o, const Block& b, std::uint16_t flags, std::optional<std::uint32_t> packed) {
  const std::size_t at = o.size();
  o.insert(o.end(), b.bytes.data(), b.bytes.data() + b.bytes.size());
  put_u16(o.data() + at + 3, flags);
  if (packed) put_u32(o.data() + at + 7, *packed);
  put_u16(o.data() + at, crc16(ByteView(o.data() + at, b.bytes.size())));
}

// The first encrypted file that carries data, and its place among the file
// headers: what proves a candidate when the headers are in the clear.
struct Witness {
  std::size_t entry = 0;
  Block block;
  ByteView data;
};

// What a password is checked against.
struct Probe {
  bool headers = false;
  bool any_encrypted = false;
  bool encrypted_content = false;  // some encrypted file unpacks to at least one byte
  bool old_cipher = false;         // encrypted with RAR 1.5/2.0's own cipher
  std::uint64_t first_block = 0;  // after the main header
  std::uint16_t main_flags = 0;
  ByteView main;
  std::optional<Witness> witness;  // with the headers in the clear
};

Result<Probe> probe(ByteView file, std::uint64_t max_blocks) {
  Probe p;
  auto size = head_size(file.tail(kSignature.size()));
  if (!size) return std::unexpected(size.error());
  auto main_bytes = file.subview(kSignature.size(), *size);
  if (!main_bytes) return fail(Errc::truncated, kSignature.size(), "RAR main header past the end");
  auto main = parse_block(*main_bytes);
  if (!main) return std::unexpected(main.error());
  if (main->type != kMain) return fail(Errc::malformed, kSignature.size(), "RAR without a main header");
  p.main = *main_bytes;
  p.main_flags = main->flags;
  p.first_block = kSignature.size() + *size;
  if (main->flags & kMainPassword) {
    p.headers = p.any_encrypted = true;
    return p;
  }
  std::uint64_t pos = p.first_block;
  std::size_t files = 0;
  for (std::uint64_t n = 0; n < max_blocks && pos + 7 <= file.size(); ++n) {
    auto len = head_size(file.tail(pos));
    if (!len) return std::unexpected(len.error());
    auto bytes = file.subview(pos, *len);
    if (!bytes) break;  // a cut archive: judge what was there
    auto b = parse_block(*bytes);
    if (!b) return std::unexpected(b.error());
    if (b->type == kFile) {
      const bool proves = b->encrypted() && b->unpacked > 0 && b->data_size > 0 && !(b->flags & kFileSplitBefore);
      if (proves && !p.witness) {
        if (auto data = file.subview(pos + *len, b->data_size)) p.witness = Witness{files, *b, *data};
      }
      ++files;
    }
    if (b->encrypted()) {
      p.any_encrypted = true;
      p.encrypted_content = p.encrypted_content || b->unpacked > 0;
      if (b->version < kAesVersion) p.old_cipher = true;
    }
    if (b->type == kEnd) break;
    pos += *len + b->data_size;
  }
  return p;
}

class Rewriter {
 public:
  Rewriter(ByteView file, KeyCache& keys, const Probe& p, const OpenOptions& opts, bool decrypt = true)
      : file_(file), keys_(keys), probe_(p), opts_(opts), decrypt_(decrypt) {}

  // The plain archive up to and including file header number `stop_after`
  // (all of it when nullopt). With encrypted headers, a failure before one
  // decrypted header passed its CRC is a wrong password.
  Result<std::vector<std::uint8_t>> run(std::optional<std::size_t> stop_after = std::nullopt) {
    auto r = run_blocks(stop_after);
    // With encrypted headers, whatever fails before one header decrypted
    // with a good CRC (a size that runs past the end, a block too short) is
    // what a wrong key does.
    if (!r && probe_.headers && !proven_ && r.error().code != Errc::limit) {
      return fail(Errc::invalid_argument, r.error().offset, "the first RAR header does not decrypt (wrong password)");
    }
    return r;
  }

 private:
  Result<std::vector<std::uint8_t>> run_blocks(std::optional<std::size_t> stop_after) {
    out_.assign(kSignature.begin(), kSignature.end());
    const Result<Block> main = parse_block(probe_.main);
    if (!main) return std::unexpected(main.error());
    put_block(out_, *main, static_cast<std::uint16_t>(probe_.main_flags & ~kMainPassword), std::nullopt);
    std::uint64_t pos = probe_.first_block;
    std::size_t files = 0;
    for (std::uint64_t n = 0; pos + 7 <= file_.size(); ++n) {
      if (n >= opts_.max_blocks) return fail(Errc::limit, pos, "more RAR blocks than the rewrite allows");
      std::vector<std::uint8_t> plain;
      ByteView header;
      std::uint64_t consumed = 0;
      if (probe_.headers) {
        auto salt = file_.subview(pos, 8);
        auto first = file_.subview(pos + 8, 16);
        if (!salt || !first) return fail(Errc::truncated, pos, "encrypted RAR header cut short");
        const Keys* k = keys_.get(*salt);
        if (k == nullptr) return fail(Errc::limit, pos, "key derivation budget spent");
        const auto head = decrypt(*k, *first);
        auto len = head_size(ByteView(head.data(), head.size()));
        if (!len) return fail(Errc::malformed, pos, "a decrypted RAR header that is not one");
        const std::uint64_t padded = (std::uint64_t{*len} + 15) / 16 * 16;
        auto cipher = file_.subview(pos + 8, padded);
        if (!cipher) return fail(Errc::truncated, pos, "encrypted RAR header past the end");
        plain = decrypt(*k, *cipher);
        plain.resize(*len);
        header = ByteView(plain.data(), plain.size());
        consumed = 8 + padded;
      } else {
        auto len = head_size(file_.tail(pos));
        if (!len) return std::unexpected(len.error());
        auto h = file_.subview(pos, *len);
        if (!h) return fail(Errc::truncated, pos, "RAR block past the end");
        header = *h;
        consumed = *len;
      }
      auto b = parse_block(header);
      if (!b) return std::unexpected(b.error());
      if (!b->crc_ok) {
        return fail(Errc::malformed, pos, probe_.headers ? "RAR header CRC mismatch after decryption" : "RAR header CRC mismatch");
      }
      proven_ = proven_ || probe_.headers;
      const std::uint64_t data_at = pos + consumed;
      auto data = file_.subview(data_at, b->data_size);
      if (!data) return fail(Errc::truncated, data_at, "RAR data area past the end");
      if (auto s = emit(*b, *data); !s) return std::unexpected(s.error());
      pos = data_at + b->data_size;
      if (b->type == kFile && stop_after && files++ == *stop_after) break;
      if (b->type == kEnd) break;
    }
    return std::move(out_);
  }

  Status emit(const Block& b, ByteView data) {
    if (!b.encrypted()) {
      put_block(out_, b, b.flags, std::nullopt);
      out_.insert(out_.end(), data.data(), data.data() + data.size());
      return {};
    }
    if (b.version < kAesVersion) return fail(Errc::unsupported, 0, "RAR 1.5/2.0 encryption");
    if (!decrypt_) {
      // Only empty files get here (see open_encrypted): their padding block
      // is dropped, nothing is derived.
      if (b.unpacked != 0 || (b.flags & kFileLarge)) {
        return fail(Errc::invalid_argument, 0, "an encrypted file with content and no password");
      }
      put_block(out_, b, static_cast<std::uint16_t>(b.flags & ~kFilePassword), 0u);
      return {};
    }
    if (data.size() % 16 != 0) return fail(Errc::malformed, 0, "encrypted RAR data not a whole number of AES blocks");
    const Keys* k = keys_.get(b.salt);
    if (k == nullptr) return fail(Errc::limit, 0, "key derivation budget spent");
    const std::vector<std::uint8_t> plain = decrypt(*k, data);
    // AES pads the packed stream to 16 bytes: the decoder stops at the
    // unpacked size by itself, but a stored file is its packed bytes, so it
    // is cut to the unpacked size.
    std::optional<std::uint32_t> packed;
    std::size_t keep = plain.size();
    if (b.method == kMethodStore && !(b.flags & kFileLarge) && b.unpacked < plain.size()) {
      keep = static_cast<std::size_t>(b.unpacked);
      packed = static_cast<std::uint32_t>(keep);
    }
    put_block(out_, b, static_cast<std::uint16_t>(b.flags & ~kFilePassword), packed);
    out_.insert(out_.end(), plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(keep));
    return {};
  }

  ByteView file_;
  KeyCache& keys_;
  const Probe& probe_;
  const OpenOptions& opts_;
  bool decrypt_;
  std::vector<std::uint8_t> out_;
  bool proven_ = false;
};

// A stored, whole file proves a candidate by its CRC32 alone.
bool stored_crc_matches(const Witness& w, const Keys& k) {
  if (w.data.size() % 16 != 0 || w.block.unpacked > w.data.size()) return false;
  const std::vector<std::uint8_t> plain = decrypt(k, w.data);
  if (plain.size() < w.block.unpacked) return false;
  return crc32(0, plain.data(), static_cast<uInt>(w.block.unpacked)) == w.block.file_crc;
}

}  // namespace

bool uses_encryption(ByteView file) {
  if (!file.starts_with(kSignature)) return false;
  auto p = probe(file, 1u << 16);
  return p && p->any_encrypted;
}

OpenOutcome open_encrypted(ByteView file, std::span<const std::string> candidates, core::Budget& budget,
                           const OpenOptions& opts) {
  OpenOutcome out;
  if (!file.starts_with(kSignature)) return out;
  auto p = probe(file, opts.max_blocks);
  if (!p) {
    out.problem = p.error().what;
    return out;
  }
  if (!p->any_encrypted) return out;
  out.encrypted_headers = p->headers;
  out.encrypted_data = !p->headers;
  if (p->old_cipher) {
    out.problem = "encrypted with the RAR 1.5/2.0 cipher, which is not opened";
    return out;
  }
  const std::optional<Witness>& w = p->witness;
  if (!p->headers && !w && p->encrypted_content) {
    out.problem = "the first encrypted file with content cannot be read";
    return out;
  }
  if (!p->headers && !w) {
    // Every encrypted file is empty: nothing depends on the password.
    KeyCache none("", budget);
    Rewriter rw(file, none, *p, opts, false);
    if (auto plain = rw.run()) {
      out.opened = true;
      out.archive = std::move(*plain);
      out.problem = "no encrypted file carries data: nothing needed a password";
    } else {
      out.problem = plain.error().what;
    }
    return out;
  }
  // The salt of what proves a candidate: the first encrypted header's, or
  // the witness file's.
  const ByteView salt = w ? w->block.salt : file.subview(p->first_block, 8).value_or(ByteView{});
  const std::span<const std::uint8_t> salt_bytes(salt.data(), salt.size());
  // The next candidate's keys, derived beside the current one's (two SHA-1
  // runs cost little more than one, core/sha1_lanes.hpp) and charged then.
  std::optional<std::pair<std::size_t, Keys>> ahead;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const std::string& pw = candidates[i];
    if (out.tried >= opts.max_candidates) {
      out.candidates_capped = true;
      break;
    }
    if (pw.empty()) continue;
    KeyCache keys(pw, budget);
    std::size_t next = i + 1;
    while (next < candidates.size() && candidates[next].empty()) ++next;
    if (ahead && ahead->first == i) {
      keys.seed(salt, ahead->second);
    } else if (next < candidates.size() && out.tried + 1 < opts.max_candidates && derivable(pw, salt_bytes) &&
               derivable(candidates[next], salt_bytes) && budget.take_key_rounds(2 * std::uint64_t{kKdfIterations})) {
      if (const auto both = derive_pair(pw, candidates[next], salt_bytes)) {
        keys.seed(salt, (*both)[0]);
        ahead.emplace(next, (*both)[1]);
      }
    }
    const Keys* k = keys.get(salt);
    if (k == nullptr) {
      if (keys.capped()) {
        out.rounds_capped = true;
        break;
      }
      continue;  // too long to derive: not a password RAR 3 hashes plainly
    }
    ++out.tried;
    if (w && w->block.method == kMethodStore && !(w->block.flags & kFileSplitAfter)) {
      if (!stored_crc_matches(*w, *k)) continue;
    } else if (w) {
      if (!opts.verify) {
        out.problem = "compressed encrypted data and no decoder to check candidates with";
        break;
      }
      Rewriter trial(file, keys, *p, opts);
      auto t = trial.run(w->entry);
      if (!t) {
        out.problem = t.error().what;
        break;
      }
      if (!opts.verify(ByteView(t->data(), t->size()), w->entry, w->block.file_crc)) continue;
    }
    Rewriter rw(file, keys, *p, opts);
    auto plain = rw.run();
    if (!plain) {
      if (keys.capped()) out.rounds_capped = true;
      out.problem = plain.error().what;
      // With encrypted headers a wrong candidate fails the first header;
      // any other failure, or one after a proven candidate, is damage.
      if (plain.error().code == Errc::invalid_argument && p->headers && !keys.capped()) {
        out.problem.clear();
        continue;
      }
      break;
    }
    out.accept(pw, std::move(*plain));
    break;
  }
  out.conclude();
  return out;
}

}  // namespace sluice::formats::archive::rar3
