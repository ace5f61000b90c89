#include "formats/archive/sevenzip_header.hpp"

#include <algorithm>
#include <numeric>

#include "core/reader.hpp"
#include "formats/archive/sevenzip_decode.hpp"

namespace sluice::formats::archive::sevenzip {
namespace {

// 7-Zip's own bounds (7zIn.cpp): a folder has at most 64 coders and 64 streams.
constexpr std::uint64_t kMaxCoders = 64;
constexpr std::uint64_t kMaxStreams = 64;
// CRC lists and file counts: far above max_children, low enough that a list
// of optional CRCs (8 bytes each) never reaches 10 MiB.
constexpr std::uint64_t kMaxDigests = 1u << 20;

class HeaderReader {
 public:
  HeaderReader(ByteView b, const HeaderCaps& caps) : r_(b), caps_(caps) {}

  Result<std::uint64_t> number() {
    auto first = r_.u8();
    if (!first) return std::unexpected(first.error());
    std::uint8_t mask = 0x80;
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) {
      if ((*first & mask) == 0) {
        const std::uint64_t high = *first & (mask - 1u);
        return value | (high << (8 * i));
      }
      auto b = r_.u8();
      if (!b) return std::unexpected(b.error());
      value |= std::uint64_t{*b} << (8 * i);
      mask >>= 1;
    }
    return value;
  }
  Result<std::uint64_t> id() { return number(); }
  // A count of things each at least `min_bytes` long: never more than the
  // header could hold, so a hostile count cannot drive an allocation.
  Result<std::uint64_t> count(std::uint64_t cap, std::uint64_t min_bytes, const char* what) {
    auto n = number();
    if (!n) return n;
    if (*n > cap || (min_bytes > 0 && *n > r_.remaining() / min_bytes + 1)) {
      return fail(Errc::malformed, r_.offset(), std::string("7z header: too many ") + what);
    }
    return n;
  }
  Status skip_data() {
    auto n = number();
    if (!n) return std::unexpected(n.error());
    return r_.skip(*n);
  }
  // 7zIn.cpp WaitId: skips attributes until `want`.
  Status wait_id(std::uint64_t want) {
    for (;;) {
      auto t = id();
      if (!t) return std::unexpected(t.error());
      if (*t == want) return {};
      if (*t == kEnd) return fail(Errc::malformed, r_.offset(), "7z header: expected property missing");
      if (auto s = skip_data(); !s) return s;
    }
  }
  Result<std::vector<bool>> bits(std::uint64_t n) {
    std::vector<bool> out;
    if (n / 8 > r_.remaining()) return fail(Errc::truncated, r_.offset(), "7z bit vector cut");
    out.reserve(n);
    std::uint8_t byte = 0, mask = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      if (mask == 0) {
        auto b = r_.u8();
        if (!b) return std::unexpected(b.error());
        byte = *b;
        mask = 0x80;
      }
      out.push_back((byte & mask) != 0);
      mask >>= 1;
    }
    return out;
  }
  Result<std::vector<std::optional<std::uint32_t>>> digests(std::uint64_t n) {
    if (n > kMaxDigests) return fail(Errc::malformed, r_.offset(), "7z header: too many CRCs");
    auto all = r_.u8();
    if (!all) return std::unexpected(all.error());
    std::vector<bool> defined;
    if (*all == 0) {
      auto b = bits(n);
      if (!b) return std::unexpected(b.error());
      defined = std::move(*b);
    } else {
      if (n > r_.remaining() / 4) return fail(Errc::truncated, r_.offset(), "7z CRC list cut");
      defined.assign(n, true);
    }
    std::vector<std::optional<std::uint32_t>> out(n);
    for (std::uint64_t i = 0; i < n; ++i) {
      if (!defined[i]) continue;
      auto c = r_.le<std::uint32_t>();
      if (!c) return std::unexpected(c.error());
      out[i] = *c;
    }
    return out;
  }

  Status pack_info(StreamsInfo& s) {
    auto pos = number();
    if (!pos) return std::unexpected(pos.error());
    s.pack_pos = *pos;
    auto n = count(caps_.max_pack_streams, 1, "pack streams");
    if (!n) return std::unexpected(n.error());
    if (auto w = wait_id(kSize); !w) return w;
    s.pack_sizes.reserve(*n);
    for (std::uint64_t i = 0; i < *n; ++i) {
      auto v = number();
      if (!v) return std::unexpected(v.error());
      s.pack_sizes.push_back(*v);
    }
    for (;;) {
      auto t = id();
      if (!t) return std::unexpected(t.error());
      if (*t == kEnd) return {};
      if (*t == kCrc) {
        // Pack-stream CRCs: 7-Zip does not write them; read past them.
        if (auto d = digests(*n); !d) return std::unexpected(d.error());
        continue;
      }
      if (auto sk = skip_data(); !sk) return sk;
    }
  }

  Result<Folder> folder() {
    Folder f;
    auto nc = count(kMaxCoders, 1, "coders");
    if (!nc) return std::unexpected(nc.error());
    if (*nc == 0) return fail(Errc::malformed, r_.offset(), "7z folder without coders");
    std::uint64_t total_in = 0, total_out = 0;
    for (std::uint64_t i = 0; i < *nc; ++i) {
      auto main = r_.u8();
      if (!main) return std::unexpected(main.error());
      if ((*main & 0xC0u) != 0) return fail(Errc::unsupported, r_.offset(), "7z coder with alternative methods");
      Coder c;
      auto idb = r_.bytes(*main & 0x0Fu);
      if (!idb) return std::unexpected(idb.error());
      c.id.assign(idb->data(), idb->data() + idb->size());
      if (*main & 0x10u) {
        auto ni = count(kMaxStreams, 0, "coder streams");
        auto no = count(kMaxStreams, 0, "coder streams");
        if (!ni || !no) return fail(Errc::malformed, r_.offset(), "7z coder stream counts");
        if (*no != 1) return fail(Errc::unsupported, r_.offset(), "7z coder with several outputs");
        c.num_in = static_cast<std::uint32_t>(*ni);
        c.num_out = static_cast<std::uint32_t>(*no);
      }
      if (*main & 0x20u) {
        auto ps = number();
        if (!ps) return std::unexpected(ps.error());
        auto pb = r_.bytes(*ps);
        if (!pb) return std::unexpected(pb.error());
        c.props.assign(pb->data(), pb->data() + pb->size());
      }
      total_in += c.num_in;
      total_out += c.num_out;
      f.coders.push_back(std::move(c));
    }
    if (total_in > kMaxStreams || total_out > kMaxStreams || total_out == 0) {
      return fail(Errc::malformed, r_.offset(), "7z folder with too many streams");
    }
    const std::uint64_t nbind = total_out - 1;
    if (nbind > total_in) return fail(Errc::malformed, r_.offset(), "7z folder binds more than it has");
    for (std::uint64_t i = 0; i < nbind; ++i) {
      auto in = number();
      auto out = number();
      if (!in || !out || *in >= total_in || *out >= total_out) {
        return fail(Errc::malformed, r_.offset(), "7z bind pair out of range");
      }
      f.binds.push_back({static_cast<std::uint32_t>(*in), static_cast<std::uint32_t>(*out)});
    }
    const std::uint64_t npacked = total_in - nbind;
    if (npacked == 0) return fail(Errc::malformed, r_.offset(), "7z folder without pack streams");
    if (npacked == 1) {
      for (std::uint32_t i = 0; i < total_in; ++i) {
        if (std::none_of(f.binds.begin(), f.binds.end(), [i](const BindPair& b) { return b.in == i; })) {
          f.packed.push_back(i);
          break;
        }
      }
      if (f.packed.empty()) return fail(Errc::malformed, r_.offset(), "7z folder: every input bound");
    } else {
      for (std::uint64_t i = 0; i < npacked; ++i) {
        auto p = number();
        if (!p || *p >= total_in) return fail(Errc::malformed, r_.offset(), "7z pack stream index out of range");
        f.packed.push_back(static_cast<std::uint32_t>(*p));
      }
    }
    return f;
  }

  Status unpack_info(StreamsInfo& s) {
    if (auto w = wait_id(kFolder); !w) return w;
    auto n = count(caps_.max_folders, 2, "folders");
    if (!n) return std::unexpected(n.error());
    auto external = r_.u8();
    if (!external) return std::unexpected(external.error());
    if (*external != 0) return fail(Errc::unsupported, r_.offset(), "7z folders stored elsewhere");
    s.folders.reserve(*n);
    for (std::uint64_t i = 0; i < *n; ++i) {
      auto f = folder();
      if (!f) return std::unexpected(f.error());
      s.folders.push_back(std::move(*f));
    }
    if (auto w = wait_id(kCodersUnpackSize); !w) return w;
    for (Folder& f : s.folders) {
      for (std::uint32_t i = 0; i < f.total_out(); ++i) {
        auto v = number();
        if (!v) return std::unexpected(v.error());
        f.unpack_sizes.push_back(*v);
      }
    }
    for (;;) {
      auto t = id();
      if (!t) return std::unexpected(t.error());
      if (*t == kEnd) return {};
      if (*t == kCrc) {
        auto d = digests(s.folders.size());
        if (!d) return std::unexpected(d.error());
        for (std::size_t i = 0; i < s.folders.size(); ++i) s.folders[i].crc = (*d)[i];
        continue;
      }
      if (auto sk = skip_data(); !sk) return sk;
    }
  }

  Status substreams(StreamsInfo& s, std::uint64_t start) {
    const std::size_t nf = s.folders.size();
    s.num_substreams.assign(nf, 1);
    std::uint64_t t = 0;
    for (;;) {
      auto ti = id();
      if (!ti) return std::unexpected(ti.error());
      t = *ti;
      if (t == kNumUnpackStream) {
        for (std::size_t i = 0; i < nf; ++i) {
          auto v = count(kMaxDigests, 0, "files in a folder");
          if (!v) return std::unexpected(v.error());
          s.num_substreams[i] = *v;
        }
        continue;
      }
      if (t == kCrc || t == kSize || t == kEnd) break;
      if (auto sk = skip_data(); !sk) return sk;
    }
    s.first_size.assign(nf, 0);
    for (std::size_t i = 0; i < nf; ++i) s.first_size[i] = s.folders[i].unpack_size();
    if (t == kSize) {
      for (std::size_t i = 0; i < nf; ++i) {
        for (std::uint64_t k = 1; k < s.num_substreams[i]; ++k) {
          auto v = number();
          if (!v) return std::unexpected(v.error());
          if (k == 1) s.first_size[i] = *v;
        }
      }
      auto ti = id();
      if (!ti) return std::unexpected(ti.error());
      t = *ti;
    }
    s.first_crc.assign(nf, std::nullopt);
    for (std::size_t i = 0; i < nf; ++i) {
      if (s.num_substreams[i] == 1) s.first_crc[i] = s.folders[i].crc;
    }
    while (t != kEnd) {
      if (t == kCrc) {
        std::uint64_t unknown = 0;
        for (std::size_t i = 0; i < nf; ++i) {
          if (!(s.num_substreams[i] == 1 && s.folders[i].crc)) unknown += s.num_substreams[i];
        }
        if (unknown > r_.remaining() * 8 + 8) return fail(Errc::malformed, r_.offset(), "7z CRC count");
        auto d = digests(unknown);
        if (!d) return std::unexpected(d.error());
        std::size_t k = 0;
        for (std::size_t i = 0; i < nf; ++i) {
          if (s.num_substreams[i] == 1 && s.folders[i].crc) continue;
          if (s.num_substreams[i] > 0) s.first_crc[i] = (*d)[k];
          k += s.num_substreams[i];
        }
      } else if (auto sk = skip_data(); !sk) {
        return sk;
      }
      auto ti = id();
      if (!ti) return std::unexpected(ti.error());
      t = *ti;
    }
    s.substreams_raw = Span{start, r_.pos() - start};
    return {};
  }

  Result<StreamsInfo> streams() {
    StreamsInfo s;
    auto t = id();
    if (!t) return std::unexpected(t.error());
    if (*t == kPackInfo) {
      if (auto st = pack_info(s); !st) return std::unexpected(st.error());
      t = id();
      if (!t) return std::unexpected(t.error());
    }
    if (*t == kUnpackInfo) {
      if (auto st = unpack_info(s); !st) return std::unexpected(st.error());
      t = id();
      if (!t) return std::unexpected(t.error());
    }
    if (*t == kSubStreamsInfo) {
      const std::uint64_t start = r_.pos() - 1;
      if (auto st = substreams(s, start); !st) return std::unexpected(st.error());
      t = id();
      if (!t) return std::unexpected(t.error());
    } else {
      s.num_substreams.assign(s.folders.size(), 1);
      for (const Folder& f : s.folders) {
        s.first_size.push_back(f.unpack_size());
        s.first_crc.push_back(f.crc);
      }
    }
    if (*t != kEnd) return fail(Errc::malformed, r_.offset(), "7z streams info not terminated");
    // Every folder's pack streams must exist.
    std::uint64_t need = 0;
    for (const Folder& f : s.folders) need += f.packed.size();
    if (need > s.pack_sizes.size()) return fail(Errc::malformed, r_.offset(), "7z folders use more pack streams than listed");
    return s;
  }

  Result<Header> header() {
    Header h;
    auto t = id();
    if (!t) return std::unexpected(t.error());
    if (*t == kEncodedHeader) {
      h.encoded = true;
      auto s = streams();
      if (!s) return std::unexpected(s.error());
      h.main = std::move(*s);
      return h;
    }
    if (*t != kHeader) return fail(Errc::malformed, 0, "7z header of unknown kind");
    t = id();
    if (!t) return std::unexpected(t.error());
    if (*t == kArchiveProperties) {
      const std::uint64_t start = r_.pos() - 1;
      for (;;) {
        auto p = id();
        if (!p) return std::unexpected(p.error());
        if (*p == kEnd) break;
        if (auto sk = skip_data(); !sk) return std::unexpected(sk.error());
      }
      h.archive_properties = Span{start, r_.pos() - start};
      t = id();
      if (!t) return std::unexpected(t.error());
    }
    if (*t == kAdditionalStreamsInfo) {
      h.additional_streams = true;
      auto s = streams();
      if (!s) return std::unexpected(s.error());
      t = id();
      if (!t) return std::unexpected(t.error());
    }
    if (*t == kMainStreamsInfo) {
      auto s = streams();
      if (!s) return std::unexpected(s.error());
      h.main = std::move(*s);
      t = id();
      if (!t) return std::unexpected(t.error());
    }
    if (*t == kFilesInfo) {
      const std::uint64_t start = r_.pos() - 1;
      if (auto n = number(); !n) return std::unexpected(n.error());
      for (;;) {
        auto p = id();
        if (!p) return std::unexpected(p.error());
        if (*p == kEnd) break;
        if (auto sk = skip_data(); !sk) return std::unexpected(sk.error());
      }
      h.files_raw = Span{start, r_.pos() - start};
      t = id();
      if (!t) return std::unexpected(t.error());
    }
    if (*t != kEnd) return fail(Errc::malformed, r_.offset(), "7z header not terminated");
    return h;
  }

 private:
  core::Reader r_;
  const HeaderCaps& caps_;
};

}  // namespace

Result<SignatureHeader> parse_signature_header(ByteView file) {
  if (!file.starts_with(std::string_view("7z\xBC\xAF\x27\x1C", 6))) {
    return fail(Errc::malformed, 0, "no 7z signature");
  }
  core::Reader r(file);
  if (auto s = r.skip(6); !s) return std::unexpected(s.error());
  SignatureHeader h;
  auto major = r.u8();
  auto minor = r.u8();
  auto start_crc = r.le<std::uint32_t>();
  auto start = file.subview(12, 20);
  auto off = r.le<std::uint64_t>();
  auto size = r.le<std::uint64_t>();
  auto crc = r.le<std::uint32_t>();
  if (!major || !minor || !start_crc || !start || !off || !size || !crc) {
    return fail(Errc::truncated, 0, "7z signature header cut");
  }
  h.major = *major;
  h.minor = *minor;
  h.next_offset = *off;
  h.next_size = *size;
  h.next_crc = *crc;
  h.start_crc_ok = crc32_of(*start) == *start_crc;
  return h;
}

std::uint32_t Folder::total_in() const noexcept {
  std::uint32_t n = 0;
  for (const Coder& c : coders) n += c.num_in;
  return n;
}
std::uint32_t Folder::total_out() const noexcept {
  std::uint32_t n = 0;
  for (const Coder& c : coders) n += c.num_out;
  return n;
}
std::uint32_t Folder::first_in(std::size_t coder) const noexcept {
  std::uint32_t n = 0;
  for (std::size_t i = 0; i < coder && i < coders.size(); ++i) n += coders[i].num_in;
  return n;
}
std::uint32_t Folder::first_out(std::size_t coder) const noexcept {
  std::uint32_t n = 0;
  for (std::size_t i = 0; i < coder && i < coders.size(); ++i) n += coders[i].num_out;
  return n;
}
std::optional<std::size_t> Folder::coder_of_in(std::uint32_t in) const noexcept {
  std::uint32_t n = 0;
  for (std::size_t i = 0; i < coders.size(); ++i) {
    if (in < n + coders[i].num_in) return i;
    n += coders[i].num_in;
  }
  return std::nullopt;
}
std::optional<std::size_t> Folder::coder_of_out(std::uint32_t out) const noexcept {
  std::uint32_t n = 0;
  for (std::size_t i = 0; i < coders.size(); ++i) {
    if (out < n + coders[i].num_out) return i;
    n += coders[i].num_out;
  }
  return std::nullopt;
}
std::optional<std::uint32_t> Folder::main_out() const noexcept {
  for (std::uint32_t o = 0; o < total_out(); ++o) {
    if (std::none_of(binds.begin(), binds.end(), [o](const BindPair& b) { return b.out == o; })) return o;
  }
  return std::nullopt;
}
std::uint64_t Folder::unpack_size() const noexcept {
  const auto m = main_out();
  return m && *m < unpack_sizes.size() ? unpack_sizes[*m] : 0;
}

std::size_t StreamsInfo::first_pack_stream(std::size_t f) const noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < f && i < folders.size(); ++i) n += folders[i].packed.size();
  return n;
}

Result<Header> parse_header(ByteView bytes, const HeaderCaps& caps) {
  HeaderReader r(bytes, caps);
  return r.header();
}

bool is_aes(const Coder& c) noexcept {
  return c.id == std::vector<std::uint8_t>{0x06, 0xF1, 0x07, 0x01};
}

bool has_aes(const StreamsInfo& s) noexcept {
  for (const Folder& f : s.folders) {
    if (std::any_of(f.coders.begin(), f.coders.end(), [](const Coder& c) { return is_aes(c); })) return true;
  }
  return false;
}

void put_number(std::vector<std::uint8_t>& out, std::uint64_t v) {
  // The first byte's leading ones count the extra bytes that follow (LE).
  for (int n = 0; n < 8; ++n) {
    if (v < (std::uint64_t{1} << (7 * (n + 1)))) {
      const auto high = static_cast<std::uint8_t>(v >> (8 * n));
      const auto lead = static_cast<std::uint8_t>(0xFF00u >> n);
      out.push_back(static_cast<std::uint8_t>(lead | high));
      for (int k = 0; k < n; ++k) out.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
      return;
    }
  }
  out.push_back(0xFF);
  for (int k = 0; k < 8; ++k) out.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
}

}  // namespace sluice::formats::archive::sevenzip
