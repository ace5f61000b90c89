#include "training/xgboost.hpp"

#include <cmath>
#include <cstdio>

#include <xgboost/c_api.h>

#include "core/dynamic_library.hpp"
#include "deferred_libraries.hpp"

namespace sluice::training {

struct XgbApi {
  decltype(&::XGBGetLastError) last_error = nullptr;
  decltype(&::XGDMatrixCreateFromMat_omp) matrix_from_rows = nullptr;
  decltype(&::XGDMatrixSetFloatInfo) matrix_set_floats = nullptr;
  decltype(&::XGDMatrixFree) matrix_free = nullptr;
  decltype(&::XGBoosterCreate) booster_create = nullptr;
  decltype(&::XGBoosterSetParam) booster_set_param = nullptr;
  decltype(&::XGBoosterUpdateOneIter) booster_update = nullptr;
  decltype(&::XGBoosterLoadModelFromBuffer) booster_load = nullptr;
  decltype(&::XGBoosterSaveModelToBuffer) booster_save = nullptr;
  decltype(&::XGBoosterPredictFromDMatrix) booster_predict = nullptr;
  decltype(&::XGBoosterFree) booster_free = nullptr;
  core::DynamicLibrary lib;

  explicit XgbApi(core::DynamicLibrary l) : lib(std::move(l)) {}
  static Result<std::shared_ptr<const XgbApi>> load() {
    return core::load_table<XgbApi>(deferred::k_xgboost, [](XgbApi& a, core::Binder& b) {
      b(a.last_error, "XGBGetLastError");
      b(a.matrix_from_rows, "XGDMatrixCreateFromMat_omp");
      b(a.matrix_set_floats, "XGDMatrixSetFloatInfo");
      b(a.matrix_free, "XGDMatrixFree");
      b(a.booster_create, "XGBoosterCreate");
      b(a.booster_set_param, "XGBoosterSetParam");
      b(a.booster_update, "XGBoosterUpdateOneIter");
      b(a.booster_load, "XGBoosterLoadModelFromBuffer");
      b(a.booster_save, "XGBoosterSaveModelToBuffer");
      b(a.booster_predict, "XGBoosterPredictFromDMatrix");
      b(a.booster_free, "XGBoosterFree");
    });
  }
};

namespace {

std::unexpected<Error> xgb_error(const XgbApi& api, std::string_view what) {
  return fail(Errc::invalid_argument, 0, std::string(what) + ": XGBoost: " + api.last_error());
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
  auto loaded = XgbApi::load();
  if (!loaded) return std::unexpected(loaded.error());
  const XgbApi& api = **loaded;
  DMatrixHandle h = nullptr;
  // Missing is NaN, never 0: a zero count is a fact the trees may split on.
  if (api.matrix_from_rows(rows.data(), n, width, NAN, &h, 1) != 0) return xgb_error(api, "matrix");
  Matrix m(std::move(*loaded), h);
  if (!labels.empty() && api.matrix_set_floats(h, "label", labels.data(), n) != 0) return xgb_error(api, "labels");
  return m;
}

Matrix::~Matrix() {
  if (handle_ != nullptr) api_->matrix_free(handle_);
}

Result<Booster> Booster::train(const Matrix& data, const BoostParams& p) {
  const XgbApi& api = *data.api_;
  DMatrixHandle d = data.handle();
  BoosterHandle h = nullptr;
  if (api.booster_create(&d, 1, &h) != 0) return xgb_error(api, "booster");
  Booster b(data.api_, h);
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
    if (api.booster_set_param(h, key, value.c_str()) != 0) return xgb_error(api, key);
  }
  for (std::uint32_t i = 0; i < p.rounds; ++i) {
    if (api.booster_update(h, static_cast<int>(i), d) != 0) return xgb_error(api, "training round");
  }
  return b;
}

Result<Booster> Booster::load(std::string_view json_document) {
  auto loaded = XgbApi::load();
  if (!loaded) return std::unexpected(loaded.error());
  const XgbApi& api = **loaded;
  BoosterHandle h = nullptr;
  if (api.booster_create(nullptr, 0, &h) != 0) return xgb_error(api, "booster");
  Booster b(std::move(*loaded), h);
  if (api.booster_load(h, json_document.data(), json_document.size()) != 0) return xgb_error(api, "load");
  if (api.booster_set_param(h, "nthread", "1") != 0) return xgb_error(api, "nthread");
  return b;
}

Booster::~Booster() {
  if (handle_ != nullptr) api_->booster_free(handle_);
}

Result<std::string> Booster::save_json() const {
  bst_ulong len = 0;
  const char* buf = nullptr;
  if (api_->booster_save(handle_, R"({"format": "json"})", &len, &buf) != 0) return xgb_error(*api_, "save");
  return std::string(buf, len);
}

Result<std::vector<float>> Booster::run(const Matrix& rows, int type) const {
  const std::string config = R"({"type": )" + std::to_string(type) +
                             R"(, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* out = nullptr;
  if (api_->booster_predict(handle_, rows.handle(), config.c_str(), &shape, &dim, &out) != 0) {
    return xgb_error(*api_, "predict");
  }
  std::size_t n = 1;
  for (bst_ulong i = 0; i < dim; ++i) n *= shape[i];
  return std::vector<float>(out, out + n);
}

Result<std::vector<float>> Booster::predict(const Matrix& rows) const { return run(rows, 0); }
Result<std::vector<float>> Booster::margins(const Matrix& rows) const { return run(rows, 1); }
Result<std::vector<float>> Booster::contributions(const Matrix& rows) const { return run(rows, 2); }

}  // namespace sluice::training
