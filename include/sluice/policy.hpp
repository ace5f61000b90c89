#pragma once
// Scoring policy: how much each finding weighs and where verdicts start. The
// built-in defaults are data/policy.toml compiled into the binary, so the file a
// user copies and edits is exactly what runs when they pass no --config.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/finding.hpp"
#include "sluice/limits.hpp"
#include "sluice/result.hpp"

namespace sluice {

enum class Verdict : std::uint8_t { clean, suspicious, malicious, error };
[[nodiscard]] std::string_view to_string(Verdict v) noexcept;
[[nodiscard]] std::optional<Verdict> verdict_from_string(std::string_view s) noexcept;

struct Policy {
  double suspicious_at = 30;
  double malicious_at = 70;
  // The lowest verdict that makes `sluice scan` exit 1.
  Verdict exit_at = Verdict::suspicious;
  // Weight per finding ID; IDs not listed fall back to their severity's weight.
  std::map<std::string, double, std::less<>> weights;
  std::map<Severity, double> severity_weights{{Severity::info, 0},
                                              {Severity::low, 5},
                                              {Severity::medium, 15},
                                              {Severity::high, 40},
                                              {Severity::critical, 80}};
  // A finding that lifts the verdict to at least this, whatever the score: a
  // limit hit is never clean.
  std::map<std::string, Verdict, std::less<>> floors;

  [[nodiscard]] double weight(std::string_view id, Severity severity) const;
};

struct Config {
  Limits limits;
  Policy policy;
};

// The built-in configuration (data/policy.toml as compiled in).
[[nodiscard]] Result<Config> default_config();
// Overlays TOML text on `base`: only the keys present change. Unknown keys are
// errors, so a typo in a limit name cannot silently leave the default in force.
[[nodiscard]] Result<Config> apply_config(Config base, std::string_view toml_text,
                                          std::string_view source_name);

}  // namespace sluice
