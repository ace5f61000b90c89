#include "analysis/yara/literal_prefilter.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "analysis/yara/required_literals.hpp"

namespace sluice::analysis::yara {

std::optional<LiteralPrefilter> LiteralPrefilter::from_sources(std::span<const std::string_view> texts) {
  std::vector<StringDef> defs;
  for (const std::string_view text : texts) {
    std::optional<std::vector<StringDef>> d = gated_strings(text);
    if (!d) return std::nullopt;
    defs.insert(defs.end(), d->begin(), d->end());
  }
  return from_strings(defs);
}

std::optional<LiteralPrefilter> LiteralPrefilter::from_strings(std::span<const StringDef> defs) {
  std::vector<std::string> literals;
  std::vector<std::uint32_t> set_of;  // literal → its set
  std::vector<Needs> strings;
  std::uint32_t sets = 0;
  for (const StringDef& def : defs) {
    // A string no rule can match on alone needs no literal: a rule with it
    // needs one of its needed strings as well (string_gate).
    if (!def.needed) continue;
    std::optional<RequiredLiterals> r = required_literals(def);
    if (!r || r->shortest < kMinLiteral) return std::nullopt;
    strings.push_back({sets, static_cast<std::uint32_t>(r->all_of.size())});
    for (std::vector<std::string>& set : r->all_of) {
      for (std::string& l : set) {
        literals.push_back(std::move(l));
        set_of.push_back(sets);
      }
      ++sets;
    }
    if (literals.size() > kMaxLiterals) return std::nullopt;
  }
  // No string at all: every rule needs one, so there is no rule either.
  return LiteralPrefilter(core::PhraseMatcher(literals, core::PhraseMatcher::Case::ascii_insensitive),
                          std::move(set_of), std::move(strings), sets);
}

bool LiteralPrefilter::may_match(std::string_view bytes) const {
  // Almost always nothing is found and nothing is allocated.
  std::vector<bool> seen;
  matcher_.scan_unordered(bytes, [&](std::size_t literal, std::size_t) {
    if (seen.empty()) seen.resize(sets_);
    seen[set_of_[literal]] = true;
  });
  if (seen.empty()) return false;
  for (const Needs& n : strings_) {
    bool all = true;
    for (std::uint32_t k = n.first; k < n.first + n.count && all; ++k) all = seen[k];
    if (all) return true;
  }
  return false;
}

}  // namespace sluice::analysis::yara
