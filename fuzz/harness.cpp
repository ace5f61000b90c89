// The one fuzz harness. Built once per format with SLUICE_FUZZ_FORMAT (the
// unpacker to enable; empty for the whole engine) and SLUICE_FUZZ_ROOT_TYPE
// (the type the root is forced to, so mutated inputs keep reaching the parser
// instead of being sniffed as "unknown"). Limits are tight so a slow path shows
// up as a timeout, not as a long run.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "sluice/report.hpp"
#include "sluice/engine.hpp"

namespace {

sluice::Engine make_engine() {
  auto cfg = sluice::default_config();
  if (!cfg) std::abort();
  sluice::Limits& l = cfg->limits;
  l.max_depth = 8;
  l.max_children = 2'000;
  l.max_artifacts = 5'000;
  l.max_artifact_bytes = 16u << 20;
  l.max_total_bytes = 64u << 20;
  l.deadline_ms = 5'000;
  // Encrypted 7z/RAR: two candidates of at most 2^12 rounds, not a second of SHA-256 per input.
  l.max_password_candidates = 2;
  l.max_key_derivation_rounds = 1u << 13;
  // A page's scripts: a tenth of a second of CPU and 32 MiB, not 2 s and 256 MiB:
  // a mutated page that loops spent the default on every input (fuzz_html ran
  // 1-7 inputs a second).
  l.max_script_ms = 100;
  l.max_script_memory = 32u << 20;
  const std::string format = SLUICE_FUZZ_FORMAT;
  std::vector<std::string> formats;
  if (!format.empty()) formats.push_back(format);
  auto engine = sluice::Engine::create(std::move(*cfg), formats);
  if (!engine) std::abort();
  return std::move(*engine);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Built once per process; the library itself keeps no globals.
  static const sluice::Engine engine = make_engine();
  static const auto root_type = sluice::file_type_from_string(SLUICE_FUZZ_ROOT_TYPE);
  sluice::ScanOptions options;
  options.root_type = root_type;
  const sluice::ScanResult r = engine.scan(sluice::ByteView(data, size), "fuzz-input", options);
  // Rendering walks every node the parser produced: a dangling view or an
  // invalid name would show here.
  const std::string json = sluice::report::to_json(r, false);
  const std::string text = sluice::report::to_text(r, {});
  if (json.empty() || text.empty()) std::abort();
  return 0;
}
