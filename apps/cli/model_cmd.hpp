#pragma once
// `sluice features` and `sluice model train | eval` (docs/model.md,
// docs/features.md): labelled mail in, feature vectors, a trained model and
// its figures out.
#include <cstdint>
#include <string>
#include <vector>

namespace sluice::cli {

struct FeaturesArgs {
  std::vector<std::string> paths;
  std::string format = "jsonl";  // jsonl | csv | markdown (the feature table itself)
  std::string config_file;
};

struct ModelArgs {
  std::string action;  // train | eval
  std::vector<std::string> malicious, benign;
  std::string labels;  // TSV: path, malicious|benign, technique (optional)
  std::string from_store;  // a campaign store whose labelled messages are samples too
  std::string out;     // train: the model file written
  std::string model;   // eval: the model file read
  std::string config_file;
  std::string format = "text";  // eval: text | json
  std::uint32_t folds = 5;
  std::uint64_t seed = 1;
  std::uint32_t rounds = 120;
  std::uint32_t max_depth = 4;
  double threshold = 0.5;
  std::string description;
};

int run_features(const FeaturesArgs& args);
int run_model(const ModelArgs& args);

}  // namespace sluice::cli
