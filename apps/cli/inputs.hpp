#pragma once
// Turning command-line paths into scan inputs: directories walked, stdin read,
// each failure a one-line message that names the path while the rest go on.
#include <cstdint>
#include <string>
#include <vector>

namespace sluice::cli {

struct Input {
  std::string path;   // as the user will recognise it ("-" for stdin)
  std::string error;  // set when the path could not be expanded or read
};

// Expands directories recursively (symlinks are not followed, entries sorted
// for a stable order). Paths that do not exist come back with `error` set.
[[nodiscard]] std::vector<Input> expand_paths(const std::vector<std::string>& paths);

struct Loaded {
  std::vector<std::uint8_t> bytes;
  bool cut = false;  // the input was larger than the limit and was read in part
  std::string error;
};
[[nodiscard]] Loaded load_input(const std::string& path, std::uint64_t max_bytes);

}  // namespace sluice::cli
