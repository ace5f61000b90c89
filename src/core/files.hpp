#pragma once
// Reading a whole configuration-sized file (a config, a model, a suffix list):
// the one place that opens and slurps, so every caller only says what a
// missing file means to it.
#include <optional>
#include <string>

namespace sluice::core {

// The file's bytes, or nullopt when it cannot be opened.
[[nodiscard]] std::optional<std::string> read_whole_file(const std::string& path);

}  // namespace sluice::core
