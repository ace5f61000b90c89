#include "training/trainer.hpp"

#include <algorithm>
#include <random>

#include <nlohmann/json.hpp>

#include "model/model.hpp"
#include "sluice/engine.hpp"

namespace sluice::training {
namespace {

struct Flat {
  std::vector<float> rows, labels;
  std::vector<std::string> techniques;
};

Flat flatten(const std::vector<Sample>& samples, const std::vector<std::size_t>& pick) {
  Flat f;
  for (std::size_t i : pick) {
    f.rows.insert(f.rows.end(), samples[i].x.begin(), samples[i].x.end());
    f.labels.push_back(samples[i].malicious ? 1.0f : 0.0f);
    f.techniques.push_back(samples[i].technique);
  }
  return f;
}

BoostParams balanced(BoostParams p, const std::vector<Sample>& samples, const std::vector<std::size_t>& pick) {
  double pos = 0, neg = 0;
  for (std::size_t i : pick) (samples[i].malicious ? pos : neg) += 1;
  // Each class weighs the same in total, so a thousand ham do not drown fifty campaigns.
  p.scale_pos_weight = pos > 0 ? neg / pos : 1;
  return p;
}

Result<Booster> fit(const std::vector<Sample>& samples, const std::vector<std::size_t>& pick, std::size_t width,
                    const BoostParams& params) {
  const Flat f = flatten(samples, pick);
  auto m = Matrix::dense(f.rows, width, f.labels);
  if (!m) return std::unexpected(m.error());
  return Booster::train(*m, balanced(params, samples, pick));
}

}  // namespace

Status check_trainable(const std::vector<Sample>& samples, std::uint32_t folds) {
  std::size_t pos = 0, neg = 0;
  for (const Sample& s : samples) (s.malicious ? pos : neg) += 1;
  const std::size_t need = std::max<std::size_t>(5, 2 * std::max<std::uint32_t>(folds, 1));
  if (pos == 0 || neg == 0) {
    return fail(Errc::invalid_argument, 0,
                "all " + std::to_string(samples.size()) + " samples are " + (pos == 0 ? "benign" : "malicious") +
                    ": a model needs both classes");
  }
  if (pos < need || neg < need) {
    return fail(Errc::invalid_argument, 0,
                std::to_string(pos) + " malicious and " + std::to_string(neg) + " benign samples: each class needs at least " +
                    std::to_string(need) + " for " + std::to_string(folds) + "-fold cross-validation");
  }
  return {};
}

Result<CrossValidation> cross_validate(const std::vector<Sample>& samples, std::size_t width,
                                       const TrainOptions& options) {
  if (auto st = check_trainable(samples, options.folds); !st) return std::unexpected(st.error());
  // Stratified: each class shuffled with the seed, then dealt round-robin, so
  // every fold holds its share of the rare malicious samples.
  std::vector<std::size_t> pos, neg;
  for (std::size_t i = 0; i < samples.size(); ++i) (samples[i].malicious ? pos : neg).push_back(i);
  std::mt19937_64 rng(options.boost.seed);
  std::shuffle(pos.begin(), pos.end(), rng);
  std::shuffle(neg.begin(), neg.end(), rng);
  std::vector<std::uint32_t> fold_of(samples.size());
  for (std::size_t k = 0; k < pos.size(); ++k) fold_of[pos[k]] = static_cast<std::uint32_t>(k % options.folds);
  for (std::size_t k = 0; k < neg.size(); ++k) fold_of[neg[k]] = static_cast<std::uint32_t>(k % options.folds);

  CrossValidation cv;
  std::vector<float> pooled_p(samples.size()), pooled_y(samples.size());
  std::vector<std::string> pooled_t(samples.size());
  for (std::uint32_t fold = 0; fold < options.folds; ++fold) {
    std::vector<std::size_t> train, test;
    for (std::size_t i = 0; i < samples.size(); ++i) (fold_of[i] == fold ? test : train).push_back(i);
    auto booster = fit(samples, train, width, options.boost);
    if (!booster) return std::unexpected(booster.error());
    const Flat t = flatten(samples, test);
    auto m = Matrix::dense(t.rows, width, {});
    if (!m) return std::unexpected(m.error());
    auto p = booster->predict(*m);
    if (!p) return std::unexpected(p.error());
    cv.folds.push_back(measure(*p, t.labels, t.techniques, options.threshold));
    for (std::size_t k = 0; k < test.size(); ++k) {
      pooled_p[test[k]] = (*p)[k];
      pooled_y[test[k]] = t.labels[k];
      pooled_t[test[k]] = t.techniques[k];
    }
  }
  cv.pooled = measure(pooled_p, pooled_y, pooled_t, options.threshold);
  return cv;
}

Result<std::string> train_document(const std::vector<Sample>& samples, const model::FeatureSpace& space,
                                   const TrainOptions& options, const CrossValidation& cv) {
  if (auto st = check_trainable(samples, options.folds); !st) return std::unexpected(st.error());
  std::vector<std::size_t> all(samples.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  auto booster = fit(samples, all, space.size(), options.boost);
  if (!booster) return std::unexpected(booster.error());
  auto json = booster->save_json();
  if (!json) return std::unexpected(json.error());
  if (json->empty() || json->front() != '{') return fail(Errc::malformed, 0, "XGBoost wrote no JSON object");

  std::size_t pos = 0;
  for (const Sample& s : samples) pos += s.malicious ? 1 : 0;
  nlohmann::ordered_json h;
  h["format"] = model::kModelFormat;
  h["feature_version"] = space.version();
  nlohmann::ordered_json names = nlohmann::ordered_json::array();
  for (const model::FeatureInfo& f : space.features()) names.push_back(f.name);
  h["features"] = std::move(names);
  h["threshold"] = options.threshold;
  h["training"] = {{"malicious", pos},
                   {"benign", samples.size() - pos},
                   {"description", options.description},
                   {"rounds", options.boost.rounds},
                   {"max_depth", options.boost.max_depth},
                   {"eta", options.boost.eta},
                   {"seed", options.boost.seed},
                   {"folds", options.folds},
                   {"sluice_version", std::string(version())}};
  h["metrics"] = nlohmann::ordered_json::parse(to_json(cv.pooled));
  // The header goes first inside XGBoost's own object: the file stays one
  // XGBoost model document, and the bytes depend only on the inputs.
  return "{\"sluice\":" + h.dump() + "," + json->substr(1);
}

Result<std::vector<float>> predict(const Booster& booster, const std::vector<Sample>& samples, std::size_t width) {
  std::vector<std::size_t> all(samples.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  const Flat f = flatten(samples, all);
  auto m = Matrix::dense(f.rows, width, {});
  if (!m) return std::unexpected(m.error());
  return booster.predict(*m);
}

}  // namespace sluice::training
