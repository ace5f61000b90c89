#include "formats/archive/sevenzip_open.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <span>

#include "formats/archive/sevenzip_crypto.hpp"
#include "formats/archive/sevenzip_decode.hpp"
#include "formats/archive/sevenzip_header.hpp"

namespace sluice::formats::archive::sevenzip {
namespace {

// Headers within headers: 7-Zip writes one level; more is hostile nesting.
constexpr int kMaxHeaderLevels = 4;

std::vector<std::uint8_t> copy_of(ByteView b) {
  const std::span<const std::uint8_t> s(b.data(), b.size());
  return {s.begin(), s.end()};
}

void append(std::vector<std::uint8_t>& out, ByteView b) {
  const std::span<const std::uint8_t> s(b.data(), b.size());
  out.insert(out.end(), s.begin(), s.end());
}

// The pack streams of `s` as views into the file, all of them.
Result<std::vector<ByteView>> pack_views(ByteView file, const StreamsInfo& s) {
  std::vector<ByteView> out;
  out.reserve(s.pack_sizes.size());
  std::uint64_t pos = kSignatureHeaderSize;
  if (s.pack_pos > file.size()) return fail(Errc::truncated, 0, "7z pack position past the end");
  pos += s.pack_pos;
  for (std::uint64_t size : s.pack_sizes) {
    auto v = file.subview(pos, size);
    if (!v) return fail(Errc::truncated, pos, "7z pack stream runs past the end of the archive");
    out.push_back(*v);
    pos += size;
  }
  return out;
}

std::span<const ByteView> folder_packs(const StreamsInfo& s, const std::vector<ByteView>& all, std::size_t f) {
  const std::size_t first = s.first_pack_stream(f);
  const std::size_t n = s.folders[f].packed.size();
  if (first > all.size() || n > all.size() - first) return {};
  return std::span<const ByteView>(all).subspan(first, n);
}

// Decodes the header folder an encoded header describes, CRC-checked.
Result<std::vector<std::uint8_t>> decode_header(ByteView file, const StreamsInfo& s, const KeyFor& key_for,
                                                std::uint64_t max) {
  if (s.folders.empty()) return fail(Errc::malformed, 0, "7z encoded header without a folder");
  auto all = pack_views(file, s);
  if (!all) return std::unexpected(all.error());
  auto d = decode_chain(s.folders[0], folder_packs(s, *all, 0), key_for, max);
  if (!d) return d;
  if (s.folders[0].crc && crc32_of(ByteView(d->data(), d->size())) != *s.folders[0].crc) {
    return fail(Errc::malformed, 0, "7z header CRC mismatch");
  }
  return d;
}

struct Plain {
  std::vector<std::uint8_t> bytes;
  Header header;
};

// Follows encoded headers down to the plain one, as long as none is encrypted.
// Returns the last (encoded) header read when one is encrypted.
Result<Plain> unwrap(ByteView file, std::vector<std::uint8_t> bytes, const KeyFor& key_for, std::uint64_t max,
                     bool& stopped_at_aes) {
  stopped_at_aes = false;
  for (int level = 0; level < kMaxHeaderLevels; ++level) {
    auto h = parse_header(ByteView(bytes.data(), bytes.size()));
    if (!h) return std::unexpected(h.error());
    if (!h->encoded) return Plain{std::move(bytes), std::move(*h)};
    if (!h->main) return fail(Errc::malformed, 0, "7z encoded header without streams");
    if (has_aes(*h->main) && !key_for) {
      stopped_at_aes = true;
      return Plain{std::move(bytes), std::move(*h)};
    }
    auto d = decode_header(file, *h->main, key_for, max);
    if (!d) return std::unexpected(d.error());
    bytes = std::move(*d);
  }
  return fail(Errc::malformed, 0, "7z headers nested too deep");
}

// One password trial on data folders: the first AES coder whose output feeds
// an LZMA/LZMA2 coder is decrypted (a prefix) and decoded; when that decodes
// the first file in full, its CRC must match too.
enum class Trial { pass, reject, unverifiable };
Trial trial(ByteView file, const StreamsInfo& s, const KeyFor& key_for, std::uint64_t trial_bytes) {
  auto all = pack_views(file, s);
  if (!all) return Trial::unverifiable;
  for (std::size_t fi = 0; fi < s.folders.size(); ++fi) {
    const Folder& f = s.folders[fi];
    const auto packs = folder_packs(s, *all, fi);
    if (packs.size() != f.packed.size()) continue;
    for (std::size_t k = 0; k < f.coders.size(); ++k) {
      if (!is_aes(f.coders[k]) || f.coders[k].num_in != 1 || f.coders[k].num_out != 1) continue;
      const std::uint32_t in = f.first_in(k);
      const std::uint32_t out = f.first_out(k);
      const auto pit = std::find(f.packed.begin(), f.packed.end(), in);
      if (pit == f.packed.end() || out >= f.unpack_sizes.size()) continue;
      const ByteView cipher = packs[static_cast<std::size_t>(pit - f.packed.begin())];
      auto props = parse_aes_props(ByteView(f.coders[k].props.data(), f.coders[k].props.size()));
      if (!props) continue;
      const auto consumer = std::find_if(f.binds.begin(), f.binds.end(), [out](const BindPair& b) { return b.out == out; });
      const auto main = f.main_out();
      std::optional<std::size_t> c;
      if (consumer != f.binds.end()) c = f.coder_of_in(consumer->in);
      const Method cm = c ? method_of(f.coders[*c]) : Method::other;
      const bool decodable = c && f.coders[*c].num_in == 1 &&
                             (cm == Method::lzma || cm == Method::lzma2 || cm == Method::copy);
      const bool alone = consumer == f.binds.end() && f.coders.size() == 1;
      if (!decodable && !(alone && s.first_crc[fi] && s.first_size[fi] <= trial_bytes)) continue;
      // Enough ciphertext for trial_bytes of output even when incompressible.
      std::uint64_t in_cap = (2 * trial_bytes + (64u << 10)) & ~std::uint64_t{15};
      const bool whole = cipher.size() <= in_cap;
      auto key = key_for(*props);
      if (!key) return Trial::reject;  // the caller sees the cap that refused it
      std::vector<std::uint8_t> plain = aes_cbc_decrypt(*key, props->iv, cipher.clamp(0, in_cap));
      if (whole && plain.size() > f.unpack_sizes[out]) plain.resize(static_cast<std::size_t>(f.unpack_sizes[out]));
      const ByteView pv(plain.data(), plain.size());
      if (alone) {
        if (plain.size() < s.first_size[fi]) return Trial::reject;
        return crc32_of(pv.clamp(0, s.first_size[fi])) == *s.first_crc[fi] ? Trial::pass : Trial::reject;
      }
      const std::uint32_t cout = f.first_out(*c);
      const std::uint64_t want = std::min(f.unpack_sizes[cout], trial_bytes);
      auto d = decode_coder(f.coders[*c], pv, want);
      if (!d) return Trial::reject;
      if (main && cout == *main && s.first_crc[fi] && s.first_size[fi] <= d->size()) {
        return crc32_of(ByteView(d->data(), d->size()).clamp(0, s.first_size[fi])) == *s.first_crc[fi]
                   ? Trial::pass : Trial::reject;
      }
      // Copy accepts any bytes: without a CRC it proves nothing.
      if (cm == Method::copy) continue;
      return Trial::pass;
    }
  }
  return Trial::unverifiable;
}

void put_digests(std::vector<std::uint8_t>& out, const std::vector<Folder>& folders) {
  const bool any = std::any_of(folders.begin(), folders.end(), [](const Folder& f) { return f.crc.has_value(); });
  if (!any) return;
  out.push_back(kCrc);
  const bool all = std::all_of(folders.begin(), folders.end(), [](const Folder& f) { return f.crc.has_value(); });
  if (all) {
    out.push_back(1);
  } else {
    out.push_back(0);
    std::uint8_t byte = 0, mask = 0x80;
    for (const Folder& f : folders) {
      if (f.crc) byte |= mask;
      mask >>= 1;
      if (mask == 0) { out.push_back(byte); byte = 0; mask = 0x80; }
    }
    if (mask != 0x80) out.push_back(byte);
  }
  for (const Folder& f : folders) {
    if (!f.crc) continue;
    for (int k = 0; k < 4; ++k) out.push_back(static_cast<std::uint8_t>(*f.crc >> (8 * k)));
  }
}

void put_folder(std::vector<std::uint8_t>& out, const Folder& f) {
  put_number(out, f.coders.size());
  for (const Coder& c : f.coders) {
    const bool complex = c.num_in != 1 || c.num_out != 1;
    std::uint8_t flags = static_cast<std::uint8_t>(c.id.size() & 0x0F);
    if (complex) flags |= 0x10;
    if (!c.props.empty()) flags |= 0x20;
    out.push_back(flags);
    out.insert(out.end(), c.id.begin(), c.id.end());
    if (complex) {
      put_number(out, c.num_in);
      put_number(out, c.num_out);
    }
    if (!c.props.empty()) {
      put_number(out, c.props.size());
      out.insert(out.end(), c.props.begin(), c.props.end());
    }
  }
  for (const BindPair& b : f.binds) {
    put_number(out, b.in);
    put_number(out, b.out);
  }
  if (f.packed.size() > 1) {
    for (std::uint32_t p : f.packed) put_number(out, p);
  }
}

// Takes coder `k` (AES) out of `f`: its consumer reads the pack stream
// directly, or, when nothing consumes it, it becomes a Copy coder.
void drop_coder(Folder& f, std::size_t k, std::size_t pack_index) {
  const std::uint32_t in = f.first_in(k);
  const std::uint32_t out = f.first_out(k);
  const auto consumer = std::find_if(f.binds.begin(), f.binds.end(), [out](const BindPair& b) { return b.out == out; });
  if (consumer == f.binds.end()) {
    f.coders[k] = Coder{{0x00}, 1, 1, {}};
    return;
  }
  f.packed[pack_index] = consumer->in;
  f.binds.erase(consumer);
  f.coders.erase(f.coders.begin() + static_cast<std::ptrdiff_t>(k));
  for (BindPair& b : f.binds) {
    if (b.in > in) --b.in;
    if (b.out > out) --b.out;
  }
  for (std::uint32_t& p : f.packed) {
    if (p > in) --p;
  }
  f.unpack_sizes.erase(f.unpack_sizes.begin() + out);
}

// The archive again, with every AES pack stream decrypted and every AES coder
// removed, its header plain: what libarchive reads.
Result<std::vector<std::uint8_t>> rewrite(ByteView file, const Plain& plain, const KeyFor& key_for) {
  const Header& h = plain.header;
  const ByteView hb(plain.bytes.data(), plain.bytes.size());
  if (h.additional_streams) return fail(Errc::unsupported, 0, "7z additional streams are not rewritten");
  std::vector<std::uint8_t> header{kHeader};
  std::vector<std::uint8_t> packed_data;
  if (h.archive_properties) append(header, hb.clamp(h.archive_properties->offset, h.archive_properties->size));
  if (h.main) {
    StreamsInfo s = *h.main;
    auto views = pack_views(file, s);
    if (!views) return std::unexpected(views.error());
    std::vector<std::vector<std::uint8_t>> owned(views->size());
    for (std::size_t fi = 0; fi < s.folders.size(); ++fi) {
      Folder& f = s.folders[fi];
      const std::size_t base = s.first_pack_stream(fi);
      for (std::size_t guard = 0; guard <= 64; ++guard) {
        const auto it = std::find_if(f.coders.begin(), f.coders.end(), [](const Coder& c) { return is_aes(c); });
        if (it == f.coders.end()) break;
        const auto k = static_cast<std::size_t>(it - f.coders.begin());
        if (it->num_in != 1 || it->num_out != 1) return fail(Errc::malformed, 0, "7z AES coder with several streams");
        const auto pit = std::find(f.packed.begin(), f.packed.end(), f.first_in(k));
        const std::uint32_t out = f.first_out(k);
        if (pit == f.packed.end() || out >= f.unpack_sizes.size()) {
          return fail(Errc::unsupported, 0, "7z AES coder not at a pack stream");
        }
        const auto p = static_cast<std::size_t>(pit - f.packed.begin());
        if (base + p >= views->size()) return fail(Errc::malformed, 0, "7z pack stream index out of range");
        auto props = parse_aes_props(ByteView(it->props.data(), it->props.size()));
        if (!props) return std::unexpected(props.error());
        auto key = key_for(*props);
        if (!key) return fail(Errc::limit, 0, "no key for a 7z AES coder");
        std::vector<std::uint8_t> dec = aes_cbc_decrypt(*key, props->iv, (*views)[base + p]);
        if (dec.size() < f.unpack_sizes[out]) return fail(Errc::truncated, 0, "7z AES stream shorter than declared");
        dec.resize(static_cast<std::size_t>(f.unpack_sizes[out]));
        owned[base + p] = std::move(dec);
        (*views)[base + p] = ByteView(owned[base + p].data(), owned[base + p].size());
        drop_coder(f, k, p);
      }
    }
    header.push_back(kMainStreamsInfo);
    header.push_back(kPackInfo);
    put_number(header, 0);
    put_number(header, views->size());
    header.push_back(kSize);
    for (const ByteView& v : *views) {
      put_number(header, v.size());
      append(packed_data, v);
    }
    header.push_back(kEnd);
    if (!s.folders.empty()) {
      header.push_back(kUnpackInfo);
      header.push_back(kFolder);
      put_number(header, s.folders.size());
      header.push_back(0);
      for (const Folder& f : s.folders) put_folder(header, f);
      header.push_back(kCodersUnpackSize);
      for (const Folder& f : s.folders) {
        for (std::uint64_t u : f.unpack_sizes) put_number(header, u);
      }
      put_digests(header, s.folders);
      header.push_back(kEnd);
    }
    if (s.substreams_raw) append(header, hb.clamp(s.substreams_raw->offset, s.substreams_raw->size));
    header.push_back(kEnd);
  }
  if (h.files_raw) append(header, hb.clamp(h.files_raw->offset, h.files_raw->size));
  header.push_back(kEnd);

  std::vector<std::uint8_t> out{'7', 'z', 0xBC, 0xAF, 0x27, 0x1C, 0, 4};
  std::vector<std::uint8_t> start;
  auto put_le = [](std::vector<std::uint8_t>& o, std::uint64_t v, int n) {
    for (int k = 0; k < n; ++k) o.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
  };
  put_le(start, packed_data.size(), 8);
  put_le(start, header.size(), 8);
  put_le(start, crc32_of(ByteView(header.data(), header.size())), 4);
  put_le(out, crc32_of(ByteView(start.data(), start.size())), 4);
  out.insert(out.end(), start.begin(), start.end());
  out.insert(out.end(), packed_data.begin(), packed_data.end());
  out.insert(out.end(), header.begin(), header.end());
  return out;
}

Result<std::vector<std::uint8_t>> next_header(ByteView file, const OpenOptions& opts) {
  auto sig = parse_signature_header(file);
  if (!sig) return std::unexpected(sig.error());
  if (sig->next_offset > file.size() || sig->next_size > opts.max_header_bytes) {
    return fail(Errc::malformed, 12, "7z next header out of range");
  }
  auto next = file.subview(kSignatureHeaderSize + sig->next_offset, sig->next_size);
  if (!next) return fail(Errc::truncated, 12, "7z next header past the end");
  if (crc32_of(*next) != sig->next_crc) return fail(Errc::malformed, 12, "7z next header CRC mismatch");
  return copy_of(*next);
}

}  // namespace

bool uses_aes(ByteView file) {
  const OpenOptions opts;
  auto bytes = next_header(file, opts);
  if (!bytes) return false;
  bool stopped = false;
  auto plain = unwrap(file, std::move(*bytes), KeyFor{}, opts.max_header_bytes, stopped);
  if (!plain) return false;
  return stopped || (plain->header.main && has_aes(*plain->header.main));
}

OpenOutcome open_encrypted(ByteView file, std::span<const std::string> candidates, core::Budget& budget,
                           const OpenOptions& opts) {
  OpenOutcome out;
  auto bytes = next_header(file, opts);
  if (!bytes) return out;
  bool stopped = false;
  auto first = unwrap(file, std::move(*bytes), KeyFor{}, opts.max_header_bytes, stopped);
  if (!first) return out;
  out.encrypted_headers = stopped;
  out.encrypted_data = !stopped && first->header.main && has_aes(*first->header.main);
  if (!out.encrypted_headers && !out.encrypted_data) return out;

  // Keys for the current candidate, one per (rounds, salt): 7-Zip derives one
  // key for a whole archive, so a candidate normally costs one derivation.
  struct Cached {
    AesProps props;
    Key key;
  };
  std::vector<Cached> cache;
  // The next candidate's key, derived beside the current one's (two hash
  // chains cost about one, core/sha256_lanes.hpp) and charged to the budget
  // then: the search spends it whether or not the next candidate is tried.
  struct Ahead {
    std::size_t candidate;
    AesProps props;
    Key key;
  };
  std::optional<Ahead> ahead;
  std::size_t index = 0;
  std::string_view password;
  const auto same = [](const AesProps& a, const AesProps& b) {
    return a.cycles_power == b.cycles_power && a.salt == b.salt;
  };
  const KeyFor key_for = [&](const AesProps& p) -> std::optional<Key> {
    for (const Cached& c : cache) {
      if (same(c.props, p)) return c.key;
    }
    if (cache.size() >= 8) return std::nullopt;  // a hostile archive with a salt per coder
    AesProps k = p;
    k.iv = {};
    if (ahead && ahead->candidate == index && same(ahead->props, p)) {
      out.rounds += p.rounds();
      cache.push_back({k, ahead->key});
      ahead.reset();
      return cache.back().key;
    }
    if (!budget.take_key_rounds(p.rounds())) {
      out.rounds_capped = true;
      return std::nullopt;
    }
    out.rounds += p.rounds();
    const std::size_t next = index + 1;
    if (cache.empty() && p.rounds() > 0 && next < candidates.size() && out.tried < opts.max_candidates &&
        budget.take_key_rounds(p.rounds())) {
      const std::array<Key, 2> both = derive_keys(p, password, candidates[next]);
      ahead = Ahead{next, k, both[1]};
      cache.push_back({k, both[0]});
    } else {
      cache.push_back({k, derive_key(p, password)});
    }
    return cache.back().key;
  };

  std::optional<Plain> plain;
  std::optional<std::vector<std::uint8_t>> verified;  // a rewrite the caller already checked
  for (; index < candidates.size(); ++index) {
    const std::string& candidate = candidates[index];
    if (out.tried >= opts.max_candidates) {
      out.candidates_capped = true;
      break;
    }
    if (budget.expired()) {
      out.deadline = true;
      break;
    }
    cache.clear();
    password = candidate;
    ++out.tried;
    if (out.encrypted_headers) {
      auto d = decode_header(file, *first->header.main, key_for, opts.max_header_bytes);
      if (d) {
        bool again = false;
        auto p = unwrap(file, std::move(*d), key_for, opts.max_header_bytes, again);
        if (p) plain = std::move(*p);
      }
    } else {
      const Trial t = trial(file, *first->header.main, key_for, opts.trial_bytes);
      if (t == Trial::pass) {
        plain = std::move(*first);
      } else if (t == Trial::unverifiable) {
        if (!opts.verify_rewrite) {
          out.problem = "no coder after the AES coder that a password could be verified on";
          break;
        }
        auto rw = rewrite(file, *first, key_for);
        if (rw && opts.verify_rewrite(ByteView(rw->data(), rw->size()))) {
          verified = std::move(*rw);
          plain = std::move(*first);
        }
      }
    }
    if (out.rounds_capped) {
      --out.tried;
      break;
    }
    if (plain) break;
  }
  if (!plain) return out;
  out.password = std::string(password);
  out.encrypted_data = plain->header.main && has_aes(*plain->header.main);
  if (verified) {
    out.archive = std::move(*verified);
    out.opened = true;
    return out;
  }
  auto rewritten = rewrite(file, *plain, key_for);
  if (!rewritten) {
    out.problem = rewritten.error().what;
    return out;
  }
  out.archive = std::move(*rewritten);
  out.opened = true;
  return out;
}

}  // namespace sluice::formats::archive::sevenzip
