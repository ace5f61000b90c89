#pragma once
#include <string>

#include "sluice/policy.hpp"

namespace sluice::cli {

// The built-in configuration with FILE's TOML over it (none: the built-in).
Result<Config> load_config(const std::string& file);

}  // namespace sluice::cli
