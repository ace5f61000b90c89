#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

enum class Severity : std::uint8_t { info, low, medium, high, critical };
[[nodiscard]] std::string_view to_string(Severity s) noexcept;
[[nodiscard]] std::optional<Severity> severity_from_string(std::string_view s) noexcept;

using ArtifactId = std::uint32_t;
inline constexpr ArtifactId kNoArtifact = UINT32_MAX;

// Something odd an unpacker saw in the bytes it was reading: the raw material of
// findings. `id` is a stable finding ID from docs/findings.md.
struct Anomaly {
  std::string id;
  Severity severity = Severity::low;
  std::uint64_t offset = 0;
  std::string message;
};

using Evidence = std::vector<std::pair<std::string, std::string>>;

struct Finding {
  std::string id;  // stable, documented in docs/findings.md
  Severity severity = Severity::low;
  ArtifactId artifact = kNoArtifact;
  std::string message;
  Evidence evidence;
  double score = 0;  // filled in by the scorer from the policy
  // A weight the detector asks for instead of the policy's (a YARA rule's
  // `score` meta, already clamped by its configuration); empty: the policy's.
  std::optional<double> weight;
};

}  // namespace sluice
