#pragma once
// What a script does, read from its text without running it: download
// cradles, signed Windows programs it starts (LOLBins), PowerShell switches
// that hide it, code built at run time, and the signs of obfuscation. One
// linear pass over a "squeezed" copy of the text (lower case, cmd carets and
// PowerShell backticks removed, whitespace runs collapsed, string joins such
// as "Down"+"load" closed up), so `p^o^w^e^r^s^h^e^l^l -W  hIdDeN` and
// "Net.Web" + "Client" match. No regex: std::regex recurses and backtracks.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/file_type.hpp"
#include "sluice/finding.hpp"

namespace sluice::formats::script {

struct Indicator {
  std::string id;
  Severity severity = Severity::medium;
  std::string message;
};

struct ObfuscationCounts {
  std::uint64_t joins = 0;         // "a"+"b", "a" & "b"
  std::uint64_t char_codes = 0;    // chr(, chrw(, String.fromCharCode, [char]
  std::uint64_t carets = 0;        // cmd escapes inside words: p^o^w^e^r
  std::uint64_t backticks = 0;     // PowerShell escapes inside words: p`o`w
  std::uint64_t substrings = 0;    // cmd %var:~n,m% slicing
};

// The squeezed text (see above) and what squeezing counted. With
// `fold_case` false the letters keep their case (for URLs and file names).
[[nodiscard]] std::string squeeze(std::string_view text, ObfuscationCounts& counts, bool fold_case = true);

[[nodiscard]] std::vector<Indicator> find_indicators(std::string_view text, FileType type);

}  // namespace sluice::formats::script
