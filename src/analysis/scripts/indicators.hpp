#pragma once
// What a script does, judged from its text without running it: download
// cradles, signed Windows programs it starts (LOLBins, from the one table in
// analysis/names/lolbins.cpp), PowerShell switches that hide it, code built
// at run time, and the signs of obfuscation. One linear pass over the
// squeezed text (formats/script/squeeze.hpp).
#include <string>
#include <string_view>
#include <vector>

#include "sluice/file_type.hpp"
#include "sluice/finding.hpp"

namespace sluice::analysis::scripts {

struct Indicator {
  std::string id;
  Severity severity = Severity::medium;
  std::string message;
};

// `type` is the language the text is read as (a PowerShell script naming
// powershell is not a launch in itself).
[[nodiscard]] std::vector<Indicator> find_indicators(std::string_view text, FileType type);

}  // namespace sluice::analysis::scripts
