#pragma once
#include <vector>

#include "sluice/finding.hpp"
#include "sluice/policy.hpp"

namespace sluice::scoring {

struct Score {
  double score = 0;
  Verdict verdict = Verdict::clean;
};

// Pure: weights every finding from the policy (or from the finding's own
// `weight`, which a YARA rule's score sets), sorts them (highest first, then
// by artifact), and derives the verdict. Each finding ID counts once, at its
// highest weight, so a thousand identical anomalies do not outvote one
// executable; findings the policy calls context (lure, sender, link text)
// never raise the verdict alone; floors then lift it (a limit hit is never clean).
[[nodiscard]] Score score(std::vector<Finding>& findings, const Policy& policy);

}  // namespace sluice::scoring
