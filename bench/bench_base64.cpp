// Base64 is the hot path of every attachment (issue target: >= 1 GB/s on one
// core). Input is MIME-shaped: 76-column lines with CRLF, as mail carries it.
#include <benchmark/benchmark.h>

#include <vector>

#include "codecs/text/decode.hpp"

namespace {

std::vector<std::uint8_t> mime_base64(std::size_t raw_bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<std::uint8_t> out;
  std::uint32_t x = 7;
  std::size_t col = 0;
  for (std::size_t i = 0; i < raw_bytes / 3 * 4; ++i) {
    x = x * 1664525 + 1013904223;
    out.push_back(static_cast<std::uint8_t>(kAlphabet[(x >> 24) & 63]));
    if (++col == 76) {
      out.push_back('\r');
      out.push_back('\n');
      col = 0;
    }
  }
  return out;
}

void BM_Base64Decode(benchmark::State& state) {
  const auto in = mime_base64(static_cast<std::size_t>(state.range(0)));
  std::vector<std::uint8_t> out;
  out.reserve(in.size());
  for (auto _ : state) {
    out.clear();
    sluice::codecs::text::DecodeStats stats;
    sluice::codecs::text::decode_base64(sluice::ByteView(in.data(), in.size()), out, UINT64_MAX, stats);
    benchmark::DoNotOptimize(out.data());
  }
  // Bytes of encoded input consumed per second: what a gateway sees.
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * in.size()));
}
BENCHMARK(BM_Base64Decode)->Arg(1 << 20)->Arg(16 << 20);

}  // namespace
