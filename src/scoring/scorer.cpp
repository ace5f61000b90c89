#include "scoring/scorer.hpp"

#include <algorithm>
#include <map>

namespace sluice::scoring {

Score score(std::vector<Finding>& findings, const Policy& policy) {
  std::map<std::string, double, std::less<>> best;
  Verdict floor = Verdict::clean;
  bool beyond_context = false, any_context = false;
  for (Finding& f : findings) {
    f.score = f.weight ? *f.weight : policy.weight(f.id, f.severity);
    if (f.score > 0) (policy.context.contains(f.id) ? any_context : beyond_context) = true;
    auto [it, inserted] = best.try_emplace(f.id, f.score);
    if (!inserted) it->second = std::max(it->second, f.score);
    if (const auto fl = policy.floors.find(f.id); fl != policy.floors.end()) {
      floor = std::max(floor, fl->second);
    }
    if (policy.lies.contains(f.id)) floor = std::max(floor, Verdict::suspicious);
  }
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.artifact < b.artifact;
  });
  Score s;
  for (const auto& [id, w] : best) s.score += w;
  if (any_context && !beyond_context) {
    // Context alone: the score is kept for the report, the verdict is not raised.
  } else if (s.score >= policy.malicious_at) {
    s.verdict = Verdict::malicious;
  } else if (s.score >= policy.suspicious_at) {
    s.verdict = Verdict::suspicious;
  }
  s.verdict = std::max(s.verdict, floor);
  return s;
}

}  // namespace sluice::scoring
