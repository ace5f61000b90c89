#include "codecs/icon/dib.hpp"

#include <array>

#include "core/checked.hpp"
#include "core/fixed.hpp"
#include "core/reader.hpp"
#include "codecs/icon/layout.hpp"

namespace sluice::codecs::icon {
namespace {

using core::load_le;

struct Header {
  std::uint32_t size = 0;
  std::uint32_t width = 0;
  std::uint32_t height = 0;  // of the icon: half the header's value
  bool top_down = false;
  std::uint16_t bpp = 0;
  std::uint32_t compression = 0;
  std::uint32_t colours = 0;  // palette entries present
  std::uint32_t clr_used = 0;
};

Result<Header> read_header(ByteView b, std::uint32_t max_side) {
  Header h;
  const auto size = load_le<std::uint32_t>(b, 0);
  if (!size) return fail(Errc::truncated, 0, "BITMAPINFOHEADER is cut short");
  if (*size < kBitmapInfoHeaderSize || *size > kBitmapV5HeaderSize) {
    return fail(Errc::malformed, 0, "BITMAPINFOHEADER size " + std::to_string(*size) + " is not 40..124");
  }
  if (!b.contains(0, *size)) return fail(Errc::truncated, 0, "BITMAPINFOHEADER is cut short");
  h.size = *size;
  // value_or: in bounds, the header's *size >= 40 bytes were checked above.
  const auto width = static_cast<std::int32_t>(load_le<std::uint32_t>(b, 4).value_or(0));
  const auto height = static_cast<std::int32_t>(load_le<std::uint32_t>(b, 8).value_or(0));
  h.bpp = load_le<std::uint16_t>(b, 14).value_or(0);
  h.compression = load_le<std::uint32_t>(b, 16).value_or(0);
  const std::uint32_t clr_used = load_le<std::uint32_t>(b, 32).value_or(0);
  // INT32_MIN has no positive counterpart; widen before negating.
  const std::int64_t w = width;
  const std::int64_t hh = height < 0 ? -static_cast<std::int64_t>(height) : height;
  h.top_down = height < 0;
  if (w <= 0 || hh < 2) return fail(Errc::malformed, 4, "icon bitmap has no pixels (width or height <= 0)");
  if (w > max_side || hh / 2 > max_side) {
    return fail(Errc::limit, 4,
                "icon bitmap claims " + std::to_string(w) + "x" + std::to_string(hh / 2) +
                    " pixels, over the " + std::to_string(max_side) + " px cap");
  }
  h.width = static_cast<std::uint32_t>(w);
  h.height = static_cast<std::uint32_t>(hh / 2);
  switch (h.bpp) {
    case 1: case 4: case 8: case 24:
      if (h.compression != kBiRgb) return fail(Errc::unsupported, 16, "compressed palette/24-bpp icon bitmap");
      break;
    case 16: case 32:
      if (h.compression != kBiRgb && h.compression != kBiBitfields) {
        return fail(Errc::unsupported, 16, "icon bitmap compression " + std::to_string(h.compression));
      }
      break;
    default:
      return fail(Errc::malformed, 14, "icon bitmap bit count " + std::to_string(h.bpp));
  }
  h.clr_used = clr_used;
  if (h.bpp <= 8) {
    const std::uint32_t full = 1u << h.bpp;
    h.colours = (clr_used == 0 || clr_used > full) ? full : clr_used;
  }
  return h;
}

// Channel masks for BI_BITFIELDS (after a 40-byte header, or inside V4/V5).
struct Masks {
  std::uint32_t r = 0, g = 0, b = 0;
};

std::uint8_t channel(std::uint32_t px, std::uint32_t mask) {
  if (mask == 0) return 0;
  const int shift = __builtin_ctz(mask);
  const std::uint64_t max = static_cast<std::uint64_t>(mask) >> shift;
  const std::uint64_t v = (static_cast<std::uint64_t>(px) & mask) >> shift;
  return static_cast<std::uint8_t>((v * 255 + max / 2) / max);
}

}  // namespace

Result<Parsed<Decoded>> decode_dib(ByteView bytes, const core::Budget& budget) {
  Parsed<Decoded> parsed;
  auto hdr = read_header(bytes, budget.limits().icon.max_side);
  if (!hdr && hdr.error().code == Errc::limit) {
    parsed.anomalies.push_back({"icon.oversized", Severity::medium, hdr.error().offset, hdr.error().what});
    return parsed;
  }
  if (!hdr) return std::unexpected(hdr.error());
  const Header& h = *hdr;
  Decoded& out = parsed.model;
  std::vector<Anomaly>& problems = parsed.anomalies;

  std::uint64_t pos = h.size;
  Masks masks{0xFF0000, 0xFF00, 0xFF};
  if (h.bpp == 16) masks = {0x7C00, 0x3E0, 0x1F};
  if (h.compression == kBiBitfields) {
    // A 40-byte header is followed by three DWORD masks; V4/V5 carry them inside.
    const std::uint64_t at = h.size == kBitmapInfoHeaderSize ? h.size : 40;
    // value_or(0): masks cut off by the end read 0, a channel drawn black in
    // an icon whose pixel rows, after them, are missing and reported too.
    masks.r = load_le<std::uint32_t>(bytes, at).value_or(0);
    masks.g = load_le<std::uint32_t>(bytes, at + 4).value_or(0);
    masks.b = load_le<std::uint32_t>(bytes, at + 8).value_or(0);
    if (h.size == kBitmapInfoHeaderSize) pos += 12;
  }
  std::array<std::array<std::uint8_t, 3>, 256> palette{};
  for (std::uint32_t i = 0; i < h.colours; ++i) {
    const auto entry = core::Fixed<4>::at(bytes, pos + 4ull * i);
    if (!entry) {
      problems.push_back({"icon.malformed", Severity::low, pos, "icon palette is cut short"});
      break;
    }
    palette[i] = {entry->u8<2>(), entry->u8<1>(), entry->u8<0>()};  // RGBQUAD is B, G, R, 0
  }
  pos += 4ull * h.colours;
  // Above 8 bpp a non-zero biClrUsed announces an optional "optimisation"
  // palette before the pixels: skipped (a huge count just leaves no rows).
  if (h.bpp > 8) pos += 4ull * h.clr_used;

  // Both sides are capped, so these products cannot overflow 64 bits.
  const std::uint64_t stride = (static_cast<std::uint64_t>(h.width) * h.bpp + 31) / 32 * 4;
  const std::uint64_t mask_stride = (static_cast<std::uint64_t>(h.width) + 31) / 32 * 4;
  const std::uint64_t pixels = static_cast<std::uint64_t>(h.width) * h.height * 4;
  if (pixels > budget.decode_allowance(bytes.size()).bytes) {
    return fail(Errc::limit, 4, "icon bitmap needs " + std::to_string(pixels) + " bytes of pixels, over the budget");
  }
  out.image.width = h.width;
  out.image.height = h.height;
  out.image.rgba.assign(pixels, 0);
  out.bytes_used = pixels;

  const ByteView xor_bits = bytes.tail(pos);
  const ByteView and_bits = bytes.tail(pos + stride * h.height);
  const std::uint64_t xor_rows = xor_bits.size() / stride;
  if (xor_rows < h.height) {
    problems.push_back({"icon.malformed", Severity::low, pos,
                            "icon bitmap holds " + std::to_string(xor_rows) + " of " +
                                std::to_string(h.height) + " pixel rows"});
  }
  const bool has_mask = and_bits.size() / mask_stride >= h.height;
  bool any_alpha = false;
  for (std::uint32_t row = 0; row < h.height && row < xor_rows; ++row) {
    const std::uint32_t y = h.top_down ? row : h.height - 1 - row;
    const std::uint8_t* src = xor_bits.data() + stride * row;  // row < xor_rows: in bounds
    std::uint8_t* dst = out.image.rgba.data() + static_cast<std::uint64_t>(y) * h.width * 4;
    for (std::uint32_t x = 0; x < h.width; ++x, dst += 4) {
      std::uint8_t r = 0, g = 0, b = 0, a = 0xFF;
      if (h.bpp <= 8) {
        const std::uint64_t bit = static_cast<std::uint64_t>(x) * h.bpp;
        const std::uint8_t byte = src[bit / 8];
        const std::uint32_t idx = (byte >> (8 - h.bpp - bit % 8)) & ((1u << h.bpp) - 1);
        // An index past the palette draws black, as GDI does.
        if (idx < h.colours) {
          r = palette[idx][0];
          g = palette[idx][1];
          b = palette[idx][2];
        }
      } else if (h.bpp == 24) {
        b = src[3ull * x];
        g = src[3ull * x + 1];
        r = src[3ull * x + 2];
      } else {
        std::uint32_t px = 0;
        if (h.bpp == 16) {
          px = static_cast<std::uint32_t>(src[2ull * x]) | (static_cast<std::uint32_t>(src[2ull * x + 1]) << 8);
        } else {
          px = static_cast<std::uint32_t>(src[4ull * x]) | (static_cast<std::uint32_t>(src[4ull * x + 1]) << 8) |
               (static_cast<std::uint32_t>(src[4ull * x + 2]) << 16) |
               (static_cast<std::uint32_t>(src[4ull * x + 3]) << 24);
          a = static_cast<std::uint8_t>(px >> 24);
          if (a != 0) any_alpha = true;
        }
        r = channel(px, masks.r);
        g = channel(px, masks.g);
        b = channel(px, masks.b);
      }
      dst[0] = r;
      dst[1] = g;
      dst[2] = b;
      dst[3] = a;
    }
  }
  // Windows uses a 32-bpp image's alpha channel when any alpha is set, and the
  // AND mask otherwise (old icons carry 0 in the fourth byte).
  const bool use_mask = !(h.bpp == 32 && any_alpha);
  if (use_mask && has_mask) {
    for (std::uint32_t row = 0; row < h.height; ++row) {
      const std::uint32_t y = h.top_down ? row : h.height - 1 - row;
      const std::uint8_t* m = and_bits.data() + mask_stride * row;
      std::uint8_t* dst = out.image.rgba.data() + static_cast<std::uint64_t>(y) * h.width * 4;
      for (std::uint32_t x = 0; x < h.width; ++x) {
        const bool transparent = (m[x / 8] >> (7 - x % 8)) & 1;
        dst[4ull * x + 3] = transparent ? 0 : 0xFF;
      }
    }
  } else if (use_mask) {
    for (std::uint64_t i = 3; i < out.image.rgba.size(); i += 4) {
      if (out.image.rgba[i] == 0 && h.bpp == 32) out.image.rgba[i] = 0xFF;  // opaque without a mask
    }
    if (xor_rows >= h.height) {
      problems.push_back({"icon.malformed", Severity::low, pos + stride * h.height, "icon bitmap has no AND mask"});
    }
  }
  // Rows a truncated bitmap lacks stay transparent (alpha 0), whatever the mask.
  for (std::uint32_t row = static_cast<std::uint32_t>(xor_rows < h.height ? xor_rows : h.height);
       row < h.height; ++row) {
    const std::uint32_t y = h.top_down ? row : h.height - 1 - row;
    std::uint8_t* dst = out.image.rgba.data() + static_cast<std::uint64_t>(y) * h.width * 4;
    for (std::uint32_t x = 0; x < h.width; ++x) dst[4ull * x + 3] = 0;
  }
  return parsed;
}

}  // namespace sluice::codecs::icon
