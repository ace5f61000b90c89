#include "training/metrics.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <vector>

#include <nlohmann/json.hpp>

namespace sluice::training {
namespace {

// Area under the ROC curve as the Mann-Whitney statistic: the chance a random
// malicious sample scores above a random benign one, ties counting half.
double roc_auc(std::span<const float> p, std::span<const float> y) {
  std::vector<std::size_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  double rank_sum = 0, pos = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && p[order[j]] == p[order[i]]) ++j;
    const double mid_rank = (static_cast<double>(i) + static_cast<double>(j - 1)) / 2.0 + 1.0;
    for (std::size_t k = i; k < j; ++k) {
      if (y[order[k]] > 0.5) {
        rank_sum += mid_rank;
        pos += 1;
      }
    }
    i = j;
  }
  const double neg = static_cast<double>(p.size()) - pos;
  if (pos == 0 || neg == 0) return 0;
  return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg);
}

// Average precision: precision at each malicious sample's rank, averaged;
// tied scores form one step, as scikit-learn computes it.
double average_precision(std::span<const float> p, std::span<const float> y) {
  std::vector<std::size_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] > p[b]; });
  double pos_total = 0;
  for (float v : y) pos_total += v > 0.5f ? 1 : 0;
  if (pos_total == 0) return 0;
  double tp = 0, seen = 0, ap = 0, last_recall = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && p[order[j]] == p[order[i]]) {
      tp += y[order[j]] > 0.5f ? 1 : 0;
      seen += 1;
      ++j;
    }
    const double recall = tp / pos_total;
    ap += (recall - last_recall) * (tp / seen);
    last_recall = recall;
    i = j;
  }
  return ap;
}

double ratio(std::uint64_t a, std::uint64_t b) { return b == 0 ? 0 : static_cast<double>(a) / static_cast<double>(b); }

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

Metrics measure(std::span<const float> p, std::span<const float> y, std::span<const std::string> techniques,
                double threshold) {
  Metrics m;
  m.threshold = threshold;
  m.roc_auc = roc_auc(p, y);
  m.pr_auc = average_precision(p, y);
  for (std::size_t i = 0; i < p.size(); ++i) {
    const bool flagged = p[i] >= threshold;
    const bool malicious = y[i] > 0.5f;
    Confusion& c = m.confusion;
    (malicious ? (flagged ? c.true_positive : c.false_negative) : (flagged ? c.false_positive : c.true_negative)) += 1;
    if (malicious && i < techniques.size() && !techniques[i].empty()) {
      auto& [caught, of] = m.by_technique[techniques[i]];
      caught += flagged ? 1 : 0;
      of += 1;
    }
  }
  const Confusion& c = m.confusion;
  m.precision = ratio(c.true_positive, c.true_positive + c.false_positive);
  m.recall = ratio(c.true_positive, c.true_positive + c.false_negative);
  m.false_positive_rate = ratio(c.false_positive, c.false_positive + c.true_negative);
  return m;
}

std::string to_json(const Metrics& m) {
  nlohmann::ordered_json j;
  j["roc_auc"] = m.roc_auc;
  j["pr_auc"] = m.pr_auc;
  j["threshold"] = m.threshold;
  j["precision"] = m.precision;
  j["recall"] = m.recall;
  j["false_positive_rate"] = m.false_positive_rate;
  j["confusion"] = {{"true_positive", m.confusion.true_positive},
                    {"false_positive", m.confusion.false_positive},
                    {"true_negative", m.confusion.true_negative},
                    {"false_negative", m.confusion.false_negative}};
  nlohmann::ordered_json t = nlohmann::ordered_json::object();
  for (const auto& [name, counts] : m.by_technique) t[name] = {{"caught", counts.first}, {"of", counts.second}};
  j["recall_by_technique"] = std::move(t);
  return j.dump();
}

std::string to_text(const Metrics& m) {
  const Confusion& c = m.confusion;
  std::string out = "ROC AUC " + fixed(m.roc_auc, 4) + "  PR AUC " + fixed(m.pr_auc, 4) + "  at " +
                    fixed(m.threshold, 2) + ": precision " + fixed(m.precision, 4) + "  recall " +
                    fixed(m.recall, 4) + "  false-positive rate " + fixed(m.false_positive_rate, 5) + "\n" +
                    "  confusion: " + std::to_string(c.true_positive) + " TP  " + std::to_string(c.false_positive) +
                    " FP  " + std::to_string(c.true_negative) + " TN  " + std::to_string(c.false_negative) + " FN\n";
  for (const auto& [name, counts] : m.by_technique) {
    out += "  " + name + ": " + std::to_string(counts.first) + " of " + std::to_string(counts.second) + " caught\n";
  }
  return out;
}

}  // namespace sluice::training
