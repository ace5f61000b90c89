#include "model/forest.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace sluice::model {
namespace {

using Json = nlohmann::json;
using Node = Forest::Node;

std::unexpected<Error> bad(std::string what) { return fail(Errc::malformed, 0, "model trees: " + std::move(what)); }

const Json* member(const Json& j, std::string_view key, Json::value_t type) {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(key);
  if (it == j.end() || it->type() != type) return nullptr;
  return &*it;
}

bool is_string(const Json* j, std::string_view value) {
  return j != nullptr && j->is_string() && j->get_ref<const std::string&>() == value;
}

// Node indices and feature numbers are 32-bit in XGBoost; a larger integer
// is not a node it wrote (and must not wrap around into -1, "no child").
std::optional<std::int64_t> integer(const Json& v) {
  constexpr std::int64_t lo = std::numeric_limits<std::int32_t>::min();
  constexpr std::int64_t hi = std::numeric_limits<std::int32_t>::max();
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(hi)) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) {
    const auto s = v.get<std::int64_t>();
    return s >= lo && s <= hi ? std::optional<std::int64_t>(s) : std::nullopt;
  }
  return std::nullopt;
}

// XGBoost keeps these values as floats; a JSON number beyond float range
// (or "1e999", which parses as infinity) was not written by it.
std::optional<float> real(const Json& v) {
  if (!v.is_number()) return std::nullopt;
  const double d = v.get<double>();
  if (!std::isfinite(d) || std::fabs(d) > std::numeric_limits<float>::max()) return std::nullopt;
  return static_cast<float>(d);
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

// One tree's arrays as XGBoost wrote them, every field type-checked.
Result<std::vector<SourceNode>> raw_nodes(const Json& t, const std::string& name) {
  const Json* left = member(t, "left_children", Json::value_t::array);
  if (left == nullptr || left->empty()) return bad(name + " has no left_children");
  const std::size_t n = left->size();
  const auto array = [&](std::string_view key) {
    const Json* a = member(t, key, Json::value_t::array);
    return a != nullptr && a->size() == n ? a : nullptr;
  };
  const Json* right = array("right_children");
  const Json* index = array("split_indices");
  const Json* cond = array("split_conditions");
  const Json* dleft = array("default_left");
  const Json* cover = array("sum_hessian");
  if (right == nullptr || index == nullptr || cond == nullptr || dleft == nullptr || cover == nullptr) {
    return bad(name + ": node arrays missing or of different lengths");
  }
  // 1.7 writes split_type for every node; 1 is a categorical split.
  if (const auto it = t.find("split_type"); it != t.end()) {
    if (!it->is_array()) return bad(name + ": split_type is not an array");
    for (const Json& v : *it) {
      if (integer(v) != 0) return bad(name + ": categorical splits are not supported");
    }
  }
  std::vector<SourceNode> raw(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto l = integer((*left)[i]), r = integer((*right)[i]), f = integer((*index)[i]);
    const auto c = real((*cond)[i]), h = real((*cover)[i]);
    const Json& d = (*dleft)[i];
    const auto dl =
        d.is_boolean() ? std::optional<bool>(d.get<bool>()) : integer(d).transform([](auto v) { return v != 0; });
    if (!l || !r || !f || !c || !h || !dl) {
      return bad(name + " node " + std::to_string(i) + ": a field of the wrong type");
    }
    raw[i] = {static_cast<std::int32_t>(*l), static_cast<std::int32_t>(*r), static_cast<std::int32_t>(*f), *c, *h, *dl};
  }
  return raw;
}

struct Loaded {
  std::vector<Node> nodes;
  std::vector<std::uint32_t> roots;
  double mean_sum = 0;
  std::uint32_t max_depth = 0;
};

// Appends the nodes reachable from the root, breadth first: children then get
// adjacent indices after their parent, whatever XGBoost's numbering was. A
// tree pruned by `gamma` keeps its deleted nodes in the arrays, unreachable,
// so those are skipped rather than refused.
Status append_tree(std::span<const SourceNode> raw, std::size_t num_features, const std::string& name, Loaded& out) {
  const std::size_t root = out.nodes.size();
  if (raw.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()) - root) {
    return bad("more nodes than 32-bit indices reach");
  }
  out.roots.push_back(static_cast<std::uint32_t>(root));
  out.nodes.reserve(root + raw.size());
  std::vector<std::uint32_t> origin{0}, depth{0};  // per new node: its raw index, its depth
  std::vector<std::uint8_t> seen(raw.size(), 0);
  seen[0] = 1;
  out.nodes.push_back(Node{.share = 1});
  for (std::size_t k = 0; k < origin.size(); ++k) {
    const SourceNode& r = raw[origin[k]];
    const auto where = [&] { return name + " node " + std::to_string(origin[k]); };
    out.nodes[root + k].value = r.value;
    if (r.left == -1 && r.right == -1) continue;
    const auto in_range = [&](std::int32_t c) { return c >= 0 && static_cast<std::uint64_t>(c) < raw.size(); };
    if (!in_range(r.left) || !in_range(r.right)) return bad(where() + ": a child out of range");
    const auto lc = static_cast<std::size_t>(r.left), rc = static_cast<std::size_t>(r.right);
    if (lc == rc || seen[lc] != 0 || seen[rc] != 0) {
      return bad(where() + ": a child reached twice (a cycle or a shared child)");
    }
    if (depth[k] >= Forest::kMaxDepth) return bad(name + " is deeper than " + std::to_string(Forest::kMaxDepth));
    if (r.feature < 0 || static_cast<std::uint64_t>(r.feature) >= num_features) {
      return bad(where() + " splits on feature " + std::to_string(r.feature) + " of " + std::to_string(num_features));
    }
    // Tree SHAP divides by the cover; children with more than their parent
    // would make the fractions, and with them the path weights, explode.
    const float cover = r.cover, lcover = raw[lc].cover, rcover = raw[rc].cover;
    const auto fits = [&](float c) { return c >= 0 && c <= cover * 1.001f; };
    if (!(cover > 0) || !fits(lcover) || !fits(rcover)) return bad(where() + ": inconsistent sum_hessian");
    Node& node = out.nodes[root + k];
    node.left = static_cast<std::int32_t>(root + origin.size());
    node.feature = static_cast<std::uint32_t>(r.feature);
    node.default_left = r.default_left;
    // In float, as XGBoost divides them.
    for (const auto& [c, child_cover] : {std::pair{lc, lcover}, std::pair{rc, rcover}}) {
      seen[c] = 1;
      origin.push_back(static_cast<std::uint32_t>(c));
      depth.push_back(depth[k] + 1);
      out.nodes.push_back(Node{.share = child_cover / cover});
    }
  }
  // Each node's cover-weighted mean leaf value, children before parents:
  // the root's is the tree's expected value, its part of the bias. Weighted
  // by the same float shares the Tree SHAP walk uses, so that bias and
  // contributions sum to the margin to double precision, not float's.
  std::vector<double> mean(origin.size());
  for (std::size_t k = origin.size(); k-- > 0;) {
    const Node& node = out.nodes[root + k];
    if (node.left < 0) {
      mean[k] = node.value;
      continue;
    }
    const std::size_t l = static_cast<std::size_t>(node.left) - root;
    mean[k] = mean[l] * out.nodes[root + l].share + mean[l + 1] * out.nodes[root + l + 1].share;
  }
  out.mean_sum += mean[0];
  out.max_depth = std::max(out.max_depth, *std::max_element(depth.begin(), depth.end()));
  return {};
}

std::uint32_t next(const Node& node, std::span<const float> x) {
  const float v = node.feature < x.size() ? x[node.feature] : std::numeric_limits<float>::quiet_NaN();
  const bool right = std::isnan(v) ? !node.default_left : !(v < node.value);
  return static_cast<std::uint32_t>(node.left) + (right ? 1 : 0);
}

// 1/k: the path weight recurrences divide by small integers in their inner
// loops; a table turns those divisions into multiplications.
constexpr std::array<double, Forest::kMaxDepth + 2> kInverse = [] {
  std::array<double, Forest::kMaxDepth + 2> a{};
  for (std::size_t k = 1; k < a.size(); ++k) a[k] = 1.0 / static_cast<double>(k);
  return a;
}();

// Tree SHAP's path: the features split on from the root down to here, with
// the fraction of training cover (zero) and of this vector (one, 0 or 1)
// flowing this way, and the permutation weights of each subset size.
struct PathElement {
  std::int32_t feature = -1;
  double zero = 0, one = 0, weight = 0;
};

// Algorithm 2's EXTEND, reading the parent's path and writing this level's
// copy in the same pass. Copying first and extending in place is slower: each
// step would load a weight just stored, and the carry from element i + 1
// would go through memory; here it stays in a register.
void extend(const PathElement* parent, PathElement* path, std::uint32_t depth, double zero, double one,
            std::int32_t feature) {
  path[depth] = {feature, zero, one, 0.0};
  const double inv = kInverse[depth + 1];
  double carry = depth == 0 ? 1.0 : 0.0;
  for (std::uint32_t i = depth; i-- > 0;) {
    const PathElement& p = parent[i];
    path[i + 1].weight = carry + one * p.weight * (i + 1) * inv;
    carry = zero * p.weight * (depth - i) * inv;
    path[i].feature = p.feature;
    path[i].zero = p.zero;
    path[i].one = p.one;
  }
  path[0].weight = carry;
}

// Algorithm 2's UNWIND: takes element `at` out of the path, as if it had
// never been extended by it (`one` is 0 or 1, as in add_leaf).
void unwind(PathElement* path, std::uint32_t depth, std::uint32_t at) {
  const double one = path[at].one, zero = path[at].zero;
  const double inv = kInverse[depth + 1];
  if (one != 0) {
    double next_one = path[depth].weight;
    const double scale = depth + 1;
    for (std::uint32_t i = depth; i-- > 0;) {
      const double tmp = path[i].weight;
      path[i].weight = next_one * scale * kInverse[i + 1];
      next_one = tmp - path[i].weight * zero * (depth - i) * inv;
    }
  } else if (zero != 0) {
    const double scale = (depth + 1) / zero;
    for (std::uint32_t i = depth; i-- > 0;) path[i].weight *= scale * kInverse[depth - i];
  }
  for (std::uint32_t i = at; i < depth; ++i) {
    path[i].feature = path[i + 1].feature;
    path[i].zero = path[i + 1].zero;
    path[i].one = path[i + 1].one;
  }
}

// At a leaf, Algorithm 2's UNWOUND_SUM for every path element (the path's
// total permutation weight with that element taken out), times
// (one - zero) and the leaf value, added to phi. The walk only ever sets
// `one` to exactly 0 or 1, which leaves the divisions out. Elements the vector
// did not follow (one == 0) all come to the same value, computed once.
void add_leaf(const PathElement* path, std::uint32_t depth, double value, std::span<double> phi) {
  const double d1 = depth + 1, inv = kInverse[depth + 1];
  double cold_sum = 0;
  for (std::uint32_t i = 0; i < depth; ++i) cold_sum += path[i].weight * kInverse[depth - i];
  for (std::uint32_t k = 1; k <= depth; ++k) {
    const PathElement& e = path[k];
    if (e.one != 0) {
      double next = path[depth].weight, total = 0;
      for (std::uint32_t i = depth; i-- > 0;) {
        const double up = d1 * kInverse[i + 1];
        total += next * up;
        // Grouped so that `next` waits on one multiplication per step, not four.
        next = path[i].weight - next * (up * (depth - i) * inv * e.zero);
      }
      phi[static_cast<std::size_t>(e.feature)] += total * (1 - e.zero) * value;
    } else if (e.zero != 0) {
      // (one - zero) = -zero cancels the unwound sum's 1 / zero.
      phi[static_cast<std::size_t>(e.feature)] -= cold_sum * d1 * value;
    }
  }
}

// Tree SHAP's walk over one tree. Which child of each split is "hot" (the one
// the vector follows) is `decide`'s to say: the vector itself at scan time, or
// a pattern of decisions when a small tree's answers are tabulated.
template <class Decide>
struct Shap {
  const Node* nodes;
  Decide decide;
  std::span<double> phi;

  // `path` is this level's own copy of its parent's path (`depth` elements),
  // made and extended here; the children's copies go right after it.
  void walk(std::uint32_t at, std::uint32_t depth, const PathElement* parent, PathElement* path, double zero,
            double one, std::int32_t feature) const {
    extend(parent, path, depth, zero, one, feature);
    const Node& node = nodes[at];
    if (node.left < 0) {
      add_leaf(path, depth, node.value, phi);
      return;
    }
    const auto left = static_cast<std::uint32_t>(node.left);
    const std::uint32_t hot = decide(at, node);
    const std::uint32_t cold = hot == left ? left + 1 : left;
    const auto split = static_cast<std::int32_t>(node.feature);
    double incoming_zero = 1, incoming_one = 1;
    // A feature split on again below itself: undo the earlier split, so that
    // the feature is one player of the game however often it is split on.
    std::uint32_t k = 1;
    while (k <= depth && path[k].feature != split) ++k;
    if (k <= depth) {
      incoming_zero = path[k].zero;
      incoming_one = path[k].one;
      unwind(path, depth, k);
      --depth;
    }
    PathElement* below = path + depth + 1;
    walk(hot, depth + 1, path, below, nodes[hot].share * incoming_zero, incoming_one, split);
    walk(cold, depth + 1, path, below, nodes[cold].share * incoming_zero, 0, split);
  }
};

template <class Decide>
Shap<Decide> make_shap(const Node* nodes, Decide decide, std::span<double> phi) {
  return Shap<Decide>{nodes, decide, phi};
}

std::size_t scratch_size(std::uint32_t max_depth) {
  // Level d of the walk keeps a path of at most d + 1 elements.
  return static_cast<std::size_t>(max_depth + 1) * (max_depth + 2) / 2;
}

}  // namespace

// A tree's contributions depend on the vector only through which way each of
// its splits goes. For a tree of s splits there are 2^s such patterns; where s
// is small (the shipped model's trees have at most five), every pattern's
// answer is worked out once, at load, by the same walk, and a scan looks its
// pattern up: s comparisons instead of a walk over every node. Each entry is
// the sum of the tree's leaf terms for one feature, added to the vector's
// total as the walk would have added them one by one (the same values up to
// the last bit of a double's rounding).
void Forest::tabulate(std::uint32_t tree, std::size_t& pattern_budget) {
  const std::uint32_t root = roots_[tree];
  const std::uint32_t end = tree + 1 < roots_.size() ? roots_[tree + 1] : static_cast<std::uint32_t>(nodes_.size());
  Table t;
  std::vector<std::int32_t> ordinal(end - root, -1);  // a split's bit in the pattern
  for (std::uint32_t at = root; at < end; ++at) {
    if (nodes_[at].left < 0) continue;
    if (t.splits.size() == kMaxTabulatedSplits) return;
    ordinal[at - root] = static_cast<std::int32_t>(t.splits.size());
    t.splits.push_back(at);
    if (std::find(t.features.begin(), t.features.end(), nodes_[at].feature) == t.features.end()) {
      t.features.push_back(nodes_[at].feature);
    }
  }
  const std::size_t patterns = std::size_t{1} << t.splits.size();
  // Loading work stays bounded whatever a user's model holds: past the
  // forest's budget of patterns, trees are walked.
  if (patterns > pattern_budget) return;
  pattern_budget -= patterns;
  t.phi.resize(patterns * t.features.size());
  std::vector<double> phi(num_features_ + 1, 0.0);
  std::vector<PathElement> scratch(scratch_size(max_depth_));
  for (std::size_t pattern = 0; pattern < patterns; ++pattern) {
    auto by_pattern = [&](std::uint32_t at, const Node& node) {
      const auto bit = static_cast<std::size_t>(ordinal[at - root]);
      return static_cast<std::uint32_t>(node.left) + static_cast<std::uint32_t>((pattern >> bit) & 1u);
    };
    make_shap(nodes_.data(), by_pattern, phi).walk(root, 0, scratch.data(), scratch.data(), 1, 1, -1);
    for (std::size_t j = 0; j < t.features.size(); ++j) {
      t.phi[pattern * t.features.size() + j] = phi[t.features[j]];
      phi[t.features[j]] = 0;
    }
  }
  tables_[tree] = std::move(t);
}

Result<Forest> Forest::from_xgboost_json(std::string_view json_text, std::size_t num_features) {
  const Json doc = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return bad("not valid JSON");
  return from_xgboost_document(doc, num_features);
}

Result<Forest> Forest::from_xgboost_document(const Json& doc, std::size_t num_features) {
  auto source = read_xgboost_document(doc);
  if (!source) return std::unexpected(std::move(source.error()));
  return build(*source, num_features);
}

Result<ForestSource> Forest::read_xgboost_document(const Json& doc) {
  const Json* learner = member(doc, "learner", Json::value_t::object);
  if (learner == nullptr) return bad("no \"learner\" object (not an XGBoost JSON model)");
  const Json* objective = member(*learner, "objective", Json::value_t::object);
  if (objective == nullptr || !is_string(member(*objective, "name", Json::value_t::string), "binary:logistic")) {
    return bad("the objective is not binary:logistic");
  }
  const Json* booster = member(*learner, "gradient_booster", Json::value_t::object);
  if (booster == nullptr || !is_string(member(*booster, "name", Json::value_t::string), "gbtree")) {
    return bad("the booster is not gbtree");
  }
  const Json* model = member(*booster, "model", Json::value_t::object);
  const Json* trees = model == nullptr ? nullptr : member(*model, "trees", Json::value_t::array);
  if (trees == nullptr || trees->empty()) return bad("no trees");
  const Json* info = member(*model, "tree_info", Json::value_t::array);
  if (info == nullptr || info->size() != trees->size()) return bad("tree_info does not match the trees");
  for (const Json& group : *info) {
    if (integer(group) != 0) return bad("a tree of an output group other than 0");
  }
  const Json* param = member(*learner, "learner_model_param", Json::value_t::object);
  const auto base_score = param == nullptr ? std::nullopt : string_number(*param, "base_score");
  if (!base_score) return bad("base_score is not a probability");

  ForestSource source;
  source.base_score = *base_score;
  source.trees.reserve(trees->size());
  for (std::size_t i = 0; i < trees->size(); ++i) {
    const std::string name = "tree " + std::to_string(i);
    const Json& t = (*trees)[i];
    if (!t.is_object()) return bad(name + " is not an object");
    auto raw = raw_nodes(t, name);
    if (!raw) return std::unexpected(std::move(raw.error()));
    source.trees.push_back(std::move(*raw));
  }
  return source;
}

Result<Forest> Forest::build(const ForestSource& source, std::size_t num_features) {
  if (!(source.base_score > 0 && source.base_score < 1)) return bad("base_score is not a probability");
  if (source.trees.empty()) return bad("no trees");
  Loaded loaded;
  for (std::size_t i = 0; i < source.trees.size(); ++i) {
    if (source.trees[i].empty()) return bad("tree " + std::to_string(i) + " has no nodes");
    if (auto st = append_tree(source.trees[i], num_features, "tree " + std::to_string(i), loaded); !st) {
      return std::unexpected(std::move(st.error()));
    }
  }
  Forest f;
  f.nodes_ = std::move(loaded.nodes);
  f.roots_ = std::move(loaded.roots);
  f.num_features_ = num_features;
  f.base_margin_ = std::log(source.base_score / (1 - source.base_score));
  f.bias_ = f.base_margin_ + loaded.mean_sum;
  f.max_depth_ = loaded.max_depth;
  f.tables_.resize(f.roots_.size());
  std::size_t pattern_budget = kMaxTabulatedPatterns;
  for (std::uint32_t tree = 0; tree < f.roots_.size(); ++tree) f.tabulate(tree, pattern_budget);
  return f;
}

double Forest::margin(std::span<const float> x) const {
  double sum = base_margin_;
  for (const std::uint32_t root : roots_) {
    std::uint32_t at = root;
    while (nodes_[at].left >= 0) at = next(nodes_[at], x);
    sum += nodes_[at].value;
  }
  return sum;
}

void Forest::contributions(std::span<const float> x, std::span<double> out) const {
  std::fill(out.begin(), out.end(), 0.0);
  if (out.size() != num_features_ + 1) return;
  std::vector<PathElement> scratch;
  auto by_vector = [x](std::uint32_t, const Node& node) { return next(node, x); };
  const auto shap = make_shap(nodes_.data(), by_vector, out);
  for (std::size_t tree = 0; tree < roots_.size(); ++tree) {
    const Table& t = tables_[tree];
    if (t.phi.empty()) {
      if (scratch.empty()) scratch.resize(scratch_size(max_depth_));
      shap.walk(roots_[tree], 0, scratch.data(), scratch.data(), 1, 1, -1);
      continue;
    }
    std::size_t pattern = 0;
    for (std::size_t k = 0; k < t.splits.size(); ++k) {
      const Node& node = nodes_[t.splits[k]];
      pattern |= static_cast<std::size_t>(next(node, x) != static_cast<std::uint32_t>(node.left)) << k;
    }
    const double* row = t.phi.data() + pattern * t.features.size();
    for (std::size_t j = 0; j < t.features.size(); ++j) out[t.features[j]] += row[j];
  }
  out.back() = bias_;
}

}  // namespace sluice::model
