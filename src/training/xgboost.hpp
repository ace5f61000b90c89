#pragma once
// XGBoost's C API (Debian libxgboost-dev) behind owners that free what they
// create and turn its error codes into Results. Only training and evaluation
// use it: scans evaluate the trees themselves (model/forest.hpp), so the engine
// and its sandboxed workers never load XGBoost, and the library is opened by
// the first matrix or model made here (docs/adr/0030).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sluice/result.hpp"

namespace sluice::training {

struct XgbApi;  // the functions used, resolved from the library (xgboost.cpp)

// Rows of `width` features, row-major; labels 0 or 1 (may be empty when only predicting).
class Matrix {
 public:
  [[nodiscard]] static Result<Matrix> dense(std::span<const float> rows, std::size_t width, std::span<const float> labels);
  Matrix(Matrix&& o) noexcept : api_(std::move(o.api_)), handle_(std::exchange(o.handle_, nullptr)) {}
  Matrix& operator=(Matrix&&) = delete;
  Matrix(const Matrix&) = delete;
  ~Matrix();
  [[nodiscard]] void* handle() const noexcept { return handle_; }

 private:
  friend class Booster;
  Matrix(std::shared_ptr<const XgbApi> api, void* h) : api_(std::move(api)), handle_(h) {}
  std::shared_ptr<const XgbApi> api_;
  void* handle_ = nullptr;
};

struct BoostParams {
  std::uint32_t rounds = 120;
  std::uint32_t max_depth = 4;
  double eta = 0.2;
  double min_child_weight = 1;
  double scale_pos_weight = 1;  // the trainer sets benign/malicious
  // Each split sees a seeded half of the features: on cleanly separable mail
  // the trees then use several signals, not the first that separates, and the
  // explanations name them.
  double colsample_bynode = 0.5;
  std::uint64_t seed = 1;
  std::uint32_t threads = 1;  // one: the same bytes from the same data, always
};

class Booster {
 public:
  [[nodiscard]] static Result<Booster> train(const Matrix& data, const BoostParams& params);
  [[nodiscard]] static Result<Booster> load(std::string_view json_document);
  Booster(Booster&& o) noexcept : api_(std::move(o.api_)), handle_(std::exchange(o.handle_, nullptr)) {}
  Booster& operator=(Booster&&) = delete;
  Booster(const Booster&) = delete;
  ~Booster();

  // XGBoost's JSON model document.
  [[nodiscard]] Result<std::string> save_json() const;
  // One probability per row.
  [[nodiscard]] Result<std::vector<float>> predict(const Matrix& rows) const;
  // XGBoost's own margins and exact SHAP values (pred_contribs): per row,
  // width + 1 values, the last the bias.
  [[nodiscard]] Result<std::vector<float>> margins(const Matrix& rows) const;
  [[nodiscard]] Result<std::vector<float>> contributions(const Matrix& rows) const;

 private:
  Booster(std::shared_ptr<const XgbApi> api, void* h) : api_(std::move(api)), handle_(h) {}
  [[nodiscard]] Result<std::vector<float>> run(const Matrix& rows, int type) const;
  std::shared_ptr<const XgbApi> api_;
  void* handle_ = nullptr;
};

}  // namespace sluice::training
