#include "codecs/icon/hash.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <vector>

namespace sluice::codecs::icon {
namespace {

// round(4096 * cos((2x + 1) * u * pi / 64)) for u < 8, x < 32: the DCT-II basis
// rows pHash keeps, fixed here so no libm enters the hash.
constexpr std::array<std::array<std::int32_t, 32>, 8> kCos{{
    {4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096},
    {4091, 4052, 3973, 3857, 3703, 3513, 3290, 3035, 2751, 2440, 2106, 1751, 1380, 995, 601, 201, -201, -601, -995, -1380, -1751, -2106, -2440, -2751, -3035, -3290, -3513, -3703, -3857, -3973, -4052, -4091},
    {4076, 3920, 3612, 3166, 2598, 1931, 1189, 401, -401, -1189, -1931, -2598, -3166, -3612, -3920, -4076, -4076, -3920, -3612, -3166, -2598, -1931, -1189, -401, 401, 1189, 1931, 2598, 3166, 3612, 3920, 4076},
    {4052, 3703, 3035, 2106, 995, -201, -1380, -2440, -3290, -3857, -4091, -3973, -3513, -2751, -1751, -601, 601, 1751, 2751, 3513, 3973, 4091, 3857, 3290, 2440, 1380, 201, -995, -2106, -3035, -3703, -4052},
    {4017, 3406, 2276, 799, -799, -2276, -3406, -4017, -4017, -3406, -2276, -799, 799, 2276, 3406, 4017, 4017, 3406, 2276, 799, -799, -2276, -3406, -4017, -4017, -3406, -2276, -799, 799, 2276, 3406, 4017},
    {3973, 3035, 1380, -601, -2440, -3703, -4091, -3513, -2106, -201, 1751, 3290, 4052, 3857, 2751, 995, -995, -2751, -3857, -4052, -3290, -1751, 201, 2106, 3513, 4091, 3703, 2440, 601, -1380, -3035, -3973},
    {3920, 2598, 401, -1931, -3612, -4076, -3166, -1189, 1189, 3166, 4076, 3612, 1931, -401, -2598, -3920, -3920, -2598, -401, 1931, 3612, 4076, 3166, 1189, -1189, -3166, -4076, -3612, -1931, 401, 2598, 3920},
    {3857, 2106, -601, -3035, -4091, -3290, -995, 1751, 3703, 3973, 2440, -201, -2751, -4052, -3513, -1380, 1380, 3513, 4052, 2751, 201, -2440, -3973, -3703, -1751, 995, 3290, 4091, 3035, 601, -2106, -3857},
}};

// Exact area average of a w x h plane down to W x H: output cell i covers
// source [i*w/W, (i+1)*w/W); scaled by W the bounds are integers, so every
// weight is an exact overlap length and the result is the same everywhere.
std::vector<std::uint8_t> area_average(const std::vector<std::uint8_t>& src, std::uint32_t w, std::uint32_t h,
                                       std::uint32_t W, std::uint32_t H) {
  std::vector<std::uint64_t> tmp(static_cast<std::size_t>(W) * h, 0);
  for (std::uint32_t i = 0; i < W; ++i) {
    const std::uint64_t lo = static_cast<std::uint64_t>(i) * w, hi = lo + w;
    for (std::uint64_t x = lo / W; x < w && x * W < hi; ++x) {
      const std::uint64_t overlap = std::min(hi, (x + 1) * W) - std::max(lo, x * W);
      for (std::uint32_t y = 0; y < h; ++y) tmp[static_cast<std::size_t>(y) * W + i] += overlap * src[y * static_cast<std::size_t>(w) + x];
    }
  }
  std::vector<std::uint8_t> out(static_cast<std::size_t>(W) * H, 0);
  const std::uint64_t total = static_cast<std::uint64_t>(w) * h;
  for (std::uint32_t j = 0; j < H; ++j) {
    const std::uint64_t lo = static_cast<std::uint64_t>(j) * h, hi = lo + h;
    for (std::uint32_t i = 0; i < W; ++i) {
      std::uint64_t sum = 0;
      for (std::uint64_t y = lo / H; y < h && y * H < hi; ++y) {
        const std::uint64_t overlap = std::min(hi, (y + 1) * H) - std::max(lo, y * H);
        sum += overlap * tmp[static_cast<std::size_t>(y) * W + i];
      }
      out[static_cast<std::size_t>(j) * W + i] = static_cast<std::uint8_t>((sum + total / 2) / total);
    }
  }
  return out;
}

std::uint8_t over_white(std::uint8_t c, std::uint8_t a) {
  return static_cast<std::uint8_t>((static_cast<std::uint32_t>(c) * a + 255u * (255u - a) + 127) / 255);
}

std::uint64_t phash_of(const std::vector<std::uint8_t>& g32) {
  std::array<std::array<std::int64_t, 32>, 8> t{};  // t[u][y]: rows transformed
  for (std::size_t u = 0; u < 8; ++u) {
    for (std::size_t y = 0; y < 32; ++y) {
      std::int64_t s = 0;
      for (std::size_t x = 0; x < 32; ++x) s += static_cast<std::int64_t>(kCos[u][x]) * g32[y * 32 + x];
      t[u][y] = s;
    }
  }
  std::array<std::int64_t, 64> d{};
  for (std::size_t u = 0; u < 8; ++u) {
    for (std::size_t v = 0; v < 8; ++v) {
      std::int64_t s = 0;
      for (std::size_t y = 0; y < 32; ++y) s += static_cast<std::int64_t>(kCos[v][y]) * t[u][y];
      d[v * 8 + u] = s;
    }
  }
  // The DC term is the mean brightness, not the shape: left out of the median
  // and its bit, so a darker render of one design hashes alike.
  std::array<std::int64_t, 63> ac{};
  std::copy(d.begin() + 1, d.end(), ac.begin());
  std::nth_element(ac.begin(), ac.begin() + 31, ac.end());
  const std::int64_t median = ac[31];
  std::uint64_t bits = 0;
  for (std::size_t i = 1; i < 64; ++i) {
    if (d[i] > median) bits |= std::uint64_t{1} << i;
  }
  return bits;
}

std::uint64_t dhash_of(const std::vector<std::uint8_t>& g98) {
  std::uint64_t bits = 0;
  for (std::size_t y = 0; y < 8; ++y) {
    for (std::size_t x = 0; x < 8; ++x) {
      if (g98[y * 9 + x] > g98[y * 9 + x + 1]) bits |= std::uint64_t{1} << (y * 8 + x);
    }
  }
  return bits;
}

// The hue most coloured pixels share, in twelve 30-degree bins: PDF icons are
// red, spreadsheets green, folders yellow or blue. Grey icons get 0.
std::uint8_t hue_of(const std::vector<std::uint8_t>& r, const std::vector<std::uint8_t>& g,
                    const std::vector<std::uint8_t>& b) {
  std::array<std::uint32_t, 12> bins{};
  std::uint32_t coloured = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    const int R = r[i], G = g[i], B = b[i];
    const int mx = std::max({R, G, B}), mn = std::min({R, G, B}), c = mx - mn;
    if (c < 64) continue;
    int hue = 0;
    if (mx == R) {
      hue = (60 * (G - B) / c + 360) % 360;
    } else if (mx == G) {
      hue = 120 + 60 * (B - R) / c;
    } else {
      hue = 240 + 60 * (R - G) / c;
    }
    ++bins[static_cast<std::size_t>(hue / 30) % 12];
    ++coloured;
  }
  if (coloured * 20 < r.size()) return 0;  // under 5% coloured: a grey icon
  const auto top = std::max_element(bins.begin(), bins.end());
  return static_cast<std::uint8_t>(1 + (top - bins.begin()));
}

}  // namespace

IconHash hash_image(const Image& image) {
  const std::size_t n = static_cast<std::size_t>(image.width) * image.height;
  if (n == 0 || image.rgba.size() < n * 4) return {};
  std::vector<std::uint8_t> r(n), g(n), b(n), gray(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t a = image.rgba[i * 4 + 3];
    r[i] = over_white(image.rgba[i * 4], a);
    g[i] = over_white(image.rgba[i * 4 + 1], a);
    b[i] = over_white(image.rgba[i * 4 + 2], a);
    // ITU-R BT.601 luma in 8-bit fixed point (77 + 150 + 29 = 256).
    gray[i] = static_cast<std::uint8_t>((77u * r[i] + 150u * g[i] + 29u * b[i] + 128) >> 8);
  }
  IconHash out;
  out.phash = phash_of(area_average(gray, image.width, image.height, 32, 32));
  out.dhash = dhash_of(area_average(gray, image.width, image.height, 9, 8));
  out.hue = hue_of(area_average(r, image.width, image.height, 32, 32),
                   area_average(g, image.width, image.height, 32, 32),
                   area_average(b, image.width, image.height, 32, 32));
  return out;
}

int hamming(std::uint64_t a, std::uint64_t b) noexcept { return std::popcount(a ^ b); }

int distance(const IconHash& a, const IconHash& b) noexcept {
  return hamming(a.phash, b.phash) + hamming(a.dhash, b.dhash) + kHuePenalty * (a.hue != b.hue ? 1 : 0);
}

}  // namespace sluice::codecs::icon
