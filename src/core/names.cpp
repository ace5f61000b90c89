// String forms of the small public enums, in one place so reports, config and
// docs agree on spelling.
#include <array>
#include <utility>

#include "sluice/finding.hpp"
#include "sluice/limits.hpp"
#include "sluice/policy.hpp"
#include "sluice/result.hpp"

namespace sluice {
namespace {

template <class E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<E, std::string_view>, N>& table,
                        std::string_view s) noexcept {
  for (const auto& [e, name] : table) {
    if (name == s) return e;
  }
  return std::nullopt;
}
template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E e) noexcept {
  for (const auto& [k, name] : table) {
    if (k == e) return name;
  }
  return "?";
}

constexpr std::array<std::pair<Errc, std::string_view>, 7> kErrc{{
    {Errc::out_of_bounds, "out_of_bounds"},
    {Errc::truncated, "truncated"},
    {Errc::malformed, "malformed"},
    {Errc::unsupported, "unsupported"},
    {Errc::limit, "limit"},
    {Errc::io, "io"},
    {Errc::invalid_argument, "invalid_argument"},
}};
constexpr std::array<std::pair<Severity, std::string_view>, 5> kSeverity{{
    {Severity::info, "info"},
    {Severity::low, "low"},
    {Severity::medium, "medium"},
    {Severity::high, "high"},
    {Severity::critical, "critical"},
}};
constexpr std::array<std::pair<Verdict, std::string_view>, 4> kVerdict{{
    {Verdict::clean, "clean"},
    {Verdict::suspicious, "suspicious"},
    {Verdict::malicious, "malicious"},
    {Verdict::error, "error"},
}};
constexpr std::array<std::pair<LimitKind, std::string_view>, 19> kLimit{{
    {LimitKind::depth, "max_depth"},
    {LimitKind::children, "max_children"},
    {LimitKind::artifacts, "max_artifacts"},
    {LimitKind::artifact_bytes, "max_artifact_bytes"},
    {LimitKind::total_bytes, "max_total_bytes"},
    {LimitKind::ratio, "max_ratio"},
    {LimitKind::name_length, "max_name_length"},
    {LimitKind::deadline, "deadline_ms"},
    {LimitKind::input_bytes, "max_input_bytes"},
    {LimitKind::virtual_bytes, "max_virtual_bytes"},
    {LimitKind::password_candidates, "max_password_candidates"},
    {LimitKind::key_derivation, "max_key_derivation_rounds"},
    {LimitKind::worker_memory, "max_worker_memory_bytes"},
    {LimitKind::worker_cpu, "max_worker_cpu_seconds"},
    {LimitKind::script_ms, "max_script_ms"},
    {LimitKind::script_memory, "max_script_memory"},
    {LimitKind::scan_ratio, "max_scan_ratio"},
    {LimitKind::document_revisions, "max_document_revisions"},
    {LimitKind::anomalies, "max_anomalies_per_kind"},
}};

}  // namespace

std::string_view to_string(Errc code) noexcept { return name_of(kErrc, code); }
std::string_view to_string(Severity s) noexcept { return name_of(kSeverity, s); }
std::optional<Severity> severity_from_string(std::string_view s) noexcept {
  return lookup(kSeverity, s);
}
std::string_view to_string(Verdict v) noexcept { return name_of(kVerdict, v); }
std::optional<Verdict> verdict_from_string(std::string_view s) noexcept {
  return lookup(kVerdict, s);
}
std::string_view to_string(LimitKind kind) noexcept { return name_of(kLimit, kind); }
std::optional<LimitKind> limit_kind_from_string(std::string_view name) noexcept {
  return lookup(kLimit, name);
}

std::uint64_t Limits::value(LimitKind kind) const noexcept {
  switch (kind) {
    case LimitKind::depth: return max_depth;
    case LimitKind::children: return max_children;
    case LimitKind::artifacts: return max_artifacts;
    case LimitKind::artifact_bytes: return max_artifact_bytes;
    case LimitKind::total_bytes: return max_total_bytes;
    case LimitKind::ratio: return max_ratio;
    case LimitKind::name_length: return max_name_length;
    case LimitKind::deadline: return deadline_ms;
    case LimitKind::input_bytes: return max_input_bytes;
    case LimitKind::virtual_bytes: return max_virtual_bytes;
    case LimitKind::password_candidates: return max_password_candidates;
    case LimitKind::key_derivation: return max_key_derivation_rounds;
    case LimitKind::worker_memory: return max_worker_memory_bytes;
    case LimitKind::worker_cpu: return max_worker_cpu_seconds;
    case LimitKind::script_ms: return max_script_ms;
    case LimitKind::script_memory: return max_script_memory;
    case LimitKind::scan_ratio: return max_scan_ratio;
    case LimitKind::document_revisions: return max_document_revisions;
    case LimitKind::anomalies: return max_anomalies_per_kind;
  }
  return 0;
}

void Limits::set(LimitKind kind, std::uint64_t v) noexcept {
  const auto u32 = static_cast<std::uint32_t>(v > UINT32_MAX ? UINT32_MAX : v);
  switch (kind) {
    case LimitKind::depth: max_depth = u32; break;
    case LimitKind::children: max_children = u32; break;
    case LimitKind::artifacts: max_artifacts = u32; break;
    case LimitKind::artifact_bytes: max_artifact_bytes = v; break;
    case LimitKind::total_bytes: max_total_bytes = v; break;
    case LimitKind::ratio: max_ratio = u32; break;
    case LimitKind::name_length: max_name_length = u32; break;
    case LimitKind::deadline: deadline_ms = u32; break;
    case LimitKind::input_bytes: max_input_bytes = v; break;
    case LimitKind::virtual_bytes: max_virtual_bytes = v; break;
    case LimitKind::password_candidates: max_password_candidates = u32; break;
    case LimitKind::key_derivation: max_key_derivation_rounds = v; break;
    case LimitKind::worker_memory: max_worker_memory_bytes = v; break;
    case LimitKind::worker_cpu: max_worker_cpu_seconds = u32; break;
    case LimitKind::script_ms: max_script_ms = u32; break;
    case LimitKind::script_memory: max_script_memory = v; break;
    case LimitKind::scan_ratio: max_scan_ratio = u32; break;
    case LimitKind::document_revisions: max_document_revisions = u32; break;
    case LimitKind::anomalies: max_anomalies_per_kind = u32; break;
  }
}

}  // namespace sluice
