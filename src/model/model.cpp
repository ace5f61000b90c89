#include "model/model.hpp"

#include <algorithm>
#include <cmath>

#include "core/files.hpp"
#include "model/document.hpp"
#include "model/packed.hpp"

namespace sluice::embedded {
extern const char* const kModelJson;
extern const unsigned char kModelPacked[];
extern const std::size_t kModelPackedSize;
}

namespace sluice::model {

double sigmoid(double margin) noexcept { return 1.0 / (1.0 + std::exp(-margin)); }

Result<Model> Model::assemble(Header header, const ForestSource& trees, const FeatureSpace& space) {
  if (header.feature_version != space.version() || header.features.size() != space.size()) {
    return fail(Errc::invalid_argument, 0,
                "the model was trained on feature list " + header.feature_version + " (" +
                    std::to_string(header.features.size()) + " features); this binary computes " +
                    space.version() + " (" + std::to_string(space.size()) +
                    "): retrain it with `sluice model train` (docs/model.md)");
  }
  for (std::size_t i = 0; i < space.size(); ++i) {
    if (header.features[i] != space.features()[i].name) {
      return fail(Errc::invalid_argument, 0,
                  "feature " + std::to_string(i) + " is \"" + header.features[i] + "\" in the model, \"" +
                      space.features()[i].name + "\" here: retrain the model");
    }
  }
  auto forest = Forest::build(trees, space.size());
  if (!forest) return std::unexpected(forest.error());
  return Model(std::move(header), std::move(*forest));
}

Result<Model> Model::load(std::string_view document, const FeatureSpace& space) {
  auto parts = read_model_document(document);
  if (!parts) return std::unexpected(parts.error());
  return assemble(std::move(parts->header), parts->trees, space);
}

Result<Model> Model::load_packed(ByteView packed, const FeatureSpace& space) {
  auto parts = unpack_model(packed);
  if (!parts) return std::unexpected(parts.error());
  return assemble(std::move(parts->header), parts->trees, space);
}

Result<Model> Model::load_file(const std::string& path, const FeatureSpace& space) {
  const auto text = core::read_whole_file(path);
  if (!text) return fail(Errc::io, 0, "cannot read " + path);
  auto m = load(*text, space);
  if (!m) return fail(m.error().code, m.error().offset, path + ": " + m.error().what);
  return m;
}

double Model::probability(std::span<const float> features) const { return sigmoid(forest_.margin(features)); }

Explanation Model::explain(std::span<const float> features, std::size_t top_n) const {
  std::vector<double> phi(features.size() + 1, 0.0);
  forest_.contributions(features, phi);
  Explanation e;
  e.bias = phi.back();
  double margin = 0;
  for (double p : phi) margin += p;
  e.margin = margin;
  e.probability = sigmoid(margin);
  for (std::size_t i = 0; i + 1 < phi.size(); ++i) {
    if (phi[i] != 0) e.top.push_back({static_cast<std::uint32_t>(i), phi[i]});
  }
  const std::size_t n = std::min(top_n, e.top.size());
  std::partial_sort(e.top.begin(), e.top.begin() + static_cast<std::ptrdiff_t>(n), e.top.end(),
                    [](const Contribution& a, const Contribution& b) {
                      const double x = std::fabs(a.value), y = std::fabs(b.value);
                      return x != y ? x > y : a.feature < b.feature;
                    });
  e.top.resize(n);
  return e;
}

std::string_view builtin_model_document() noexcept { return embedded::kModelJson; }
ByteView builtin_model_packed() noexcept { return {embedded::kModelPacked, embedded::kModelPackedSize}; }

}  // namespace sluice::model
