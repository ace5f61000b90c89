#include "model/model.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/files.hpp"

namespace sluice::embedded {
extern const char* const kModelJson;
}

namespace sluice::model {
namespace {

using Json = nlohmann::json;

Result<Header> header_from(const Json& doc) {
  if (!doc.is_object()) return fail(Errc::malformed, 0, "a model is a JSON object (XGBoost's JSON model format)");
  const auto it = doc.find("sluice");
  if (it == doc.end() || !it->is_object()) {
    return fail(Errc::malformed, 0,
                "no \"sluice\" header: not a Sluice model (train one with `sluice model train`)");
  }
  const Json& h = *it;
  Header out;
  const auto format = h.find("format");
  if (format == h.end() || !format->is_number_integer()) return fail(Errc::malformed, 0, "header: no integer \"format\"");
  out.format = format->get<int>();
  if (out.format != kModelFormat) {
    return fail(Errc::unsupported, 0,
                "header: model format " + std::to_string(out.format) + ", this binary reads format " +
                    std::to_string(kModelFormat));
  }
  const auto version = h.find("feature_version");
  if (version == h.end() || !version->is_string()) return fail(Errc::malformed, 0, "header: no \"feature_version\" string");
  out.feature_version = version->get<std::string>();
  const auto features = h.find("features");
  if (features == h.end() || !features->is_array()) return fail(Errc::malformed, 0, "header: no \"features\" array");
  for (const Json& f : *features) {
    if (!f.is_string()) return fail(Errc::malformed, 0, "header: a feature name is not a string");
    out.features.push_back(f.get<std::string>());
  }
  const auto threshold = h.find("threshold");
  if (threshold == h.end() || !threshold->is_number()) return fail(Errc::malformed, 0, "header: no numeric \"threshold\"");
  out.threshold = threshold->get<double>();
  if (!(out.threshold > 0 && out.threshold < 1)) return fail(Errc::malformed, 0, "header: threshold outside (0, 1)");
  if (const auto t = h.find("training"); t != h.end() && t->is_object()) out.training_json = t->dump();
  if (const auto m = h.find("metrics"); m != h.end() && m->is_object()) out.metrics_json = m->dump();
  return out;
}

}  // namespace

double sigmoid(double margin) noexcept { return 1.0 / (1.0 + std::exp(-margin)); }

Result<Model> Model::load(std::string_view document, const FeatureSpace& space) {
  const Json doc = Json::parse(document, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail(Errc::malformed, 0, "not valid JSON");
  auto header = header_from(doc);
  if (!header) return std::unexpected(header.error());
  if (header->feature_version != space.version() || header->features.size() != space.size()) {
    return fail(Errc::invalid_argument, 0,
                "the model was trained on feature list " + header->feature_version + " (" +
                    std::to_string(header->features.size()) + " features); this binary computes " +
                    space.version() + " (" + std::to_string(space.size()) +
                    "): retrain it with `sluice model train` (docs/model.md)");
  }
  for (std::size_t i = 0; i < space.size(); ++i) {
    if (header->features[i] != space.features()[i].name) {
      return fail(Errc::invalid_argument, 0,
                  "feature " + std::to_string(i) + " is \"" + header->features[i] + "\" in the model, \"" +
                      space.features()[i].name + "\" here: retrain the model");
    }
  }
  auto forest = Forest::from_xgboost_document(doc, space.size());
  if (!forest) return std::unexpected(forest.error());
  return Model(std::move(*header), std::move(*forest));
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

}  // namespace sluice::model
