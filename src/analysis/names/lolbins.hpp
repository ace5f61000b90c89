#pragma once
// Living-off-the-land binaries: signed Windows tools that run code an attacker
// hands them. The one table every detector judges program names by.
#include <string>
#include <string_view>
#include <vector>

namespace sluice::analysis::names {

// True when the last path component of `path` (either separator, any case, with
// or without ".exe") is a LOLBin seen as the target of mailed shortcuts.
[[nodiscard]] bool is_lolbin(std::string_view path);

// How scripts start LOLBins: a spelling in squeezed, lower-case script text
// and the label a finding names it by ("cmd.exe /c" → "cmd /c"), in table order.
struct ScriptSpelling {
  std::string_view text;
  std::string_view label;
};
[[nodiscard]] std::vector<ScriptSpelling> lolbin_script_spellings();

// The last path component, lower-cased ASCII.
[[nodiscard]] std::string basename_lower(std::string_view path);

}  // namespace sluice::analysis::names
