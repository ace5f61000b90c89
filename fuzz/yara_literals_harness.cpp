// fuzz_yara_literals: rule text and data, with libyara as the oracle for the
// literal prefilter (src/analysis/yara/required_literals.cpp,
// literal_prefilter.cpp; docs/adr/0040). The input is a rule source, then a
// line "----", then the bytes to scan (without that line, the source scans
// itself). Wherever libyara confirms a match of any string, the prefilter
// must have said "maybe": a "no" there would have hidden a rule's match.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "analysis/yara/literal_prefilter.hpp"
#include "analysis/yara/rules.hpp"

// Last: libyara's module header defines a macro named parent().
#include <yara.h>

namespace {

int any_string(YR_SCAN_CONTEXT* context, int message, void*, void* user) {
  if (message == CALLBACK_MSG_SCAN_FINISHED) {
    for (std::uint32_t i = 0; i < context->rules->num_strings; ++i) {
      if (context->matches[i].count > 0) *static_cast<bool*>(user) = true;
    }
  }
  return CALLBACK_CONTINUE;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  using namespace sluice::analysis::yara;
  if (size > 8192) return 0;  // libyara's compiler is the slow part; rules are short
  const std::string_view input(reinterpret_cast<const char*>(bytes), size);
  const std::size_t cut = input.find("\n----\n");
  const std::string_view text = input.substr(0, cut);
  const std::string_view data = cut == std::string_view::npos ? input : input.substr(cut + 6);
  const auto prefilter = LiteralPrefilter::from_sources(std::span(&text, 1));
  if (!prefilter) return 0;
  const bool maybe = prefilter->may_match(data);
  if (maybe) return 0;  // libyara would scan: nothing to check
  // The rule text is not a file: an `include` never reaches here (not gated).
  auto rules = Rules::compile({{"fuzz.yar", "fuzz", std::string(text), false}});
  if (!rules) return 0;
  const Scanner scanner = (*rules)->new_scanner();
  if (!scanner) return 0;
  bool found = false;
  yr_scanner_set_callback(scanner.get(), any_string, &found);
  yr_scanner_set_timeout(scanner.get(), 5);
  yr_scanner_scan_mem(scanner.get(), reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
  if (found) std::abort();
  return 0;
}
