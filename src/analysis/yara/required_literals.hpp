#pragma once
// Byte strings one of which every match of a YARA string contains, read from
// the string's definition, conservatively (docs/adr/0040).
//
// Why (issue #17): YARA read every ham message whole, at libyara's ~2–3 ns a
// byte whatever the rules. When every rule needs one of its strings
// (string_gate.hpp) and none of these literals occurs in an artifact, no
// string can match there, so no rule can: the artifact needs no libyara scan.
// Finding the literals is one automaton pass, several times faster.
//
// The answer is sets to be matched with ASCII letters of either case alike
// (a superset of what `nocase` and exact strings match). A definition this
// reading does not fully understand gives nothing, which turns the shortcut
// off for the whole rule set; never a literal a match could lack.
#include <optional>
#include <string>
#include <vector>

#include "analysis/yara/string_gate.hpp"

namespace sluice::analysis::yara {

struct RequiredLiterals {
  // Every match contains one literal of each set. The first set is the
  // string's best; a second, from elsewhere in the string, narrows it.
  std::vector<std::vector<std::string>> all_of;
  // The first set's shortest, in characters (before `wide` doubles it).
  std::size_t shortest = 0;
};

// At most this many literals for one string: a run of small classes
// (`\s-e`, `/[ck]\s`) is spelled out, a larger choice ends the run.
inline constexpr std::size_t kMaxLiteralsPerString = 64;

[[nodiscard]] std::optional<RequiredLiterals> required_literals(const StringDef& def);

}  // namespace sluice::analysis::yara
