#pragma once
// A trained model as Sluice ships and loads it: XGBoost's own JSON model
// document with one more top-level member, "sluice", the header (docs/model.md).
// XGBoost ignores the member, so the file stays loadable by any XGBoost; the
// header says which feature list the trees index, so a model trained on another
// list is refused at engine creation rather than misread.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/features.hpp"
#include "model/forest.hpp"
#include "sluice/byte_view.hpp"
#include "sluice/result.hpp"

namespace sluice::model {

inline constexpr int kModelFormat = 1;

struct Header {
  int format = 0;
  std::string feature_version;
  std::vector<std::string> features;
  // The probability at which training measured precision and recall; the
  // policy's thresholds ([model] suspicious_at / malicious_at) decide weights.
  double threshold = 0.5;
  std::string training_json;  // what it was trained on (JSON object text, for people)
  std::string metrics_json;   // cross-validation figures (JSON object text)
  friend bool operator==(const Header&, const Header&) = default;
};

struct Contribution {
  std::uint32_t feature = 0;
  double value = 0;
};

struct Explanation {
  double probability = 0;
  double margin = 0;
  double bias = 0;
  // Largest absolute contributions first; at most the number asked for.
  std::vector<Contribution> top;
};

class Model {
 public:
  // Refuses a document whose header or trees do not fit `space`.
  [[nodiscard]] static Result<Model> load(std::string_view document, const FeatureSpace& space);
  // The same for a file; errors name it.
  [[nodiscard]] static Result<Model> load_file(const std::string& path, const FeatureSpace& space);
  // The build's packed copy of a model document (model/packed.hpp): the same
  // header and trees, the same checks, without parsing JSON at every start.
  [[nodiscard]] static Result<Model> load_packed(ByteView packed, const FeatureSpace& space);

  [[nodiscard]] const Header& header() const noexcept { return header_; }
  [[nodiscard]] double probability(std::span<const float> features) const;
  [[nodiscard]] Explanation explain(std::span<const float> features, std::size_t top_n) const;
  [[nodiscard]] const Forest& forest() const noexcept { return forest_; }

 private:
  Model(Header h, Forest f) : header_(std::move(h)), forest_(std::move(f)) {}
  static Result<Model> assemble(Header header, const ForestSource& trees, const FeatureSpace& space);
  Header header_;
  Forest forest_;
};

[[nodiscard]] double sigmoid(double margin) noexcept;

// The model shipped in data/model/ and compiled in: the document, and the
// build's packed copy of it that the engine loads (sluice-model-pack).
[[nodiscard]] std::string_view builtin_model_document() noexcept;
[[nodiscard]] ByteView builtin_model_packed() noexcept;

}  // namespace sluice::model
