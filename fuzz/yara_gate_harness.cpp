// fuzz_yara_gate: rule text straight into the reader that decides whether
// every rule needs one of its strings (src/analysis/yara/string_gate.cpp).
// Rule files are the operator's, but the reader must still end on any bytes:
// no crash, no hang, and "true" only for text it read to the end.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "analysis/yara/string_gate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const bool gated = sluice::analysis::yara::every_rule_needs_a_string(text);
  // A source with a second copy of itself appended reads the same.
  if (size < 4096) {
    std::string twice(text);
    twice += '\n';
    twice += text;
    if (gated && !sluice::analysis::yara::every_rule_needs_a_string(twice)) std::abort();
  }
  return 0;
}
