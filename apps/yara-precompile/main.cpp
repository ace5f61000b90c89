// sluice-yara-precompile OUT.cpp: compiles the starter rules (data/yara, as the
// engine embeds them) with the engine's own compile step and writes libyara's
// saved form of them as a C++ array, which the engine loads at start instead
// of running libyara's compiler (docs/adr/0030). Run by the build only.
#include <cstdio>

#include "analysis/yara/rules.hpp"
#include "embed/cpp_array.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: sluice-yara-precompile OUT.cpp\n");
    return 2;
  }
  namespace yara = sluice::analysis::yara;
  auto rules = yara::Rules::compile(yara::builtin_sources());
  if (!rules) {
    std::fprintf(stderr, "sluice-yara-precompile: %s\n", rules.error().what.c_str());
    return 1;
  }
  auto bytes = (*rules)->save();
  if (!bytes) {
    std::fprintf(stderr, "sluice-yara-precompile: %s\n", bytes.error().what.c_str());
    return 1;
  }
  if (!sluice::build::write_cpp_array(argv[1], "kYaraCompiled", "sluice-yara-precompile from data/yara", *bytes)) {
    std::fprintf(stderr, "sluice-yara-precompile: cannot write %s\n", argv[1]);
    return 1;
  }
  return 0;
}
