#include "scoring/scorer.hpp"

#include <algorithm>
#include <map>

namespace sluice::scoring {


Score score(std::vector<Finding>& findings, const Policy& policy) {
  std::map<std::string, double, std::less<>> best;
  Verdict floor = Verdict::clean;
  for (Finding& f : findings) {
    f.score = f.weight ? *f.weight : policy.weight(f.id, f.severity);
    auto [it, inserted] = best.try_emplace(f.id, f.score);
    if (!inserted) it->second = std::max(it->second, f.score);
    if (const auto fl = policy.floors.find(f.id); fl != policy.floors.end()) {
      floor = std::max(floor, fl->second);
    }
  }
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.artifact < b.artifact;
  });
  Score s;
  for (const auto& [id, w] : best) s.score += w;
  if (s.score >= policy.malicious_at) {
    s.verdict = Verdict::malicious;
  } else if (s.score >= policy.suspicious_at) {
    s.verdict = Verdict::suspicious;
  }
  s.verdict = std::max(s.verdict, floor);
  return s;
}

}  // namespace sluice::scoring
