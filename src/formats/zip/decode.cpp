#include "formats/zip/decode.hpp"

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdlib>
#include <optional>
#include <span>

#include "core/reader.hpp"
#include "formats/zip/inflate64.hpp"
#include "formats/zip/layout.hpp"

namespace sluice::formats::zip {
namespace {

constexpr std::size_t kChunk = 256 * 1024;

// The output room for one round of a streaming decoder: at most one chunk,
// never past the cap. Nothing when the cap is reached or (every 16 rounds)
// the deadline has passed; `d.end` then says which.
struct Room {
  std::uint8_t* at;
  std::size_t size;
};
std::optional<Room> next_room(Decoded& d, std::uint64_t cap, const core::Budget& budget, unsigned& rounds) {
  if (d.bytes.size() >= cap) {
    d.end = core::InflateEnd::capped;
    return std::nullopt;
  }
  if ((++rounds & 15) == 0 && budget.expired()) {
    d.end = core::InflateEnd::deadline;
    return std::nullopt;
  }
  const std::size_t before = d.bytes.size();
  const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, cap - before));
  d.bytes.resize(before + want);
  return Room{d.bytes.data() + before, want};
}

Decoded bzip2(ByteView in, std::uint64_t cap, const core::Budget& budget) {
  Decoded d;
  bz_stream bz{};
  if (BZ2_bzDecompressInit(&bz, 0, 0) != BZ_OK) {
    d.end = core::InflateEnd::corrupt;
    return d;
  }
  std::uint64_t fed = 0;
  unsigned rounds = 0;
  for (;;) {
    const auto room = next_room(d, cap, budget, rounds);
    if (!room) break;
    const std::size_t before = d.bytes.size() - room->size;
    const std::size_t want = room->size;
    if (bz.avail_in == 0 && fed < in.size()) {
      const ByteView part = in.clamp(fed, UINT_MAX / 2);
      bz.next_in = const_cast<char*>(reinterpret_cast<const char*>(part.data()));  // C API
      bz.avail_in = static_cast<unsigned>(part.size());
      fed += part.size();
    }
    bz.next_out = reinterpret_cast<char*>(room->at);
    bz.avail_out = static_cast<unsigned>(want);
    const unsigned in_before = bz.avail_in;
    const int rc = BZ2_bzDecompress(&bz);
    const std::size_t got = want - bz.avail_out;
    d.bytes.resize(before + got);
    if (rc == BZ_STREAM_END) break;
    if (rc != BZ_OK) {
      d.end = core::InflateEnd::corrupt;
      break;
    }
    if (got == 0 && bz.avail_in == in_before) {
      d.end = (bz.avail_in == 0 && fed >= in.size()) ? core::InflateEnd::truncated
                                                     : core::InflateEnd::corrupt;
      break;
    }
  }
  d.consumed = fed - bz.avail_in;
  BZ2_bzDecompressEnd(&bz);
  return d;
}

// liblzma for both .xz streams (method 95) and ZIP's raw LZMA (method 14).
Decoded run_lzma(lzma_stream& s, ByteView in, std::uint64_t cap, const core::Budget& budget) {
  Decoded d;
  s.next_in = in.data();
  s.avail_in = in.size();
  unsigned rounds = 0;
  for (;;) {
    const auto room = next_room(d, cap, budget, rounds);
    if (!room) break;
    const std::size_t before = d.bytes.size() - room->size;
    const std::size_t want = room->size;
    s.next_out = room->at;
    s.avail_out = want;
    const std::size_t in_before = s.avail_in;
    const lzma_ret rc = lzma_code(&s, s.avail_in == 0 ? LZMA_FINISH : LZMA_RUN);
    const std::size_t got = want - s.avail_out;
    d.bytes.resize(before + got);
    if (rc == LZMA_STREAM_END) break;
    if (rc == LZMA_BUF_ERROR || (rc == LZMA_OK && got == 0 && s.avail_in == in_before)) {
      d.end = core::InflateEnd::truncated;
      break;
    }
    if (rc != LZMA_OK) {
      d.end = core::InflateEnd::corrupt;
      break;
    }
  }
  d.consumed = in.size() - s.avail_in;
  lzma_end(&s);
  return d;
}

Decoded xz(ByteView in, std::uint64_t cap, const core::Budget& budget) {
  lzma_stream s = LZMA_STREAM_INIT;
  // The memory limit bounds the dictionary an attacker can make us allocate.
  if (lzma_stream_decoder(&s, 256u << 20, 0) != LZMA_OK) return {{}, core::InflateEnd::corrupt, 0, true};
  return run_lzma(s, in, cap, budget);
}

// APPNOTE 5.8.8: 2-byte LZMA SDK version, 2-byte properties size, the
// properties (5 bytes for LZMA1), then a raw LZMA stream (EOS marker optional).
Decoded zip_lzma(ByteView in, std::uint64_t cap, const core::Budget& budget) {
  auto props_size = core::load_le<std::uint16_t>(in, 2);
  if (!props_size || *props_size != 5 || !in.contains(4, 5)) {
    return {{}, core::InflateEnd::corrupt, 0, true};
  }
  lzma_filter filters[2]{};
  filters[0].id = LZMA_FILTER_LZMA1;
  filters[1].id = LZMA_VLI_UNKNOWN;
  const ByteView props = in.clamp(4, 5);
  if (lzma_properties_decode(&filters[0], nullptr, props.data(), props.size()) != LZMA_OK) {
    return {{}, core::InflateEnd::corrupt, 0, true};
  }
  auto* opts = static_cast<lzma_options_lzma*>(filters[0].options);
  if (opts != nullptr && opts->dict_size > (256u << 20)) opts->dict_size = 256u << 20;
  lzma_stream s = LZMA_STREAM_INIT;
  const lzma_ret rc = lzma_raw_decoder(&s, filters);
  std::free(filters[0].options);  // allocated by liblzma with malloc
  if (rc != LZMA_OK) return {{}, core::InflateEnd::corrupt, 0, true};
  Decoded d = run_lzma(s, in.tail(9), cap, budget);
  d.consumed += 9;
  // Without an end marker the stream simply runs out of input: that is how
  // most writers end it (bit 1 of the flags says so), not damage.
  if (d.end == core::InflateEnd::truncated) d.end = core::InflateEnd::complete;
  return d;
}

Decoded zstd(ByteView in, std::uint64_t cap, const core::Budget& budget) {
  Decoded d;
  ZSTD_DStream* z = ZSTD_createDStream();
  if (z == nullptr) return {{}, core::InflateEnd::corrupt, 0, true};
  // 2^27 bytes of window at most: a frame may not make us allocate more.
  ZSTD_DCtx_setParameter(z, ZSTD_d_windowLogMax, 27);
  ZSTD_inBuffer ib{in.data(), in.size(), 0};
  unsigned rounds = 0;
  bool frame_done = false;
  for (;;) {
    const auto room = next_room(d, cap, budget, rounds);
    if (!room) break;
    const std::size_t before = d.bytes.size() - room->size;
    ZSTD_outBuffer ob{room->at, room->size, 0};
    const std::size_t in_before = ib.pos;
    const std::size_t rc = ZSTD_decompressStream(z, &ob, &ib);
    d.bytes.resize(before + ob.pos);
    if (ZSTD_isError(rc)) {
      d.end = core::InflateEnd::corrupt;
      break;
    }
    frame_done = rc == 0;
    if (frame_done && ib.pos >= ib.size) break;
    if (ob.pos == 0 && ib.pos == in_before) {
      d.end = frame_done ? core::InflateEnd::complete : core::InflateEnd::truncated;
      break;
    }
  }
  d.consumed = ib.pos;
  ZSTD_freeDStream(z);
  return d;
}

// The output in one allocation when the header's size is plausible: deflate
// expands at most 1032:1, so a larger claim is a lie and gets no more than
// that (a buffer kept at a lie's capacity would hold address space for nothing).
void reserve_declared(std::vector<std::uint8_t>& out, std::uint64_t declared, std::uint64_t cap, ByteView input) {
  constexpr std::uint64_t kDeflateMaxRatio = 1032;
  if (declared == 0) return;
  const std::uint64_t plausible = input.size() > UINT64_MAX / kDeflateMaxRatio ? UINT64_MAX
                                                                               : input.size() * kDeflateMaxRatio;
  out.reserve(static_cast<std::size_t>(std::min({declared, cap, plausible})));
}

void release_unused(std::vector<std::uint8_t>& out) {
  if (out.capacity() > 2 * out.size() + (1u << 20)) out.shrink_to_fit();
}

}  // namespace

std::optional<std::uint64_t> deflate_length(ByteView input, std::uint64_t max_output,
                                            const core::Budget& budget, std::uint64_t& work) {
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) return std::nullopt;
  std::array<std::uint8_t, 64 * 1024> scratch{};
  std::uint64_t fed = 0;
  std::uint64_t produced = 0;
  std::optional<std::uint64_t> out;
  for (unsigned rounds = 1;; ++rounds) {
    if (produced > max_output || ((rounds & 63) == 0 && budget.expired())) break;
    if (zs.avail_in == 0 && fed < input.size()) {
      const ByteView part = input.clamp(fed, UINT_MAX / 2);
      zs.next_in = const_cast<Bytef*>(part.data());  // zlib's API is not const-correct
      zs.avail_in = static_cast<uInt>(part.size());
      fed += part.size();
    }
    zs.next_out = scratch.data();
    zs.avail_out = static_cast<uInt>(scratch.size());
    const uInt in_before = zs.avail_in;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    const std::uint64_t got = scratch.size() - zs.avail_out;
    produced += got;
    if (rc == Z_STREAM_END) {
      out = fed - zs.avail_in;
      break;
    }
    if (rc != Z_OK || (got == 0 && zs.avail_in == in_before)) break;
  }
  work += produced + (fed - zs.avail_in);
  inflateEnd(&zs);
  return out;
}

bool method_supported(std::uint16_t method) noexcept {
  switch (method) {
    case kMethodStored:
    case kMethodDeflate:
    case kMethodDeflate64:
    case kMethodBzip2:
    case kMethodLzma:
    case kMethodXz:
    case kMethodZstd:
    case kMethodZstdOld:
      return true;
    default:
      return false;
  }
}

Decoded decode(std::uint16_t method, ByteView input, std::uint64_t cap, const core::Budget& budget,
               std::uint64_t declared) {
  switch (method) {
    case kMethodStored: {
      Decoded d;
      const ByteView part = input.clamp(0, cap);
      const std::span<const std::uint8_t> span(part.data(), part.size());
      d.bytes.assign(span.begin(), span.end());
      d.consumed = part.size();
      if (part.size() < input.size()) d.end = core::InflateEnd::capped;
      return d;
    }
    case kMethodDeflate: {
      Decoded d;
      reserve_declared(d.bytes, declared, cap, input);
      const core::InflateResult r = core::inflate_bounded(input, d.bytes, cap, budget, -15);
      release_unused(d.bytes);
      d.end = r.end;
      d.consumed = r.consumed;
      return d;
    }
    case kMethodDeflate64: {
      Decoded d;
      const core::InflateResult r = inflate64_bounded(input, d.bytes, cap, budget);
      d.end = r.end;
      d.consumed = r.consumed;
      return d;
    }
    case kMethodBzip2: return bzip2(input, cap, budget);
    case kMethodLzma: return zip_lzma(input, cap, budget);
    case kMethodXz: return xz(input, cap, budget);
    case kMethodZstd:
    case kMethodZstdOld: return zstd(input, cap, budget);
    default: {
      Decoded d;
      d.supported = false;
      return d;
    }
  }
}

}  // namespace sluice::formats::zip
