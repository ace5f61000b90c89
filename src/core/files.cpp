#include "core/files.hpp"

#include <fstream>
#include <sstream>

namespace sluice::core {

std::optional<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream all;
  all << in.rdbuf();
  return std::move(all).str();
}

}  // namespace sluice::core
