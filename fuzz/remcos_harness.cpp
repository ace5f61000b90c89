// fuzz_remcos: bytes straight into the Remcos extractor, without a PE around
// them, so mutations reach the decryptor and the field parser at once. The
// input is used three ways: as a SETTINGS resource (decrypt, then parse), as a
// plaintext configuration (parse only: RC4 would otherwise hide the separator
// grammar from the fuzzer), and as the PE bytes the known strings are sought in.
#include <cstdint>
#include <cstdlib>

#include "families/remcos.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fam = sluice::families;
  sluice::Limits limits;
  limits.max_artifact_bytes = 16u << 20;
  limits.max_children = 2'000;
  fam::LimitsBudget budget(limits);
  const sluice::ByteView input(data, size);

  const fam::ResourceView settings{"RCDATA", "SETTINGS", 1033, 0, input};
  const fam::PeSubject pe{input, {&settings, 1}};
  const fam::FamilyResult r = fam::remcos::examine(pe, limits, budget);
  if (r.config && r.config->c2.empty()) std::abort();  // a config is only believed with a C2

  if (auto cfg = fam::remcos::parse_config(input, limits)) {
    for (const fam::C2Endpoint& c : cfg->c2) {
      if (c.host.empty() || c.port == 0) std::abort();
    }
    if (cfg->c2.size() > limits.max_children) std::abort();
  }
  return 0;
}
