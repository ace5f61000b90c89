#include "codecs/icon/png.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <optional>
#include <span>

#include "core/checked.hpp"
#include "core/fixed.hpp"
#include "core/inflate.hpp"
#include "core/reader.hpp"
#include "codecs/icon/layout.hpp"

namespace sluice::codecs::icon {
namespace {

// Trailing inflated bytes past the last scanline that are still a writer's
// sloppiness rather than a claim about the image (libpng only warns).
constexpr std::uint64_t kSloppyTrailingBytes = 4096;


struct Header {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint8_t depth = 0;
  std::uint8_t colour = 0;
  bool interlaced = false;
  std::uint32_t channels = 0;
};

struct Pass {
  std::uint32_t x0, y0, dx, dy;
};
// PNG 1.2 §8.2: the seven Adam7 passes; a plain image is the one pass {0,0,1,1}.
constexpr std::array<Pass, 7> kAdam7{{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4},
                                      {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}};
constexpr std::array<Pass, 1> kPlain{{{0, 0, 1, 1}}};

std::uint32_t channels_of(std::uint8_t colour) {
  switch (colour) {
    case 0: return 1;
    case 2: return 3;
    case 3: return 1;
    case 4: return 2;
    case 6: return 4;
    default: return 0;
  }
}

bool depth_allowed(std::uint8_t colour, std::uint8_t depth) {
  switch (colour) {
    case 0: return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
    case 3: return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    case 2: case 4: case 6: return depth == 8 || depth == 16;
    default: return false;
  }
}

std::uint64_t pass_size(std::uint32_t n, std::uint32_t start, std::uint32_t step) {
  return n > start ? (static_cast<std::uint64_t>(n) - start + step - 1) / step : 0;
}

std::uint8_t paeth(std::uint8_t a, std::uint8_t b, std::uint8_t c) {
  const int p = static_cast<int>(a) + b - c;
  const int pa = p > a ? p - a : a - p;
  const int pb = p > b ? p - b : b - p;
  const int pc = p > c ? p - c : c - p;
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

// One sample of `depth` bits at sample index `i` of an unfiltered row.
std::uint32_t sample(const std::uint8_t* row, std::uint64_t i, std::uint8_t depth) {
  if (depth == 8) return row[i];
  if (depth == 16) return (static_cast<std::uint32_t>(row[2 * i]) << 8) | row[2 * i + 1];
  const std::uint64_t bit = i * depth;
  return (row[bit / 8] >> (8 - depth - bit % 8)) & ((1u << depth) - 1);
}

std::uint8_t to8(std::uint32_t v, std::uint8_t depth) {
  if (depth == 8) return static_cast<std::uint8_t>(v);
  if (depth == 16) return static_cast<std::uint8_t>(v >> 8);
  return static_cast<std::uint8_t>(v * 255 / ((1u << depth) - 1));
}

// What the chunks before IEND said: the header, the palette with its alpha,
// a colour key, and the IDAT stream joined.
struct Chunks {
  Header h;
  std::array<std::array<std::uint8_t, 4>, 256> palette{};
  std::uint32_t palette_size = 0;
  std::optional<std::array<std::uint16_t, 3>> colour_key;  // tRNS for types 0 and 2
  std::vector<std::uint8_t> idat;
  bool ended = false;
};

// IHDR (PNG 1.2 §11.2.2): width, height, depth, colour type, compression,
// filter and interlace methods.
Result<Header> read_header(const core::Fixed<13>& data, std::uint64_t at, std::uint32_t max_side) {
  Header h;
  h.width = data.be32<0>();
  h.height = data.be32<4>();
  h.depth = data.u8<8>();
  h.colour = data.u8<9>();
  h.interlaced = data.u8<12>() == 1;
  if (h.width == 0 || h.height == 0) return fail(Errc::malformed, at, "PNG has no pixels");
  if (h.width > max_side || h.height > max_side) {
    return fail(Errc::limit, at + 8,
                "PNG claims " + std::to_string(h.width) + "x" + std::to_string(h.height) +
                    " pixels, over the " + std::to_string(max_side) + " px cap");
  }
  if (!depth_allowed(h.colour, h.depth) || data.u8<10>() != 0 || data.u8<11>() != 0 || data.u8<12>() > 1) {
    return fail(Errc::malformed, at + 8, "PNG header has an invalid type/depth/method combination");
  }
  h.channels = channels_of(h.colour);
  return h;
}

// tRNS (§11.3.2.1): alpha per palette entry, or one colour that is transparent.
void read_transparency(ByteView data, Chunks& c) {
  if (c.h.colour == 3) {
    std::uint8_t alpha = 0;
    for (std::uint64_t i = 0; i < 256 && data.byte_at(i, alpha); ++i) c.palette[i][3] = alpha;
  } else if (const auto grey = core::Fixed<2>::at(data); c.h.colour == 0 && grey) {
    const std::uint16_t g = grey->be16<0>();
    c.colour_key = std::array<std::uint16_t, 3>{g, g, g};
  } else if (const auto rgb = core::Fixed<6>::at(data); c.h.colour == 2 && rgb) {
    c.colour_key = std::array<std::uint16_t, 3>{rgb->be16<0>(), rgb->be16<2>(), rgb->be16<4>()};
  }
}

Result<Chunks> read_chunks(ByteView bytes, std::uint32_t max_side, std::vector<Anomaly>& problems) {
  Chunks c;
  core::Reader r(bytes);
  (void)r.skip(kPngSignature.size());
  bool have_header = false;
  bool crc_reported = false;
  // Every chunk consumes at least 12 bytes, so this loop ends with the input.
  while (!r.at_end() && !c.ended) {
    const std::uint64_t at = r.offset();
    auto len = r.be<std::uint32_t>();
    auto type = r.bytes(4);
    if (!len || !type) {
      problems.push_back({"icon.malformed", Severity::low, at, "PNG chunk header is cut short"});
      break;
    }
    auto data = r.bytes(*len);
    auto crc = r.be<std::uint32_t>();
    if (!data || !crc) {
      problems.push_back({"icon.malformed", Severity::low, at, "PNG chunk of " + std::to_string(*len) + " bytes is cut short"});
      if (!data) break;
    }
    if (crc) {
      std::uint32_t want = static_cast<std::uint32_t>(::crc32(0L, type->data(), 4));
      // crc32(crc, Z_NULL, 0) resets to 0 in zlib, so an empty chunk (IEND) skips the call.
      if (!data->empty()) {
        want = static_cast<std::uint32_t>(::crc32(want, data->data(), static_cast<uInt>(data->size())));
      }
      if (want != *crc && !crc_reported) {
        crc_reported = true;  // once per image: a tool that got one wrong got them all wrong
        problems.push_back({"icon.png_crc_mismatch", Severity::low, at,
                            "PNG chunk " + std::string(type->chars()) + " has a bad CRC"});
      }
    }
    const std::string_view t = type->chars();
    if (!have_header) {
      const auto ihdr = core::Fixed<13>::at(*data);
      if (t != "IHDR" || !ihdr) return fail(Errc::malformed, at, "PNG does not start with IHDR");
      auto h = read_header(*ihdr, at, max_side);
      if (!h) return std::unexpected(h.error());
      c.h = *h;
      have_header = true;
    } else if (t == "PLTE") {
      c.palette_size = static_cast<std::uint32_t>(std::min<std::uint64_t>(data->size() / 3, 256));
      for (std::uint32_t i = 0; i < c.palette_size; ++i) {
        const auto rgb = core::Fixed<3>::at(*data, 3ull * i);  // palette_size entries fit
        if (!rgb) break;
        c.palette[i] = {rgb->u8<0>(), rgb->u8<1>(), rgb->u8<2>(), 0xFF};
      }
    } else if (t == "tRNS") {
      read_transparency(*data, c);
    } else if (t == "IDAT") {
      // Bounded by the input: IDAT data are views into it, copied once.
      c.idat.insert(c.idat.end(), data->data(), data->data() + data->size());
    } else if (t == "IEND") {
      c.ended = true;
    }
  }
  if (!have_header) return fail(Errc::truncated, kPngSignature.size(), "PNG has no IHDR");
  if (c.h.colour == 3 && c.palette_size == 0) return fail(Errc::malformed, 0, "palette PNG without PLTE");
  return c;
}

std::uint64_t bits_per_pixel(const Header& h) { return static_cast<std::uint64_t>(h.channels) * h.depth; }

std::span<const Pass> passes_of(const Header& h) {
  return h.interlaced ? std::span<const Pass>(kAdam7) : std::span<const Pass>(kPlain);
}

// Raw (filtered) size: one filter byte plus the packed samples per row, per pass.
std::uint64_t raw_size_of(const Header& h) {
  std::uint64_t raw_size = 0;
  for (const Pass& p : passes_of(h)) {
    const std::uint64_t pw = pass_size(h.width, p.x0, p.dx);
    const std::uint64_t ph = pass_size(h.height, p.y0, p.dy);
    if (pw == 0 || ph == 0) continue;
    raw_size += ph * (1 + (pw * bits_per_pixel(h) + 7) / 8);  // sides <= max_side: no overflow
  }
  return raw_size;
}

// The scanlines, exactly raw_size bytes: what inflates beyond is cut (and a lie
// when far beyond), what is missing decodes as zeros.
std::vector<std::uint8_t> inflate_scanlines(const Chunks& c, std::uint64_t raw_size, const core::Budget& budget,
                                            std::vector<Anomaly>& problems) {
  std::vector<std::uint8_t> raw;
  // A little past what the image needs tells a sloppy writer's trailing bytes
  // from image data far beyond the declared size (a zlib bomb's lie).
  const std::uint64_t slack = kSloppyTrailingBytes;
  const core::InflateResult z =
      core::inflate_bounded(ByteView(c.idat.data(), c.idat.size()), raw, raw_size + slack + 1, budget, 15);
  if (raw.size() > raw_size + slack) {
    problems.push_back({"icon.png_size_lie", Severity::low, 0,
                        "PNG image data inflates past " + std::to_string(raw_size + slack) +
                            " bytes although its dimensions need " + std::to_string(raw_size) +
                            ": decoding stopped there"});
    raw.resize(raw_size);
  } else if (raw.size() > raw_size) {
    problems.push_back({"icon.malformed", Severity::low, 0, "PNG image data holds more than its dimensions need"});
    raw.resize(raw_size);
  } else if (raw.size() < raw_size) {
    problems.push_back({"icon.malformed", Severity::low, 0,
                        "PNG image data ends after " + std::to_string(raw.size()) + " of " +
                            std::to_string(raw_size) + " bytes" +
                            (z.end == core::InflateEnd::corrupt ? " (corrupt deflate stream)" : "")});
    raw.resize(raw_size, 0);  // missing scanlines decode as filter 0, zeros: transparent or black
  }
  return raw;
}

// Undoes one row's filter (§9) in place against the previous row of its pass.
// False for an unknown filter type, which is decoded as filter 0.
bool unfilter(std::uint8_t filter, std::uint8_t* cur, const std::vector<std::uint8_t>& prev,
              std::uint64_t row_bytes, std::uint64_t bpp) {
  if (filter > 4) return false;
  for (std::uint64_t i = 0; i < row_bytes; ++i) {
    const std::uint8_t a = i >= bpp ? cur[i - bpp] : 0;
    const std::uint8_t b = prev[i];
    const std::uint8_t c = i >= bpp ? prev[i - bpp] : 0;
    switch (filter) {
      case 1: cur[i] = static_cast<std::uint8_t>(cur[i] + a); break;
      case 2: cur[i] = static_cast<std::uint8_t>(cur[i] + b); break;
      case 3: cur[i] = static_cast<std::uint8_t>(cur[i] + ((a + b) >> 1)); break;
      case 4: cur[i] = static_cast<std::uint8_t>(cur[i] + paeth(a, b, c)); break;
      default: break;
    }
  }
  return true;
}

// Sample `s` of an unfiltered row as one RGBA pixel.
void put_pixel(const Chunks& c, const std::uint8_t* row, std::uint64_t s, std::uint8_t* dst) {
  const Header& h = c.h;
  switch (h.colour) {
    case 0: {
      const std::uint32_t v = sample(row, s, h.depth);
      dst[0] = dst[1] = dst[2] = to8(v, h.depth);
      dst[3] = (c.colour_key && (*c.colour_key)[0] == v) ? 0 : 0xFF;
      break;
    }
    case 2: {
      const std::uint32_t rv = sample(row, s, h.depth), gv = sample(row, s + 1, h.depth),
                          bv = sample(row, s + 2, h.depth);
      dst[0] = to8(rv, h.depth);
      dst[1] = to8(gv, h.depth);
      dst[2] = to8(bv, h.depth);
      const auto& key = c.colour_key;
      dst[3] = (key && (*key)[0] == rv && (*key)[1] == gv && (*key)[2] == bv) ? 0 : 0xFF;
      break;
    }
    case 3: {
      const std::uint32_t idx = sample(row, s, h.depth);
      // An index past PLTE is an error to libpng; drawn as transparent here.
      if (idx < c.palette_size) std::copy(c.palette[idx].begin(), c.palette[idx].end(), dst);
      break;
    }
    case 4:
      dst[0] = dst[1] = dst[2] = to8(sample(row, s, h.depth), h.depth);
      dst[3] = to8(sample(row, s + 1, h.depth), h.depth);
      break;
    default:  // 6
      for (int k = 0; k < 4; ++k) dst[k] = to8(sample(row, s + k, h.depth), h.depth);
      break;
  }
}

// Every pass's rows unfiltered and drawn into `image`. Returns false when a row
// had an unknown filter type.
bool draw(const Chunks& c, std::vector<std::uint8_t>& raw, Image& image) {
  const Header& h = c.h;
  const std::uint64_t bits_pp = bits_per_pixel(h);
  const std::uint64_t bpp = (bits_pp + 7) / 8;  // filter distance in bytes
  std::uint64_t pos = 0;
  bool filters_ok = true;
  std::vector<std::uint8_t> prev;
  for (const Pass& p : passes_of(h)) {
    const std::uint64_t pw = pass_size(h.width, p.x0, p.dx);
    const std::uint64_t ph = pass_size(h.height, p.y0, p.dy);
    if (pw == 0 || ph == 0) continue;
    const std::uint64_t row_bytes = (pw * bits_pp + 7) / 8;
    prev.assign(row_bytes, 0);
    for (std::uint64_t py = 0; py < ph; ++py) {
      // raw_size counted exactly these rows, so pos + 1 + row_bytes <= raw.size().
      const std::uint8_t filter = raw[pos];
      std::uint8_t* cur = raw.data() + pos + 1;
      pos += 1 + row_bytes;
      filters_ok = unfilter(filter, cur, prev, row_bytes, bpp) && filters_ok;
      std::copy(cur, cur + row_bytes, prev.begin());
      const std::uint64_t y = p.y0 + py * p.dy;
      for (std::uint64_t px = 0; px < pw; ++px) {
        const std::uint64_t x = p.x0 + px * p.dx;
        put_pixel(c, cur, px * h.channels, image.rgba.data() + (y * h.width + x) * 4);
      }
    }
  }
  return filters_ok;
}

}  // namespace

Result<Parsed<Decoded>> decode_png(ByteView bytes, const core::Budget& budget) {
  if (!bytes.starts_with(kPngSignature)) return fail(Errc::malformed, 0, "no PNG signature");
  Parsed<Decoded> parsed;
  Decoded& out = parsed.model;
  std::vector<Anomaly>& problems = parsed.anomalies;
  auto chunks = read_chunks(bytes, budget.limits().icon.max_side, problems);
  if (!chunks && chunks.error().code == Errc::limit) {
    problems.push_back({"icon.oversized", Severity::medium, chunks.error().offset, chunks.error().what});
    return parsed;
  }
  if (!chunks) return std::unexpected(chunks.error());
  const Header& h = chunks->h;
  const std::uint64_t raw_size = raw_size_of(h);
  const std::uint64_t pixels = static_cast<std::uint64_t>(h.width) * h.height * 4;
  if (raw_size + pixels > budget.decode_allowance(bytes.size()).bytes) {
    return fail(Errc::limit, 0, "PNG needs " + std::to_string(raw_size + pixels) + " bytes decoded, over the budget");
  }
  std::vector<std::uint8_t> raw = inflate_scanlines(*chunks, raw_size, budget, problems);
  out.image.width = h.width;
  out.image.height = h.height;
  out.image.rgba.assign(pixels, 0);
  out.bytes_used = raw_size + pixels;
  if (!draw(*chunks, raw, out.image)) {
    problems.push_back({"icon.malformed", Severity::low, 0, "PNG scanline with an unknown filter type"});
  }
  if (!chunks->ended) problems.push_back({"icon.malformed", Severity::low, bytes.size(), "PNG ends without IEND"});
  return parsed;
}

}  // namespace sluice::codecs::icon
