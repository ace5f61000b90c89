#include "training/xgboost.hpp"

#include <cmath>
#include <cstdio>

#include <xgboost/c_api.h>

namespace sluice::training {
namespace {

std::unexpected<Error> xgb_error(std::string_view what) {
  return fail(Errc::invalid_argument, 0, std::string(what) + ": XGBoost: " + XGBGetLastError());
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

Result<Matrix> Matrix::dense(std::span<const float> rows, std::size_t width, std::span<const float> labels) {
  if (width == 0 || rows.size() % width != 0) return fail(Errc::invalid_argument, 0, "rows are not a whole number of vectors");
  const std::size_t n = rows.size() / width;
  if (!labels.empty() && labels.size() != n) return fail(Errc::invalid_argument, 0, "one label per row");
  DMatrixHandle h = nullptr;
  // Missing is NaN, never 0: a zero count is a fact the trees may split on.
  if (XGDMatrixCreateFromMat_omp(rows.data(), n, width, NAN, &h, 1) != 0) return xgb_error("matrix");
  Matrix m(h);
  if (!labels.empty() && XGDMatrixSetFloatInfo(h, "label", labels.data(), n) != 0) return xgb_error("labels");
  return m;
}

Matrix::~Matrix() {
  if (handle_ != nullptr) XGDMatrixFree(handle_);
}

Result<Booster> Booster::train(const Matrix& data, const BoostParams& p) {
  DMatrixHandle d = data.handle();
  BoosterHandle h = nullptr;
  if (XGBoosterCreate(&d, 1, &h) != 0) return xgb_error("booster");
  Booster b(h);
  const std::pair<const char*, std::string> params[] = {
      {"objective", "binary:logistic"},
      {"tree_method", "exact"},
      {"max_depth", std::to_string(p.max_depth)},
      {"eta", number(p.eta)},
      {"min_child_weight", number(p.min_child_weight)},
      {"scale_pos_weight", number(p.scale_pos_weight)},
      {"colsample_bynode", number(p.colsample_bynode)},
      {"seed", std::to_string(p.seed)},
      {"nthread", std::to_string(p.threads)},
      {"base_score", "0.5"},
      {"verbosity", "0"},
  };
  for (const auto& [key, value] : params) {
    if (XGBoosterSetParam(h, key, value.c_str()) != 0) return xgb_error(key);
  }
  for (std::uint32_t i = 0; i < p.rounds; ++i) {
    if (XGBoosterUpdateOneIter(h, static_cast<int>(i), d) != 0) return xgb_error("training round");
  }
  return b;
}

Result<Booster> Booster::load(std::string_view json_document) {
  BoosterHandle h = nullptr;
  if (XGBoosterCreate(nullptr, 0, &h) != 0) return xgb_error("booster");
  Booster b(h);
  if (XGBoosterLoadModelFromBuffer(h, json_document.data(), json_document.size()) != 0) return xgb_error("load");
  if (XGBoosterSetParam(h, "nthread", "1") != 0) return xgb_error("nthread");
  return b;
}

Booster::~Booster() {
  if (handle_ != nullptr) XGBoosterFree(handle_);
}

Result<std::string> Booster::save_json() const {
  bst_ulong len = 0;
  const char* buf = nullptr;
  if (XGBoosterSaveModelToBuffer(handle_, R"({"format": "json"})", &len, &buf) != 0) return xgb_error("save");
  return std::string(buf, len);
}

Result<std::vector<float>> Booster::run(const Matrix& rows, int type) const {
  const std::string config = R"({"type": )" + std::to_string(type) +
                             R"(, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* out = nullptr;
  if (XGBoosterPredictFromDMatrix(handle_, rows.handle(), config.c_str(), &shape, &dim, &out) != 0) {
    return xgb_error("predict");
  }
  std::size_t n = 1;
  for (bst_ulong i = 0; i < dim; ++i) n *= shape[i];
  return std::vector<float>(out, out + n);
}

Result<std::vector<float>> Booster::predict(const Matrix& rows) const { return run(rows, 0); }
Result<std::vector<float>> Booster::margins(const Matrix& rows) const { return run(rows, 1); }
Result<std::vector<float>> Booster::contributions(const Matrix& rows) const { return run(rows, 2); }

}  // namespace sluice::training
