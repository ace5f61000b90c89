#pragma once
// Rendering of scan results. JSON follows docs/report.schema.json (tests
// validate against it); text is for a person at a terminal.
#include <string>

#include "sluice/engine.hpp"

namespace sluice::report {

inline constexpr int kSchemaVersion = 1;

// One JSON document for one input (no trailing newline); `pretty` indents.
[[nodiscard]] std::string to_json(const ScanResult& r, bool pretty);

struct TextOptions {
  std::size_t max_findings = 10;
  bool color = false;
};
[[nodiscard]] std::string to_text(const ScanResult& r, const TextOptions& options);

}  // namespace sluice::report
