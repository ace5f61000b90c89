// Throughput of the hot paths every message goes through: hashing (three
// digests in one pass), sniffing, bounded inflate, and a whole-engine scan.
// Run: cmake --preset bench && cmake --build --preset bench && build/bench/bench/bench_engine
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <fstream>
#include <iterator>
#include <vector>

#include "core/hash.hpp"
#include "core/inflate.hpp"
#include "core/sniff.hpp"
#include "sluice/engine.hpp"

namespace {

std::vector<std::uint8_t> pseudo_text(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  std::uint32_t x = 12345;
  for (auto& b : v) {
    x = x * 1103515245 + 12345;
    b = static_cast<std::uint8_t>("etaoin shrdlu\n"[(x >> 16) % 14]);
  }
  return v;
}

std::vector<std::uint8_t> deflate_raw(const std::vector<std::uint8_t>& in) {
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::vector<std::uint8_t> out(deflateBound(&zs, in.size()));
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

void BM_Hashes(benchmark::State& state) {
  const auto data = pseudo_text(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(sluice::core::compute_hashes(sluice::ByteView(data.data(), data.size())));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Hashes)->Arg(1 << 10)->Arg(64 << 10)->Arg(16 << 20);

void BM_Sniff(benchmark::State& state) {
  const auto data = pseudo_text(1 << 20);
  for (auto _ : state) {
    benchmark::DoNotOptimize(sluice::core::sniff(sluice::ByteView(data.data(), data.size())));
  }
}
BENCHMARK(BM_Sniff);

void BM_InflateBounded(benchmark::State& state) {
  const auto plain = pseudo_text(16 << 20);
  const auto packed = deflate_raw(plain);
  sluice::Limits limits;
  sluice::core::Budget budget(limits, sluice::core::Budget::Clock::now() + std::chrono::hours(1));
  for (auto _ : state) {
    std::vector<std::uint8_t> out;
    auto r = sluice::core::inflate_bounded(sluice::ByteView(packed.data(), packed.size()), out,
                                           plain.size(), budget);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * plain.size()));
}
BENCHMARK(BM_InflateBounded);

// A whole message through the default engine: a campaign mail, and a
// plain ham one (what a gateway sees most).
void BM_ScanFixture(benchmark::State& state, const char* name) {
  std::ifstream in(std::string(SLUICE_FIXTURES_DIR) + "/" + name, std::ios::binary);
  const std::vector<std::uint8_t> msg{std::istreambuf_iterator<char>(in), {}};
  auto engine = sluice::Engine::create(*sluice::default_config());
  for (auto _ : state) {
    auto r = engine->scan(sluice::ByteView(msg.data(), msg.size()), name);
    benchmark::DoNotOptimize(r.score);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * msg.size()));
}
BENCHMARK_CAPTURE(BM_ScanFixture, aicpa, "mail/aicpa.eml");
BENCHMARK_CAPTURE(BM_ScanFixture, ham, "mail/benign.eml");

}  // namespace
