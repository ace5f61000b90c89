#pragma once
// Whether an artifact holds, for some needed YARA string, the literals that
// string needs (docs/adr/0040). Built once per engine from the rule text;
// asked before each libyara scan. "No" means no needed string can match the
// artifact, and, every rule needing one of its needed strings (string_gate),
// that libyara would report no rule: its scan is left out. "Maybe" means
// libyara scans as before.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis/yara/string_gate.hpp"
#include "core/phrase_matcher.hpp"

namespace sluice::analysis::yara {

// A literal shorter than this (in characters) is in nearly every message:
// asking for it would cost a pass and save no scan, so such a rule set gets
// no prefilter.
inline constexpr std::size_t kMinLiteral = 3;
// Beyond this many literals the automaton outgrows the caches it is fast in.
inline constexpr std::size_t kMaxLiterals = 4096;

class LiteralPrefilter {
 public:
  // From the text of every rule source. Nothing when some rule does not need
  // a string, some needed string yields no literal (string_gate.hpp,
  // required_literals.hpp), a literal is short, or there are too many.
  [[nodiscard]] static std::optional<LiteralPrefilter> from_sources(std::span<const std::string_view> texts);
  // The same from the string definitions of gated sources, already read
  // (string_gate.hpp's gated_strings).
  [[nodiscard]] static std::optional<LiteralPrefilter> from_strings(std::span<const StringDef> defs);

  // False only when no needed string has a literal of each of its sets in
  // `bytes` (letters of either case alike).
  [[nodiscard]] bool may_match(std::string_view bytes) const;

  [[nodiscard]] std::size_t literal_count() const noexcept { return matcher_.size(); }

 private:
  // A string's sets: [first, first + count) of the sets numbered in order.
  struct Needs {
    std::uint32_t first = 0, count = 0;
  };
  LiteralPrefilter(core::PhraseMatcher m, std::vector<std::uint32_t> set_of, std::vector<Needs> strings,
                   std::uint32_t sets)
      : matcher_(std::move(m)), set_of_(std::move(set_of)), strings_(std::move(strings)), sets_(sets) {}
  core::PhraseMatcher matcher_;
  std::vector<std::uint32_t> set_of_;  // literal → its set
  std::vector<Needs> strings_;
  std::uint32_t sets_ = 0;
};

}  // namespace sluice::analysis::yara
