#include "core/inflate.hpp"

#include <zlib.h>

#include <algorithm>
#include <climits>

namespace sluice::core {

InflateResult inflate_bounded(ByteView input, std::vector<std::uint8_t>& out, std::uint64_t cap,
                              const Budget& budget, int window_bits) {
  constexpr std::size_t kChunk = 256 * 1024;
  InflateResult res;
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) {
    res.end = InflateEnd::corrupt;
    return res;
  }
  const std::size_t start = out.size();
  std::uint64_t fed = 0;
  std::uint32_t crc = static_cast<std::uint32_t>(::crc32(0L, Z_NULL, 0));
  unsigned rounds = 0;
  for (;;) {
    if (out.size() - start >= cap) {
      res.end = InflateEnd::capped;
      break;
    }
    if ((++rounds & 15) == 0 && budget.expired()) {
      res.end = InflateEnd::deadline;
      break;
    }
    if (zs.avail_in == 0 && fed < input.size()) {
      const auto n = static_cast<uInt>(std::min<std::uint64_t>(input.size() - fed, UINT_MAX / 2));
      zs.next_in = const_cast<Bytef*>(input.data() + fed);  // zlib's API is not const-correct
      zs.avail_in = n;
      fed += n;
    }
    // Grow geometrically but never past the cap, so a bomb cannot make the
    // vector reserve double what it may hold.
    const std::uint64_t room = cap - (out.size() - start);
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, room));
    if (out.capacity() - out.size() < want) {
      const std::uint64_t target =
          std::min<std::uint64_t>(std::max<std::uint64_t>(out.capacity() * 2, out.size() + want),
                                  start + cap);
      out.reserve(static_cast<std::size_t>(target));
    }
    const std::size_t before = out.size();
    out.resize(before + want);
    zs.next_out = out.data() + before;
    zs.avail_out = static_cast<uInt>(want);
    const uInt avail_before = zs.avail_in;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    const std::size_t got = want - zs.avail_out;
    out.resize(before + got);
    crc = static_cast<std::uint32_t>(::crc32(crc, out.data() + before, static_cast<uInt>(got)));
    if (rc == Z_STREAM_END) {
      res.end = InflateEnd::complete;
      break;
    }
    if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_MEM_ERROR || rc == Z_STREAM_ERROR) {
      res.end = InflateEnd::corrupt;
      break;
    }
    if (got == 0 && zs.avail_in == avail_before) {
      // No progress is possible: either the input is spent before the final
      // block, or zlib is stuck on bytes it will not accept.
      res.end = (zs.avail_in == 0 && fed >= input.size()) ? InflateEnd::truncated
                                                          : InflateEnd::corrupt;
      break;
    }
  }
  res.consumed = fed - zs.avail_in;
  res.produced = out.size() - start;
  res.crc32 = crc;
  inflateEnd(&zs);
  return res;
}

}  // namespace sluice::core
