#pragma once
// Script text as the reader of its intent sees it: a "squeezed" copy (lower
// case, cmd carets and in-word PowerShell backticks removed, whitespace runs
// collapsed, string joins such as "Down"+"load" closed up), so
// `p^o^w^e^r^s^h^e^l^l -W  hIdDeN` and "Net.Web" + "Client" read as written
// out. The counts of what squeezing removed are facts too: obfuscation is
// judged from them (analysis/scripts/indicators.cpp). No regex: std::regex
// recurses and backtracks.
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::formats::script {

struct ObfuscationCounts {
  std::uint64_t joins = 0;         // "a"+"b", "a" & "b"
  std::uint64_t char_codes = 0;    // chr(, chrw(, String.fromCharCode, [char] (counted by the reader)
  std::uint64_t carets = 0;        // cmd escapes inside words: p^o^w^e^r
  std::uint64_t backticks = 0;     // PowerShell escapes inside words: p`o`w
  std::uint64_t substrings = 0;    // cmd %var:~n,m% slicing
};

// The squeezed text and what squeezing counted. With `fold_case` false the
// letters keep their case (for URLs and file names).
[[nodiscard]] std::string squeeze(std::string_view text, ObfuscationCounts& counts, bool fold_case = true);

}  // namespace sluice::formats::script
