#include "model/document.hpp"

#include <nlohmann/json.hpp>

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
  if (const auto t = h.find("training"); t != h.end() && t->is_object()) out.training_json = t->dump();
  if (const auto m = h.find("metrics"); m != h.end() && m->is_object()) out.metrics_json = m->dump();
  return out;
}

}  // namespace

Status check_header(const Header& header) {
  if (header.format != kModelFormat) {
    return fail(Errc::unsupported, 0,
                "header: model format " + std::to_string(header.format) + ", this binary reads format " +
                    std::to_string(kModelFormat));
  }
  if (!(header.threshold > 0 && header.threshold < 1)) return fail(Errc::malformed, 0, "header: threshold outside (0, 1)");
  return {};
}

Result<ModelParts> read_model_document(std::string_view json_text) {
  const Json doc = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail(Errc::malformed, 0, "not valid JSON");
  auto header = header_from(doc);
  if (!header) return std::unexpected(header.error());
  // A model of another format is refused before its trees are read.
  if (auto st = check_header(*header); !st) return std::unexpected(st.error());
  auto trees = Forest::read_xgboost_document(doc);
  if (!trees) return std::unexpected(trees.error());
  return ModelParts{std::move(*header), std::move(*trees)};
}

}  // namespace sluice::model
