#include "formats/archive/sevenzip_decode.hpp"

#include <lzma.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <span>

namespace sluice::formats::archive::sevenzip {
namespace {

bool id_is(const Coder& c, std::initializer_list<std::uint8_t> id) {
  return std::equal(c.id.begin(), c.id.end(), id.begin(), id.end());
}

}  // namespace

Method method_of(const Coder& c) noexcept {
  if (id_is(c, {0x00})) return Method::copy;
  if (id_is(c, {0x03, 0x01, 0x01})) return Method::lzma;
  if (id_is(c, {0x21})) return Method::lzma2;
  if (is_aes(c)) return Method::aes;
  return Method::other;
}

std::uint32_t crc32_of(ByteView b) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  std::uint64_t done = 0;
  while (done < b.size()) {
    const ByteView part = b.clamp(done, 1u << 30);
    crc = ::crc32(crc, part.data(), static_cast<uInt>(part.size()));
    done += part.size();
  }
  return static_cast<std::uint32_t>(crc);
}

Result<std::vector<std::uint8_t>> decode_coder(const Coder& c, ByteView in, std::uint64_t want) {
  const Method m = method_of(c);
  if (m == Method::copy) {
    if (in.size() < want) return fail(Errc::truncated, 0, "7z copy stream shorter than declared");
    const std::span<const std::uint8_t> s(in.data(), static_cast<std::size_t>(want));
    return std::vector<std::uint8_t>(s.begin(), s.end());
  }
  if (m != Method::lzma && m != Method::lzma2) return fail(Errc::unsupported, 0, "7z coder not decoded here");
  lzma_filter filters[2]{};
  filters[0].id = m == Method::lzma ? LZMA_FILTER_LZMA1 : LZMA_FILTER_LZMA2;
  filters[1].id = LZMA_VLI_UNKNOWN;
  if (lzma_properties_decode(&filters[0], nullptr, c.props.data(), c.props.size()) != LZMA_OK) {
    return fail(Errc::malformed, 0, "7z LZMA properties invalid");
  }
  auto* opts = static_cast<lzma_options_lzma*>(filters[0].options);
  const std::uint64_t dict_cap = std::max<std::uint64_t>(want, LZMA_DICT_SIZE_MIN);
  if (opts->dict_size > dict_cap) opts->dict_size = static_cast<std::uint32_t>(dict_cap);
  lzma_stream strm = LZMA_STREAM_INIT;
  const lzma_ret init = lzma_raw_decoder(&strm, filters);
  std::free(filters[0].options);
  if (init != LZMA_OK) return fail(Errc::malformed, 0, "7z LZMA decoder refused the properties");
  std::vector<std::uint8_t> out(static_cast<std::size_t>(want));
  strm.next_in = in.data();
  strm.avail_in = in.size();
  strm.next_out = out.data();
  strm.avail_out = out.size();
  lzma_ret rc = LZMA_OK;
  while (strm.avail_out > 0) {
    rc = lzma_code(&strm, LZMA_FINISH);
    if (rc != LZMA_OK) break;
  }
  const std::uint64_t got = out.size() - strm.avail_out;
  lzma_end(&strm);
  if (got < want) {
    return fail(rc == LZMA_STREAM_END || rc == LZMA_BUF_ERROR ? Errc::truncated : Errc::malformed, 0,
                "7z LZMA stream invalid or shorter than declared");
  }
  return out;
}

Result<std::vector<std::uint8_t>> decode_chain(const Folder& f, std::span<const ByteView> packs,
                                               const KeyFor& key_for, std::uint64_t max_out) {
  // From the final coder back to the pack stream: each has one input, bound
  // to the next coder's output, until one is a pack stream.
  auto out = f.main_out();
  if (!out || f.packed.size() != 1 || packs.size() != 1) {
    return fail(Errc::unsupported, 0, "7z folder is not a single chain");
  }
  std::vector<std::size_t> chain;
  std::uint32_t cur_out = *out;
  for (;;) {
    auto c = f.coder_of_out(cur_out);
    if (!c || f.coders[*c].num_in != 1 || chain.size() > f.coders.size()) {
      return fail(Errc::unsupported, 0, "7z folder is not a single chain");
    }
    chain.push_back(*c);
    const std::uint32_t in = f.first_in(*c);
    if (f.packed[0] == in) break;
    auto b = std::find_if(f.binds.begin(), f.binds.end(), [in](const BindPair& p) { return p.in == in; });
    if (b == f.binds.end()) return fail(Errc::malformed, 0, "7z coder input bound to nothing");
    cur_out = b->out;
  }
  std::vector<std::uint8_t> data;
  ByteView cur = packs[0];
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const Coder& c = f.coders[*it];
    const std::uint64_t size = f.unpack_sizes[f.first_out(*it)];
    if (size > max_out) return fail(Errc::limit, 0, "7z folder larger than allowed");
    if (method_of(c) == Method::aes) {
      auto props = parse_aes_props(ByteView(c.props.data(), c.props.size()));
      if (!props) return std::unexpected(props.error());
      auto key = key_for(*props);
      if (!key) return fail(Errc::limit, 0, "no key for the 7z AES coder");
      std::vector<std::uint8_t> plain = aes_cbc_decrypt(*key, props->iv, cur);
      if (plain.size() < size) return fail(Errc::truncated, 0, "7z AES stream shorter than declared");
      plain.resize(static_cast<std::size_t>(size));
      data = std::move(plain);
    } else {
      auto d = decode_coder(c, cur, size);
      if (!d) return std::unexpected(d.error());
      data = std::move(*d);
    }
    cur = ByteView(data.data(), data.size());
  }
  return data;
}

}  // namespace sluice::formats::archive::sevenzip
