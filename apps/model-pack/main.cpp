// sluice-model-pack MODEL.json OUT.cpp: reads the shipped model document
// (data/model) with the engine's own reader and writes its packed form
// (src/model/packed.hpp) as a C++ array, which the engine loads at start
// instead of parsing the JSON (docs/adr/0032). Run by the build; an OUT not
// ending in .cpp gets the packed bytes themselves (fuzz seeds).
#include <cstdio>
#include <string>

#include "core/files.hpp"
#include "embed/cpp_array.hpp"
#include "model/document.hpp"
#include "model/packed.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: sluice-model-pack MODEL.json OUT.cpp\n");
    return 2;
  }
  const auto text = sluice::core::read_whole_file(argv[1]);
  if (!text) {
    std::fprintf(stderr, "sluice-model-pack: cannot read %s\n", argv[1]);
    return 1;
  }
  auto parts = sluice::model::read_model_document(*text);
  if (!parts) {
    std::fprintf(stderr, "sluice-model-pack: %s: %s\n", argv[1], parts.error().what.c_str());
    return 1;
  }
  const auto bytes = sluice::model::pack_model(*parts);
  const std::string out = argv[2];
  const bool ok = out.ends_with(".cpp")
                      ? sluice::build::write_cpp_array(out, "kModelPacked", "sluice-model-pack from data/model", bytes)
                      : sluice::build::write_bytes(out, bytes);
  if (!ok) {
    std::fprintf(stderr, "sluice-model-pack: cannot write %s\n", argv[2]);
    return 1;
  }
  return 0;
}
