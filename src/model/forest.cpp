#include "model/forest.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace sluice::model {
namespace {

using Json = nlohmann::json;

std::unexpected<Error> bad(std::string what) { return fail(Errc::malformed, 0, "model trees: " + std::move(what)); }

const Json* member(const Json& j, std::string_view key, Json::value_t type) {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(key);
  if (it == j.end() || it->type() != type) return nullptr;
  return &*it;
}

const Json* array_of(const Json& tree, std::string_view key, std::size_t n) {
  const Json* a = member(tree, key, Json::value_t::array);
  return (a != nullptr && a->size() == n) ? a : nullptr;
}

std::optional<double> number_at(const Json& a, std::size_t i) {
  const Json& v = a[i];
  if (!v.is_number()) return std::nullopt;
  return v.get<double>();
}

std::optional<std::int64_t> integer_at(const Json& a, std::size_t i) {
  const Json& v = a[i];
  if (!v.is_number_integer()) return std::nullopt;
  return v.get<std::int64_t>();
}

// XGBoost writes its parameters as strings ("5E-1").
std::optional<double> string_number(const Json& j, std::string_view key) {
  const Json* s = member(j, key, Json::value_t::string);
  if (s == nullptr) return std::nullopt;
  const std::string& text = s->get_ref<const std::string&>();
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

Result<Forest::Tree> read_tree(const Json& t, std::size_t num_features) {
  const Json* left = member(t, "left_children", Json::value_t::array);
  if (left == nullptr || left->empty()) return bad("a tree without left_children");
  const std::size_t n = left->size();
  const Json* right = array_of(t, "right_children", n);
  const Json* index = array_of(t, "split_indices", n);
  const Json* cond = array_of(t, "split_conditions", n);
  const Json* dleft = array_of(t, "default_left", n);
  const Json* cover = array_of(t, "sum_hessian", n);
  if (right == nullptr || index == nullptr || cond == nullptr || dleft == nullptr || cover == nullptr) {
    return bad("a tree whose node arrays are missing or of different lengths");
  }
  if (const Json* type = member(t, "split_type", Json::value_t::array); type != nullptr) {
    for (const Json& v : *type) {
      if (!v.is_number_integer() || v.get<std::int64_t>() != 0) return bad("categorical splits are not supported");
    }
  }
  Forest::Tree tree;
  tree.nodes.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    Forest::Node& node = tree.nodes[i];
    const auto l = integer_at(*left, i), r = integer_at(*right, i), f = integer_at(*index, i);
    const auto c = number_at(*cond, i), h = number_at(*cover, i);
    const Json& d = (*dleft)[i];
    if (!l || !r || !f || !c || !h || !(d.is_number_integer() || d.is_boolean())) {
      return bad("node " + std::to_string(i) + " has a field of the wrong type");
    }
    const bool leaf = *l == -1;
    if (leaf != (*r == -1)) return bad("node " + std::to_string(i) + " has one child");
    if (!leaf) {
      // Children come after their parent in XGBoost's numbering; demanding it
      // also rules out every cycle.
      const auto in_range = [&](std::int64_t k) { return k > static_cast<std::int64_t>(i) && k < static_cast<std::int64_t>(n); };
      if (!in_range(*l) || !in_range(*r) || *l == *r) return bad("node " + std::to_string(i) + " has a child out of order or range");
      if (*f < 0 || static_cast<std::uint64_t>(*f) >= num_features) {
        return bad("node " + std::to_string(i) + " splits on feature " + std::to_string(*f) + " of " +
                   std::to_string(num_features));
      }
      node.left = static_cast<std::int32_t>(*l);
      node.right = static_cast<std::int32_t>(*r);
      node.feature = static_cast<std::uint32_t>(*f);
    }
    if (!std::isfinite(*c) || std::fabs(*c) > std::numeric_limits<float>::max() || !std::isfinite(*h) || *h < 0) {
      return bad("node " + std::to_string(i) + " has a value out of range");
    }
    node.split = static_cast<float>(*c);
    node.default_left = d.is_boolean() ? d.get<bool>() : d.get<std::int64_t>() != 0;
    node.cover = *h;
  }
  // Each node reached exactly once from the root, no deeper than kMaxDepth.
  std::vector<std::uint32_t> depth(n, 0);
  std::vector<std::uint8_t> reached(n, 0);
  reached[0] = 1;
  for (std::size_t i = 0; i < n; ++i) {
    if (reached[i] == 0) return bad("node " + std::to_string(i) + " is not reached from the root");
    const Forest::Node& node = tree.nodes[i];
    tree.depth = std::max(tree.depth, depth[i]);
    if (node.left < 0) continue;
    for (const std::int32_t child : {node.left, node.right}) {
      const auto k = static_cast<std::size_t>(child);
      if (reached[k] != 0) return bad("node " + std::to_string(k) + " has two parents");
      reached[k] = 1;
      depth[k] = depth[i] + 1;
      if (depth[k] > Forest::kMaxDepth) return bad("a tree deeper than " + std::to_string(Forest::kMaxDepth));
    }
  }
  // Means bottom-up: children have higher indices than their parents.
  tree.mean.assign(n, 0.0);
  for (std::size_t i = n; i-- > 0;) {
    const Forest::Node& node = tree.nodes[i];
    if (node.left < 0) {
      tree.mean[i] = node.split;
      continue;
    }
    const auto l = static_cast<std::size_t>(node.left), r = static_cast<std::size_t>(node.right);
    tree.mean[i] = node.cover > 0
                       ? (tree.mean[l] * tree.nodes[l].cover + tree.mean[r] * tree.nodes[r].cover) / node.cover
                       : 0.0;
  }
  return tree;
}

std::size_t next(const Forest::Node& node, float value) {
  if (std::isnan(value)) return static_cast<std::size_t>(node.default_left ? node.left : node.right);
  return static_cast<std::size_t>(value < node.split ? node.left : node.right);
}

// Tree SHAP's path: the features split on from the root down to here, with
// the fraction of training cover that flows each way.
struct PathElement {
  std::int64_t feature = -1;
  double zero_fraction = 0, one_fraction = 0, weight = 0;
};

void extend(PathElement* path, std::uint32_t depth, double zero, double one, std::int64_t feature) {
  path[depth] = {feature, zero, one, depth == 0 ? 1.0 : 0.0};
  for (std::uint32_t i = depth; i-- > 0;) {
    path[i + 1].weight += one * path[i].weight * (i + 1) / static_cast<double>(depth + 1);
    path[i].weight = zero * path[i].weight * (depth - i) / static_cast<double>(depth + 1);
  }
}

void unwind(PathElement* path, std::uint32_t depth, std::uint32_t at) {
  const double one = path[at].one_fraction, zero = path[at].zero_fraction;
  double next_one = path[depth].weight;
  for (std::uint32_t i = depth; i-- > 0;) {
    if (one != 0) {
      const double tmp = path[i].weight;
      path[i].weight = next_one * (depth + 1) / ((i + 1) * one);
      next_one = tmp - path[i].weight * zero * (depth - i) / static_cast<double>(depth + 1);
    } else if (zero != 0) {
      path[i].weight = path[i].weight * (depth + 1) / (zero * (depth - i));
    }
  }
  for (std::uint32_t i = at; i < depth; ++i) {
    path[i].feature = path[i + 1].feature;
    path[i].zero_fraction = path[i + 1].zero_fraction;
    path[i].one_fraction = path[i + 1].one_fraction;
  }
}

double unwound_sum(const PathElement* path, std::uint32_t depth, std::uint32_t at) {
  const double one = path[at].one_fraction, zero = path[at].zero_fraction;
  double next_one = path[depth].weight, total = 0;
  for (std::uint32_t i = depth; i-- > 0;) {
    if (one != 0) {
      const double tmp = next_one * (depth + 1) / ((i + 1) * one);
      total += tmp;
      next_one = path[i].weight - tmp * zero * ((depth - i) / static_cast<double>(depth + 1));
    } else if (zero != 0) {
      total += (path[i].weight / zero) / ((depth - i) / static_cast<double>(depth + 1));
    }
  }
  return total;
}

struct Shap {
  const Forest::Tree& tree;
  std::span<const float> x;
  std::span<double> phi;

  // `parent` is this call's own copy of the path, `depth` elements long
  // before extending; the copy for the children goes right after it.
  void walk(std::size_t at, std::uint32_t depth, const PathElement* parent, double zero, double one,
            std::int64_t feature, PathElement* scratch) {
    PathElement* path = scratch;
    std::copy(parent, parent + depth, path);
    extend(path, depth, zero, one, feature);
    const Forest::Node& node = tree.nodes[at];
    if (node.left < 0) {
      for (std::uint32_t i = 1; i <= depth; ++i) {
        const double w = unwound_sum(path, depth, i);
        const PathElement& e = path[i];
        phi[static_cast<std::size_t>(e.feature)] += w * (e.one_fraction - e.zero_fraction) * node.split;
      }
      return;
    }
    const std::size_t hot = next(node, x[node.feature]);
    const std::size_t cold = hot == static_cast<std::size_t>(node.left) ? static_cast<std::size_t>(node.right)
                                                                         : static_cast<std::size_t>(node.left);
    const double w = node.cover;
    const double hot_zero = w > 0 ? tree.nodes[hot].cover / w : 0;
    const double cold_zero = w > 0 ? tree.nodes[cold].cover / w : 0;
    double incoming_zero = 1, incoming_one = 1;
    // A feature split on again above: undo that split, so it is counted once.
    std::uint32_t k = 0;
    while (k <= depth && path[k].feature != static_cast<std::int64_t>(node.feature)) ++k;
    if (k <= depth) {
      incoming_zero = path[k].zero_fraction;
      incoming_one = path[k].one_fraction;
      unwind(path, depth, k);
      --depth;
    }
    PathElement* child_scratch = path + depth + 1;
    walk(hot, depth + 1, path, hot_zero * incoming_zero, incoming_one, node.feature, child_scratch);
    walk(cold, depth + 1, path, cold_zero * incoming_zero, 0, node.feature, child_scratch);
  }
};

}  // namespace

Result<Forest> Forest::from_xgboost_json(std::string_view json_text, std::size_t num_features) {
  const Json doc = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return bad("not valid JSON");
  const Json* learner = member(doc, "learner", Json::value_t::object);
  if (learner == nullptr) return bad("no \"learner\" object (not an XGBoost JSON model)");
  const Json* objective = member(*learner, "objective", Json::value_t::object);
  const Json* objective_name = objective == nullptr ? nullptr : member(*objective, "name", Json::value_t::string);
  if (objective_name == nullptr || objective_name->get_ref<const std::string&>() != "binary:logistic") {
    return bad("the objective is not binary:logistic");
  }
  const Json* booster = member(*learner, "gradient_booster", Json::value_t::object);
  const Json* booster_name = booster == nullptr ? nullptr : member(*booster, "name", Json::value_t::string);
  if (booster_name == nullptr || booster_name->get_ref<const std::string&>() != "gbtree") {
    return bad("the booster is not gbtree");
  }
  const Json* model = member(*booster, "model", Json::value_t::object);
  const Json* trees = model == nullptr ? nullptr : member(*model, "trees", Json::value_t::array);
  if (trees == nullptr || trees->empty()) return bad("no trees");
  if (const Json* info = member(*model, "tree_info", Json::value_t::array); info != nullptr) {
    for (const Json& g : *info) {
      if (!g.is_number_integer() || g.get<std::int64_t>() != 0) return bad("a tree of another output group");
    }
  }
  const Json* param = member(*learner, "learner_model_param", Json::value_t::object);
  const auto base_score = param == nullptr ? std::nullopt : string_number(*param, "base_score");
  if (!base_score || !(*base_score > 0 && *base_score < 1)) return bad("base_score is not a probability");

  Forest f;
  f.num_features_ = num_features;
  f.base_margin_ = std::log(*base_score / (1 - *base_score));
  f.trees_.reserve(trees->size());
  for (const Json& t : *trees) {
    auto tree = read_tree(t, num_features);
    if (!tree) return std::unexpected(tree.error());
    f.max_depth_ = std::max(f.max_depth_, tree->depth);
    f.trees_.push_back(std::move(*tree));
  }
  return f;
}

double Forest::margin(std::span<const float> x) const {
  double sum = base_margin_;
  for (const Tree& t : trees_) {
    std::size_t at = 0;
    while (t.nodes[at].left >= 0) {
      const Node& node = t.nodes[at];
      at = next(node, node.feature < x.size() ? x[node.feature] : std::numeric_limits<float>::quiet_NaN());
    }
    sum += t.nodes[at].split;
  }
  return sum;
}

void Forest::contributions(std::span<const float> x, std::span<double> phi) const {
  if (phi.size() != num_features_ + 1 || x.size() != num_features_) return;
  std::fill(phi.begin(), phi.end(), 0.0);
  // Each level of the walk keeps its own copy of the path: depth + 1
  // elements at level depth, so (D + 2)(D + 3) / 2 in all for depth D.
  const std::size_t d = max_depth_ + 2;
  std::vector<PathElement> scratch((d + 1) * (d + 2) / 2);
  phi.back() = base_margin_;
  for (const Tree& t : trees_) {
    phi.back() += t.mean[0];
    Shap shap{t, x, phi};
    shap.walk(0, 0, scratch.data(), 1, 1, -1, scratch.data());
  }
}

}  // namespace sluice::model
