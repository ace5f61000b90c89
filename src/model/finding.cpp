#include "model/finding.hpp"

#include <algorithm>
#include <cmath>
#include <charconv>
#include <iterator>
#include <system_error>

namespace sluice::model {
namespace {

// What "%+.*f" / "%.*f" print (to_chars is specified to round as printf
// does), without printf's format parsing and locale: snprintf here was 1.4 %
// of a ham scan.
std::string fixed(double v, int digits, bool sign = false) {
  char buf[400];  // the largest double in fixed notation is 309 digits
  char* p = buf;
  if (sign && !std::signbit(v)) *p++ = '+';
  const auto r = std::to_chars(p, std::end(buf), v, std::chars_format::fixed, digits);
  if (r.ec != std::errc{}) return "?";
  return {buf, r.ptr};
}

// Counts and flags print as integers; sizes, entropy and scores keep two places.
std::string value_text(float v) {
  if (std::nearbyint(v) == v && std::fabs(v) < 1e9f) return std::to_string(static_cast<long long>(v));
  return fixed(v, 2);
}

}  // namespace

Finding score_finding(const Model& model, const FeatureSpace& space, std::span<const float> x,
                      const ModelConfig& config) {
  const Explanation e = model.explain(x, config.top_contributions);
  Finding f;
  f.id = "model.score";
  f.artifact = 0;
  if (e.probability >= config.malicious_at) {
    f.severity = Severity::high;
    f.weight = config.malicious_weight;
  } else if (e.probability >= config.suspicious_at) {
    f.severity = Severity::medium;
    f.weight = config.suspicious_weight;
  } else {
    f.severity = Severity::info;
    f.weight = 0.0;
  }
  // Every scanned message carries this finding: its text is appended in
  // place rather than through a temporary string per operator+.
  f.message.reserve(64 + 40 * e.top.size());
  f.message += "model probability ";
  f.message += fixed(e.probability, 3);
  const auto features = space.features();
  for (std::size_t i = 0; i < e.top.size(); ++i) {
    const Contribution& c = e.top[i];
    f.message += i == 0 ? " — " : ", ";
    f.message += features[c.feature].name;
    f.message += " (";
    f.message += fixed(c.value, 2, true);
    f.message += ')';
  }
  f.evidence.reserve(4 + e.top.size());
  f.evidence.emplace_back("probability", fixed(e.probability, 4));
  f.evidence.emplace_back("margin", fixed(e.margin, 4));
  f.evidence.emplace_back("bias", fixed(e.bias, 4));
  // Numbered keys: the report's evidence is a JSON object, one value per key.
  for (std::size_t i = 0; i < e.top.size(); ++i) {
    const Contribution& c = e.top[i];
    std::string value = features[c.feature].name;
    value += '=';
    value += value_text(x[c.feature]);
    value += ' ';
    value += fixed(c.value, 3, true);
    f.evidence.emplace_back("contribution_" + std::to_string(i + 1), std::move(value));
  }
  f.evidence.emplace_back("feature_version", model.header().feature_version);
  return f;
}

bool cap_weight(std::vector<Finding>& findings, const scoring::Score& rules, const ModelConfig& config,
                const Policy& policy, const scoring::Score& with_model) {
  const Verdict cap = std::max(rules.verdict, config.max_verdict);
  if (with_model.verdict <= cap || cap >= Verdict::malicious) return false;
  const double next = cap == Verdict::clean ? policy.suspicious_at : policy.malicious_at;
  for (Finding& f : findings) {
    if (f.id != "model.score") continue;
    // Whole points, as policy weights are: the score lands one below the threshold.
    const double allowed = std::max(0.0, std::floor(next - rules.score - 1));
    f.weight = std::min(f.weight.value_or(0.0), allowed);
    f.evidence.emplace_back("weight_capped", fixed(*f.weight, 0) + " ([model] max_verdict " +
                                                 std::string(to_string(config.max_verdict)) + ")");
    return true;
  }
  return false;
}

}  // namespace sluice::model
