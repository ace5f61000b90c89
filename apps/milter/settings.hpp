#pragma once
// sluice-milter's configuration: one TOML file whose [milter] and [http]
// tables belong to the daemon and whose other tables ([limits], [policy],
// [yara], [icons]) are the engine's, read by sluice::apply_config exactly as
// `sluice scan --config` reads them.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/policy.hpp"
#include "sluice/result.hpp"

namespace sluice::milter {

// What happens to a message, in the terms an SMTP sender and Postfix see.
enum class Action : std::uint8_t { reject, tempfail, quarantine, discard, tag, accept };
[[nodiscard]] std::string_view to_string(Action a) noexcept;
[[nodiscard]] std::optional<Action> action_from_string(std::string_view s) noexcept;

struct MilterSettings {
  std::string listen = "inet:7357@127.0.0.1";
  // A unix socket's permissions, set when it is made: the MTA's user must be
  // able to write to it (Postfix: socket_group = "postfix", mode 0660).
  std::uint32_t socket_mode = 0660;
  std::string socket_group;  // empty: the daemon's own group
  unsigned workers = 0;      // 0: one per core
  std::optional<unsigned> max_queued;  // scans that may wait for a worker before on_busy; unset: `workers`
  // Each scan in a sandboxed worker process (sluice::WorkerPool, docs/adr/0011):
  // a parser bug becomes engine.worker_crashed, not a crash of the mail filter.
  bool isolate = true;
  std::uint64_t max_message_bytes = 50ull << 20;
  Action on_clean = Action::tag;
  Action on_suspicious = Action::tag;
  Action on_malicious = Action::reject;
  Action on_error = Action::tempfail;
  Action on_busy = Action::tempfail;
  Action on_oversize = Action::tag;
  // {verdict} {score} {scan_id} {findings} are replaced; the SMTP codes are fixed
  // per action (550 5.7.1 reject, 451 4.7.1 tempfail).
  std::string reject_text = "Rejected by Sluice: {verdict} attachment (scan {scan_id})";
  std::string tempfail_text = "Sluice could not scan this message, try again later (scan {scan_id})";
  std::string quarantine_text = "Sluice: {verdict} score={score} findings={findings} (scan {scan_id})";
  std::size_t header_findings = 5;  // finding IDs in X-Sluice-Findings and the log line
  bool skip_authenticated = false;
  std::vector<std::string> sender_allow;     // "user@example.org" or "@example.org"
  std::vector<std::string> recipient_allow;  // a message skips the scan when all recipients match
  std::string quarantine_dir;                // empty: Postfix's hold queue only
};

struct HttpSettings {
  std::string listen;  // "127.0.0.1:7358"; empty: no HTTP door
  std::uint64_t max_body_bytes = 50ull << 20;
};

struct Settings {
  MilterSettings milter;
  HttpSettings http;
  Config engine;
  std::string source;  // the file read, for logs

  [[nodiscard]] unsigned effective_workers() const noexcept;
  [[nodiscard]] unsigned effective_max_queued() const noexcept { return milter.max_queued.value_or(effective_workers()); }
  [[nodiscard]] std::chrono::milliseconds deadline() const noexcept {
    return std::chrono::milliseconds(engine.limits.deadline_ms);
  }
};

// Reads `path` (empty: built-in defaults only) over the built-in engine config.
[[nodiscard]] Result<Settings> load_settings(const std::string& path);
[[nodiscard]] Result<Settings> parse_settings(std::string_view toml_text, std::string_view source);

// The effective settings as TOML, for --check-config.
[[nodiscard]] std::string describe(const Settings& s);

// "user@Example.ORG" matches "user@example.org" and "@example.org"; angle
// brackets from the envelope are ignored.
[[nodiscard]] bool address_listed(std::string_view address, const std::vector<std::string>& list);

}  // namespace sluice::milter
