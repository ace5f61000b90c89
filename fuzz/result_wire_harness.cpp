// fuzz_result_wire: bytes straight into the decoder of the record a sandboxed
// scan worker sends back (src/isolation/result_wire, ADR 0011). The worker ran
// attacker-driven code, so whatever it sends must decode to a consistent result
// or be refused; a decoded result must render.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "isolation/result_wire.hpp"
#include "sluice/report.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sluice::Limits limits;
  limits.max_artifacts = 2'000;
  limits.max_virtual_bytes = 1ull << 30;  // sparse disks in a record reserve no more
  // The parent's copy of the input: 16 bytes, as in the seeds.
  static const std::uint8_t input[] = "From: a@b.c\n\nhi\n";
  std::vector<std::uint8_t> record(data, data + size);
  auto r = sluice::isolation::decode_result(std::move(record), sluice::ByteView(input, 16), limits);
  if (!r) return 0;
  for (const sluice::Artifact& a : r->tree) {
    if (a.id != 0 && a.parent >= a.id) std::abort();
  }
  (void)sluice::report::to_json(*r, false);
  (void)sluice::report::to_text(*r, {});
  return 0;
}
