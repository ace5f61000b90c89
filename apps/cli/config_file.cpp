#include "config_file.hpp"

#include <fstream>
#include <sstream>

namespace sluice::cli {

Result<Config> load_config(const std::string& file) {
  auto cfg = default_config();
  if (!cfg || file.empty()) return cfg;
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(Errc::io, 0, file + ": cannot read config file");
  std::stringstream ss;
  ss << in.rdbuf();
  return apply_config(std::move(*cfg), ss.str(), file);
}

}  // namespace sluice::cli
