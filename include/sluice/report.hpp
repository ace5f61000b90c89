#pragma once
// Rendering of scan results. JSON follows docs/report.schema.json (tests
// validate against it); text is for a person at a terminal.
#include <string>

#include "sluice/engine.hpp"

namespace sluice::report {

// 2: an artifact's md5 and sha1 are present for executables, and for every
// artifact only when [report] hashes lists them (ADR 0026).
inline constexpr int kSchemaVersion = 2;

// One JSON document for one input (no trailing newline); `pretty` indents.
[[nodiscard]] std::string to_json(const ScanResult& r, bool pretty);

// `doc` (a to_json() document) with one more top-level member whose value is
// the JSON text `value_json`: what a program adds beside the engine's result
// (sluice scan's "campaign"). `doc` must be a to_json() object.
[[nodiscard]] std::string with_member(std::string doc, std::string_view name, std::string_view value_json);

struct TextOptions {
  std::size_t max_findings = 10;
  bool color = false;
};
[[nodiscard]] std::string to_text(const ScanResult& r, const TextOptions& options);

}  // namespace sluice::report
