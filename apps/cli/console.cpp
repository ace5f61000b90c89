#include "console.hpp"

#include <cstdio>

namespace sluice::cli {

int command_error(const std::string& what) {
  std::fprintf(stderr, "sluice: %s\n", what.c_str());
  return kCommandError;
}

void print_out(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

}  // namespace sluice::cli
