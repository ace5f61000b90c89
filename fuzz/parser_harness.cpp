// The one direct-parser harness: bytes straight into a format's `parse`
// (the contract in src/core/parsed.hpp), below the engine, so a mutation is
// never lost to sniffing, dedup or a limit the engine hits first. Built once
// per parser by sluice_parser_fuzzer() in fuzz/CMakeLists.txt with
// SLUICE_FUZZ_PARSER_HEADER (the model header) and SLUICE_FUZZ_PARSE (the
// qualified function). Either shape of the contract is accepted: with the
// Limits, or with a Budget for the tree walkers that watch the deadline.
#include <cstdint>
#include <cstdlib>
#include <type_traits>

#include "core/budget.hpp"
#include "core/parsed.hpp"
#include "sluice/limits.hpp"
#include SLUICE_FUZZ_PARSER_HEADER

namespace {

// Tight, like fuzz/harness.cpp: a slow path shows up as a timeout.
sluice::Limits fuzz_limits() {
  sluice::Limits l;
  l.max_children = 2'000;
  l.max_artifacts = 5'000;
  l.max_artifact_bytes = 16u << 20;
  l.max_total_bytes = 64u << 20;
  l.deadline_ms = 5'000;
  return l;
}

// A generic lambda rather than a function pointer: a parser's name may also
// name helpers with other parameters.
constexpr auto kParse = [](const auto&... args) -> decltype(SLUICE_FUZZ_PARSE(args...)) {
  return SLUICE_FUZZ_PARSE(args...);
};

template <class Parsed>
void check(const Parsed& parsed) {
  // Every anomaly names a documented finding: an empty ID would reach the
  // report as a finding nobody can look up.
  for (const sluice::Anomaly& a : parsed.anomalies) {
    if (a.id.empty()) std::abort();
  }
}

// A template, so the branch for the other shape is discarded, not compiled.
template <class Parse>
void parse_and_check(const Parse& parse, sluice::ByteView bytes, const sluice::Limits& limits) {
  if constexpr (std::is_invocable_v<const Parse&, sluice::ByteView, const sluice::Limits&>) {
    if (auto parsed = parse(bytes, limits)) check(*parsed);
  } else {
    const sluice::core::Budget budget(limits, sluice::core::Budget::Clock::now());
    if (auto parsed = parse(bytes, budget)) check(*parsed);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const sluice::Limits limits = fuzz_limits();
  parse_and_check(kParse, sluice::ByteView(data, size), limits);
  return 0;
}
