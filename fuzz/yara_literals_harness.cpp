// fuzz_yara_literals: rule text and data, with libyara as the oracle for the
// literal prefilter (src/analysis/yara/required_literals.cpp,
// literal_prefilter.cpp, string_gate.cpp's needed strings; docs/adr/0040).
// The input is a rule source, then a line "----", then the bytes to scan
// (without that line, the source scans itself). Wherever libyara matches a
// rule, the prefilter must have said "maybe": a "no" there would have hidden
// the match. When every string is needed, also wherever a string matched.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/yara/literal_prefilter.hpp"
#include "analysis/yara/rules.hpp"
#include "analysis/yara/string_gate.hpp"

// Last: libyara's module header defines a macro named parent().
#include <yara.h>

namespace {

struct Seen {
  bool rule = false;
  bool string = false;
};

int what_matched(YR_SCAN_CONTEXT* context, int message, void*, void* user) {
  auto* seen = static_cast<Seen*>(user);
  if (message == CALLBACK_MSG_RULE_MATCHING) seen->rule = true;
  if (message == CALLBACK_MSG_SCAN_FINISHED) {
    for (std::uint32_t i = 0; i < context->rules->num_strings; ++i) {
      if (context->matches[i].count > 0) seen->string = true;
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
  const auto defs = gated_strings(text);
  bool all_needed = defs.has_value();
  for (const StringDef& d : defs.value_or(std::vector<StringDef>{})) all_needed = all_needed && d.needed;
  Seen seen;
  yr_scanner_set_callback(scanner.get(), what_matched, &seen);
  yr_scanner_set_timeout(scanner.get(), 5);
  yr_scanner_scan_mem(scanner.get(), reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
  if (seen.rule || (all_needed && seen.string)) std::abort();
  return 0;
}
