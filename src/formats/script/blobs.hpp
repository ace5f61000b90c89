#pragma once
// Base64 inside scripts: the argument of PowerShell's -EncodedCommand (UTF-16LE
// text) and long runs that carry a payload (a PE, a ZIP, a second script).
// Pure: finds the runs; the unpacker decodes them through the budget.
#include <cstdint>
#include <string_view>
#include <vector>

namespace sluice::formats::script {

struct Base64Run {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;          // alphabet characters plus '=' padding
  bool encoded_command = false;      // preceded by -e/-ec/-enc.../-EncodedCommand
};

// Runs of at least `min_blob` characters, or at least `min_command` after an
// -EncodedCommand switch. Hex-only and single-case runs are skipped: long hex
// strings and identifiers are not base64 payloads. At most `max_runs`.
[[nodiscard]] std::vector<Base64Run> find_base64_runs(std::string_view text, std::size_t min_blob,
                                                      std::size_t min_command, std::size_t max_runs);

}  // namespace sluice::formats::script
