// fuzz_model_loader: a model file as a user or an attacker with write access
// to /etc/sluice could hand it over: the header ("sluice" member) and XGBoost's
// trees (src/model/model.cpp, src/model/forest.cpp), and the same bytes as a
// packed model (src/model/packed.cpp, the form the build embeds). Every input
// either loads, and then scores a vector with contributions summing to its
// margin, or is refused with an error; never a crash, a hang or an exception.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "model/model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace m = sluice::model;
  const std::string_view doc(reinterpret_cast<const char*>(data), size);
  // A small feature space, so a mutated model can fit it: features named in
  // the seeds' headers come from this catalog.
  const m::FeatureSpace space = m::FeatureSpace::from_catalog("\n### `a.one`\n\n### `b.two`\n");
  for (auto model : {m::Model::load(doc, space), m::Model::load_packed(sluice::ByteView(data, size), space)}) {
    if (!model) continue;
    std::vector<float> x(space.size(), 1.0f);
    const m::Explanation e = model->explain(x, 3);
    const double margin = model->forest().margin(x);
    if (std::isfinite(margin) && std::fabs(e.margin - margin) > 1e-6 * (1 + std::fabs(margin))) std::abort();
  }
  return 0;
}
