#include "formats/zip/inflate64.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstddef>

namespace sluice::formats::zip {
namespace {

constexpr int kMaxBits = 15;
constexpr int kMaxLitCodes = 288;   // 286 used; the fixed code defines 288
constexpr int kMaxDistCodes = 32;   // Deflate64 uses all 32

// Deflate64's tables: RFC 1951's, except length symbol 285 (3 + 16 extra
// bits) and distance symbols 30 and 31.
constexpr std::array<std::uint16_t, 29> kLengthBase = {3,  4,  5,  6,  7,  8,  9,  10, 11, 13,
                                                        15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                                                        67, 83, 99, 115, 131, 163, 195, 227, 3};
constexpr std::array<std::uint8_t, 29> kLengthExtra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                       2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 16};
constexpr std::array<std::uint16_t, 32> kDistBase = {
    1,    2,    3,    4,    5,    7,     9,     13,    17,    25,    33,    49,    65,    97,    129,   193,
    257,  385,  513,  769,  1025, 1537,  2049,  3073,  4097,  6145,  8193,  12289, 16385, 24577, 32769, 49153};
constexpr std::array<std::uint8_t, 32> kDistExtra = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,  6,
                                                     7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14};
constexpr std::array<std::uint8_t, 19> kCodeLengthOrder = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                           11, 4,  12, 3, 13, 2, 14, 1, 15};

enum class Stop { none, truncated, corrupt, capped, deadline };

// LSB-first bit reader over the member's bytes; running out is a state, not
// an out-of-bounds read.
class Bits {
 public:
  explicit Bits(ByteView in) noexcept : in_(in) {}

  // Up to 16 bits; false when the input ends first.
  bool take(int n, std::uint32_t& v) noexcept {
    while (count_ < n) {
      std::uint8_t b = 0;
      if (!in_.byte_at(pos_, b)) return false;
      ++pos_;
      acc_ |= static_cast<std::uint32_t>(b) << count_;
      count_ += 8;
    }
    v = acc_ & ((1u << n) - 1u);
    acc_ >>= n;
    count_ -= n;
    return true;
  }
  void align() noexcept {
    acc_ = 0;
    count_ = 0;
  }
  // Bytes consumed, counting a partly used byte as used.
  [[nodiscard]] std::uint64_t consumed() const noexcept { return pos_ - static_cast<std::uint64_t>(count_ / 8); }
  [[nodiscard]] std::uint64_t byte_pos() const noexcept { return pos_; }
  void skip_bytes(std::uint64_t n) noexcept { pos_ += n; }
  [[nodiscard]] ByteView input() const noexcept { return in_; }

 private:
  ByteView in_;
  std::uint64_t pos_ = 0;
  std::uint32_t acc_ = 0;
  int count_ = 0;
};

// A canonical Huffman code as counts per length and symbols in code order.
struct Huffman {
  std::array<std::uint16_t, kMaxBits + 1> count{};
  std::array<std::uint16_t, kMaxLitCodes> symbol{};
};

// Returns the number of unused codes (0 = complete), or -1 when the lengths
// over-subscribe the code space (an invalid stream).
int build(Huffman& h, const std::uint8_t* lengths, int n) noexcept {
  h.count.fill(0);
  for (int i = 0; i < n; ++i) ++h.count[lengths[i]];
  if (h.count[0] == n) return 0;
  int left = 1;
  for (int len = 1; len <= kMaxBits; ++len) {
    left <<= 1;
    left -= h.count[len];
    if (left < 0) return -1;
  }
  std::array<std::uint16_t, kMaxBits + 1> offs{};
  for (int len = 1; len < kMaxBits; ++len) offs[len + 1] = offs[len] + h.count[len];
  for (int i = 0; i < n; ++i) {
    if (lengths[i] != 0) h.symbol[offs[lengths[i]]++] = static_cast<std::uint16_t>(i);
  }
  return left;
}

// One symbol, a bit at a time in canonical order (codes are sent MSB first).
int decode(Bits& bits, const Huffman& h, Stop& stop) noexcept {
  int code = 0, first = 0, index = 0;
  for (int len = 1; len <= kMaxBits; ++len) {
    std::uint32_t bit = 0;
    if (!bits.take(1, bit)) {
      stop = Stop::truncated;
      return -1;
    }
    code |= static_cast<int>(bit);
    const int count = h.count[len];
    if (code - count < first) return h.symbol[index + (code - first)];
    index += count;
    first += count;
    first <<= 1;
    code <<= 1;
  }
  stop = Stop::corrupt;
  return -1;
}

class Inflater {
 public:
  Inflater(ByteView in, std::vector<std::uint8_t>& out, std::uint64_t cap, const core::Budget& budget)
      : bits_(in), out_(out), start_(out.size()), cap_(cap), budget_(budget) {}

  Stop run() {
    for (;;) {
      std::uint32_t last = 0, type = 0;
      if (!bits_.take(1, last) || !bits_.take(2, type)) return Stop::truncated;
      Stop s = Stop::none;
      switch (type) {
        case 0: s = stored(); break;
        case 1: s = fixed(); break;
        case 2: s = dynamic(); break;
        default: return Stop::corrupt;
      }
      if (s != Stop::none) return s;
      if (last != 0) return Stop::none;
    }
  }
  [[nodiscard]] std::uint64_t consumed() const noexcept { return bits_.consumed(); }

 private:
  [[nodiscard]] std::uint64_t written() const noexcept { return out_.size() - start_; }

  Stop stored() {
    bits_.align();
    std::uint8_t b[4];
    for (int i = 0; i < 4; ++i) {
      if (!bits_.input().byte_at(bits_.byte_pos() + i, b[i])) return Stop::truncated;
    }
    bits_.skip_bytes(4);
    const unsigned len = b[0] | (b[1] << 8);
    const unsigned nlen = b[2] | (b[3] << 8);
    if (len != (~nlen & 0xffffu)) return Stop::corrupt;
    const ByteView data = bits_.input().clamp(bits_.byte_pos(), len);
    const std::uint64_t room = cap_ - written();
    const std::size_t take = data.size() < room ? data.size() : static_cast<std::size_t>(room);
    out_.insert(out_.end(), data.data(), data.data() + take);
    bits_.skip_bytes(take);
    if (take < len) return take < data.size() || written() >= cap_ ? Stop::capped : Stop::truncated;
    return Stop::none;
  }

  Stop fixed() {
    std::array<std::uint8_t, kMaxLitCodes + kMaxDistCodes> lengths{};
    for (int i = 0; i < 144; ++i) lengths[i] = 8;
    for (int i = 144; i < 256; ++i) lengths[i] = 9;
    for (int i = 256; i < 280; ++i) lengths[i] = 7;
    for (int i = 280; i < kMaxLitCodes; ++i) lengths[i] = 8;
    for (int i = 0; i < kMaxDistCodes; ++i) lengths[kMaxLitCodes + i] = 5;
    build(lit_, lengths.data(), kMaxLitCodes);
    build(dist_, lengths.data() + kMaxLitCodes, kMaxDistCodes);
    return codes();
  }

  Stop dynamic() {
    std::uint32_t hlit = 0, hdist = 0, hclen = 0;
    if (!bits_.take(5, hlit) || !bits_.take(5, hdist) || !bits_.take(4, hclen)) return Stop::truncated;
    const int nlen = static_cast<int>(hlit) + 257;
    const int ndist = static_cast<int>(hdist) + 1;
    const int ncode = static_cast<int>(hclen) + 4;
    if (nlen > 286) return Stop::corrupt;
    std::array<std::uint8_t, kMaxLitCodes + kMaxDistCodes> lengths{};
    for (int i = 0; i < ncode; ++i) {
      std::uint32_t v = 0;
      if (!bits_.take(3, v)) return Stop::truncated;
      lengths[kCodeLengthOrder[i]] = static_cast<std::uint8_t>(v);
    }
    Huffman lencode;
    if (build(lencode, lengths.data(), 19) != 0) return Stop::corrupt;  // must be complete
    lengths.fill(0);
    for (int i = 0; i < nlen + ndist;) {
      Stop s = Stop::none;
      const int sym = decode(bits_, lencode, s);
      if (sym < 0) return s;
      if (sym < 16) {
        lengths[i++] = static_cast<std::uint8_t>(sym);
        continue;
      }
      std::uint8_t value = 0;
      std::uint32_t repeat = 0;
      if (sym == 16) {
        if (i == 0) return Stop::corrupt;  // nothing to repeat
        value = lengths[i - 1];
        if (!bits_.take(2, repeat)) return Stop::truncated;
        repeat += 3;
      } else if (sym == 17) {
        if (!bits_.take(3, repeat)) return Stop::truncated;
        repeat += 3;
      } else {
        if (!bits_.take(7, repeat)) return Stop::truncated;
        repeat += 11;
      }
      if (i + static_cast<int>(repeat) > nlen + ndist) return Stop::corrupt;
      while (repeat-- > 0) lengths[i++] = value;
    }
    if (lengths[256] == 0) return Stop::corrupt;  // no end-of-block code
    // As zlib and puff: an incomplete code is only allowed when it has a
    // single symbol (one literal, or one distance).
    int err = build(lit_, lengths.data(), nlen);
    if (err < 0 || (err > 0 && nlen - lit_.count[0] != 1)) return Stop::corrupt;
    std::array<std::uint8_t, kMaxDistCodes> dl{};
    for (int i = 0; i < ndist; ++i) dl[i] = lengths[nlen + i];
    err = build(dist_, dl.data(), ndist);
    if (err < 0 || (err > 0 && ndist - dist_.count[0] != 1)) return Stop::corrupt;
    return codes();
  }

  Stop codes() {
    for (unsigned rounds = 1;; ++rounds) {
      if ((rounds & 0xffff) == 0 && budget_.expired()) return Stop::deadline;
      Stop s = Stop::none;
      const int sym = decode(bits_, lit_, s);
      if (sym < 0) return s;
      if (sym < 256) {
        if (written() >= cap_) return Stop::capped;
        out_.push_back(static_cast<std::uint8_t>(sym));
        continue;
      }
      if (sym == 256) return Stop::none;
      const int li = sym - 257;
      if (li >= static_cast<int>(kLengthBase.size())) return Stop::corrupt;
      std::uint32_t extra = 0;
      if (!bits_.take(kLengthExtra[li], extra)) return Stop::truncated;
      const std::uint64_t length = kLengthBase[li] + extra;
      const int di = decode(bits_, dist_, s);
      if (di < 0) return s;
      if (di >= kMaxDistCodes) return Stop::corrupt;
      if (!bits_.take(kDistExtra[di], extra)) return Stop::truncated;
      const std::uint64_t distance = kDistBase[di] + extra;
      if (distance > written()) return Stop::corrupt;  // before the stream's start
      // Byte by byte: a copy may overlap what it produces (distance < length).
      const std::uint64_t room = cap_ - written();
      const std::uint64_t n = length < room ? length : room;
      std::size_t from = out_.size() - static_cast<std::size_t>(distance);
      for (std::uint64_t k = 0; k < n; ++k) out_.push_back(out_[from++]);
      if (n < length) return Stop::capped;
    }
  }

  Bits bits_;
  std::vector<std::uint8_t>& out_;
  std::size_t start_;
  std::uint64_t cap_;
  const core::Budget& budget_;
  Huffman lit_;
  Huffman dist_;
};

core::InflateEnd to_end(Stop s) noexcept {
  switch (s) {
    case Stop::none: return core::InflateEnd::complete;
    case Stop::truncated: return core::InflateEnd::truncated;
    case Stop::corrupt: return core::InflateEnd::corrupt;
    case Stop::capped: return core::InflateEnd::capped;
    case Stop::deadline: return core::InflateEnd::deadline;
  }
  return core::InflateEnd::corrupt;
}

}  // namespace

core::InflateResult inflate64_bounded(ByteView input, std::vector<std::uint8_t>& out, std::uint64_t cap,
                                      const core::Budget& budget) {
  const std::size_t before = out.size();
  Inflater inflater(input, out, cap, budget);
  const Stop stop = inflater.run();
  core::InflateResult r;
  r.end = to_end(stop);
  r.consumed = inflater.consumed();
  r.produced = out.size() - before;
  // The CRC is computed in pieces of at most UINT_MAX bytes (zlib's uInt).
  std::uint32_t crc = 0;
  for (std::size_t off = before; off < out.size();) {
    const std::size_t n = std::min<std::size_t>(out.size() - off, UINT_MAX / 2);
    crc = static_cast<std::uint32_t>(::crc32(crc, out.data() + off, static_cast<uInt>(n)));
    off += n;
  }
  r.crc32 = crc;
  return r;
}

}  // namespace sluice::formats::zip
