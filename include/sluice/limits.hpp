#pragma once
// Every bound the engine enforces lives in this one struct. Parsers hard-code
// none; hitting any of them is reported (a `limit.exceeded` finding and an entry
// in the report's `limits_hit`), never a silent "clean".
#include <cstdint>
#include <optional>
#include <string_view>

#include "sluice/format_limits.hpp"

namespace sluice {

enum class LimitKind : std::uint8_t {
  depth,           // nesting of containers (zip in iso in zip ...)
  children,        // children of one artifact
  artifacts,       // artifacts in one scan
  artifact_bytes,  // decoded size of one artifact
  total_bytes,     // decoded bytes across one scan
  ratio,           // decoded size / encoded size of one artifact
  name_length,     // one file name
  deadline,        // wall time of one scan
  input_bytes,     // size of one input read from disk or stdin
  virtual_bytes,   // address space reserved for sparse virtual disks in one scan
  password_candidates,  // passwords tried on one encrypted archive
  key_derivation,  // password key-derivation rounds (SHA-256, PBKDF2) in one scan
  script_ms,       // CPU time one document's scripts may run (HTML/SVG smuggling)
  script_memory,   // heap one document's script interpreter may allocate
  scan_ratio,      // decoded bytes across one scan / the input's size
  document_revisions,  // earlier revisions of one PDF read besides the latest
  anomalies,       // anomalies of one ID recorded on one artifact
  // worker_cpu stays last: record readers check kinds against it.
  worker_memory,   // address space of one sandboxed scan worker besides sparse disks
  worker_cpu,      // CPU seconds of one scan in a sandboxed worker
};

inline constexpr LimitKind kAllLimitKinds[] = {
    LimitKind::depth,       LimitKind::children,     LimitKind::artifacts,
    LimitKind::artifact_bytes, LimitKind::total_bytes, LimitKind::ratio,
    LimitKind::name_length, LimitKind::deadline,     LimitKind::input_bytes,
    LimitKind::virtual_bytes, LimitKind::password_candidates, LimitKind::key_derivation,
    LimitKind::script_ms, LimitKind::script_memory, LimitKind::scan_ratio, LimitKind::document_revisions, LimitKind::anomalies,
    LimitKind::worker_memory,
    LimitKind::worker_cpu};

[[nodiscard]] std::string_view to_string(LimitKind kind) noexcept;
[[nodiscard]] std::optional<LimitKind> limit_kind_from_string(std::string_view name) noexcept;

// A configuration may lower max_depth freely but not raise it past this: the
// tree is rendered and walked by code whose stack use grows with depth.
inline constexpr std::uint32_t kMaxConfigurableDepth = 256;

struct Limits {
  std::uint32_t max_depth = 16;
  std::uint32_t max_children = 10'000;
  std::uint32_t max_artifacts = 50'000;
  std::uint64_t max_artifact_bytes = 256ull << 20;
  // Decoded bytes across one scan plus each artifact's overhead (1 KiB, its
  // names and locator: core/unpacker.cpp): the tree's memory, bounded.
  std::uint64_t max_total_bytes = 1ull << 30;
  // Applies once an artifact has decoded more than `ratio_floor_bytes`, so
  // small, highly compressible files (a page of zeros) are not bombs.
  std::uint32_t max_ratio = 500;
  std::uint64_t ratio_floor_bytes = 4ull << 20;
  // The same for everything one scan decodes against the input's size, once
  // past `scan_ratio_floor_bytes`: a nested bomb stays under max_ratio at each
  // level (16 MB from 28 KB, then 256 MiB from 1 MB) while the message as a
  // whole expands thousands of times.
  std::uint32_t max_scan_ratio = 200;
  std::uint64_t scan_ratio_floor_bytes = 128ull << 20;
  std::uint32_t max_name_length = 1024;
  std::uint32_t deadline_ms = 30'000;
  std::uint64_t max_input_bytes = 2ull << 30;
  // Sparse disks are reserved, not allocated (docs/adr/0009-sparse-disks.md):
  // this bounds address space, not memory. 16 TiB is eight times VHD's own
  // maximum and lets seven scans run at once within x86-64's 128 TiB of user
  // space (the milter and bulk mode scan in parallel).
  std::uint64_t max_virtual_bytes = 16ull << 40;
  // Encrypted 7z/RAR: each candidate password costs a key derivation (7z:
  // 2^19 SHA-256 rounds by default, up to 2^24 per candidate by the format).
  // Candidates per archive, and rounds per scan across all archives, charged
  // when derived (two candidates' keys are derived side by side, ADR 0035);
  // 2^24 rounds is about 0.12 s of one core for 7z, 0.6 s for RAR 5's
  // PBKDF2 iterations (bench/README.md).
  std::uint32_t max_password_candidates = 32;
  std::uint64_t max_key_derivation_rounds = 1ull << 24;
  // A sandboxed scan worker (sluice::WorkerPool, docs/adr/0011) runs under
  // RLIMIT_AS = what it inherited at the fork + max_worker_memory_bytes +
  // max_virtual_bytes: sparse disks keep their reservations, everything else
  // the worker maps while scanning is bounded by this.
  std::uint64_t max_worker_memory_bytes = 4ull << 30;
  // RLIMIT_CPU of one scan in a worker: a backstop behind the parent's
  // wall-clock watchdog (deadline_ms), which normally fires first.
  std::uint32_t max_worker_cpu_seconds = 60;
  // A page's scripts run in an embedded interpreter inside a worker process
  // (docs/adr/0012-html-script-execution.md): CPU time and heap for one
  // document. Smuggling pages rebuild their file in milliseconds.
  std::uint32_t max_script_ms = 2'000;
  std::uint64_t max_script_memory = 256ull << 20;
  // A PDF's incremental updates (src/formats/pdf): each earlier revision is
  // parsed again on its own, so a thousand appended updates cost a thousand
  // parses. Real documents have a handful (each signature adds one).
  std::uint32_t max_document_revisions = 32;
  // Anomalies of one ID on one artifact (core/unpacker.cpp): a hostile
  // structure repeats one fault thousands of times, and the first ones say
  // it. The cap is per ID, so padding a file with one fault cannot push
  // another out of the report.
  std::uint32_t max_anomalies_per_kind = 32;

  // Caps inside one parsed structure, per format (format_limits.hpp). Not
  // configurable: they bound work on absurd inputs, no real file comes near.
  PeLimits pe;
  IconLimits icon;
  OleLimits ole;
  Iso9660Limits iso9660;
  OneNoteLimits onenote;
  PartitionLimits partition;
  RtfLimits rtf;

  // The value of one limit as a number, for reports and config round-trips.
  [[nodiscard]] std::uint64_t value(LimitKind kind) const noexcept;
  void set(LimitKind kind, std::uint64_t v) noexcept;
};

}  // namespace sluice
