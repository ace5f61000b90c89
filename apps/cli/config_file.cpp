#include "config_file.hpp"

#include "core/files.hpp"

namespace sluice::cli {

Result<Config> load_config(const std::string& file) {
  auto cfg = default_config();
  if (!cfg || file.empty()) return cfg;
  const auto text = core::read_whole_file(file);
  if (!text) return fail(Errc::io, 0, file + ": cannot read config file");
  return apply_config(std::move(*cfg), *text, file);
}

}  // namespace sluice::cli
