#pragma once
// Scoring policy: how much each finding weighs and where verdicts start. The
// built-in defaults are data/policy.toml compiled into the binary, so the file a
// user copies and edits is exactly what runs when they pass no --config.
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/artifact.hpp"
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
  // Findings about a message's context (lure wording, sender authentication,
  // link text, cosmetic header forms) rather than its payload or an
  // impersonation: they add to the score beside such a finding, but a message
  // that has nothing else is clean, whatever they sum to. Ordinary list mail
  // fails DMARC and points Reply-To elsewhere every day.
  std::set<std::string, std::less<>> context;
  // Anomalies where a container contradicts itself (declared vs actual sizes,
  // extents outside it, chains that loop, checksums that fail) or could not be
  // opened: at least suspicious, since the recipient's tool may open what
  // Sluice could not; with an executable in or under it, malicious
  // (container.lie_with_executable).
  std::set<std::string, std::less<>> lies;

  [[nodiscard]] double weight(std::string_view id, Severity severity) const;
};

// YARA rules run over every artifact's bytes (docs/adr/0007-yara-detector.md).
struct YaraConfig {
  bool enabled = true;
  // The starter rules in data/yara/ (compiled in); off to run only your own.
  bool builtin_rules = true;
  // Directories whose *.yar / *.yara files are compiled once, at engine start.
  std::vector<std::string> rule_dirs;
  // libyara counts its timeout in whole seconds.
  std::uint32_t timeout_seconds = 5;
  // Bytes of one artifact handed to YARA (a prefix beyond this).
  std::uint64_t max_scan_bytes = 64ull << 20;
  // Bytes scanned across one message; artifacts past it are not scanned.
  std::uint64_t max_total_scan_bytes = 512ull << 20;
  // A rule's `score` meta becomes its finding's weight, clamped to this.
  double max_rule_score = 100;
  // yara.match evidence keeps at most this many matched strings per rule.
  std::uint32_t max_strings_reported = 16;
};

// Deceptive-icon matching (src/analysis/icons, src/formats/icon/README.md).
struct IconsConfig {
  // pe.document_icon when the nearest reference icon is a document type and at
  // most this far: pHash + dHash differing bits, + 16 when the hues differ.
  std::uint32_t max_distance = 20;
  // The user's own reference icons: <dir>/<category>/*.png|*.ico, hashed once
  // at engine start (e.g. /etc/sluice/icons/pdf/vendor-pdf.ico).
  std::vector<std::string> reference_dirs;
};

// Scans in sandboxed worker processes (sluice::WorkerPool, docs/adr/0011).
struct IsolationConfig {
  // When set, an input that crashed, hung or exhausted a worker is kept here
  // as <sha256>.input (mode 0600, never overwriting) for a developer to replay.
  std::string crash_dir;
};

// The lure detector's view of domains (src/analysis/lure). The Public Suffix
// List tells a registrable domain ("example.co.uk") from a host in it; the
// campaign recorder groups senders by the same list. Empty: the built-in list
// of common suffixes only. The Debian path, when absent, falls back to that
// list too (the detector never stops silently); any other path that cannot be
// read is a configuration error at engine start.
struct LureConfig {
  std::string public_suffix_list;
};

// What each artifact's report carries besides its SHA-256 ([report] hashes,
// docs/adr/0026): MD5 and SHA-1 of every artifact cost three times the
// SHA-256 alone, so by default they are computed for executables only (the
// hashes threat feeds and sandboxes pivot on).
struct ReportConfig {
  DigestChoice hashes = kSha256Only;
};

// The campaign store (src/campaigns, docs/campaigns.md). Read by the programs
// that record campaigns (sluice scan, sluice-milter); the engine ignores it.
struct CampaignsConfig {
  // An SQLite file, or a "postgresql://…" URI; empty: nothing is recorded.
  std::string db;
  // Messages below this verdict are never stored: clean mail joins no campaign.
  Verdict min_verdict = Verdict::suspicious;
  // Stored messages older than this are deleted when a program opens the
  // store; 0 keeps them all.
  std::int64_t keep_days = 90;
  // Weak evidence (template, infrastructure, layout …) links messages at most
  // this many days apart; strong links (payload, C2) have no window.
  std::int64_t window_days = 14;
};

// The trained model (src/model, docs/model.md): a probability per message,
// explained by each feature's exact contribution, turned into a weight here so
// the rules' findings and the model's stand side by side in one score.
struct ModelConfig {
  bool enabled = true;
  // A model file from `sluice model train`; empty: the shipped model
  // (data/model/sluice-model.json, compiled in).
  std::string path;
  // Below suspicious_at the model.score finding weighs nothing (severity info);
  // from it, suspicious_weight (medium); from malicious_at, malicious_weight (high).
  double suspicious_at = 0.5;
  double malicious_at = 0.9;
  double suspicious_weight = 15;
  double malicious_weight = 40;
  // The highest verdict the model may lift a message to on its own: above the
  // rules' verdict, never past this (its weight is cut to stay below the next
  // threshold, and the evidence says so). "suspicious": the model tags and
  // holds what the rules missed, while rejections stay the rules' to explain.
  Verdict max_verdict = Verdict::suspicious;
  // Contributions listed in the finding's evidence, largest first.
  std::uint32_t top_contributions = 5;
};

struct Config {
  Limits limits;
  Policy policy;
  IconsConfig icons;
  YaraConfig yara;
  IsolationConfig isolation;
  CampaignsConfig campaigns;
  LureConfig lure;
  ModelConfig model;
  ReportConfig report;
};

// The built-in configuration (data/policy.toml as compiled in).
[[nodiscard]] Result<Config> default_config();
// Overlays TOML text on `base`: only the keys present change. Unknown keys are
// errors, so a typo in a limit name cannot silently leave the default in force.
[[nodiscard]] Result<Config> apply_config(Config base, std::string_view toml_text,
                                          std::string_view source_name);
// The same for a file that also holds a program's own tables ([milter] and
// [http] of sluice-milter, [queue] of the queue commands): those are left to
// the program, which reads them from the same text; any other unknown table
// is still an error.
[[nodiscard]] Result<Config> apply_config(Config base, std::string_view toml_text, std::string_view source_name,
                                          std::initializer_list<std::string_view> program_tables);

}  // namespace sluice
