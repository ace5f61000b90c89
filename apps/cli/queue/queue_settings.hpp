#pragma once
// The queue's configuration: the [queue] table of the file given with
// `--config` to `sluice submit`, `sluice worker` and `sluice results`; the
// file's other tables ([limits], [policy], [campaigns] …) are the engine's,
// read exactly as `sluice scan --config` reads them. docs/scale-out.md lists
// every key.
#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/policy.hpp"
#include "sluice/result.hpp"
#include "tls_tunnel.hpp"

namespace sluice::queue {

struct QueueSettings {
  std::string redis = "redis://127.0.0.1:6379";
  std::string password_file;  // read once at start; overrides a password in the URL
  std::string stream = "sluice:jobs";
  std::string group = "sluice";
  std::string results = "sluice:results";
  std::string dead_letters = "sluice:dead";
  // Messages up to this size travel in the job; larger ones as a path on
  // storage every worker mounts (the same path on each machine).
  std::uint64_t inline_max_bytes = 4ull << 20;
  // `sluice submit` waits while the job stream holds this many jobs.
  std::uint64_t max_queued = 10000;
  // A job whose consumer has been silent this long is taken over. Workers
  // renew their claim on the job they are scanning every third of it, so a
  // long scan is never taken from a live worker.
  std::uint64_t claim_idle_ms = 30000;
  // Deliveries that ended without a result (the worker died, or its sandboxed
  // scan crashed) before the job goes to the dead letters.
  unsigned max_attempts = 3;
  // Streams are trimmed to about this many entries (XADD MAXLEN ~).
  std::uint64_t results_max_length = 1000000;
  std::uint64_t dead_letters_max_length = 100000;
  // How long a job's "result written" mark lives, against which a repeated
  // delivery is recognised as a duplicate.
  std::uint64_t done_ttl_s = 7 * 86400;
  std::uint64_t connect_timeout_ms = 2000;
  TlsSettings tls;
};

struct QueueConfig {
  QueueSettings queue;
  Config engine;
  std::string source;
};

[[nodiscard]] Result<QueueConfig> parse_queue_config(std::string_view toml_text, std::string_view source);
// `path` empty: the built-in defaults.
[[nodiscard]] Result<QueueConfig> load_queue_config(const std::string& path);

}  // namespace sluice::queue
