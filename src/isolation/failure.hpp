#pragma once
// The result of an input whose worker did not return one (ADR 0011): verdict
// `error`, one engine.worker_* finding that says how the worker ended, the
// input's hashes on the root, and — with [isolation] crash_dir — a copy of the
// input for whoever debugs it.
#include <chrono>
#include <string>

#include "sluice/engine.hpp"

namespace sluice::isolation {

enum class WorkerEnd : std::uint8_t {
  crashed,    // a signal, an exit of its own, or a result that did not decode
  timed_out,  // killed at the deadline, or SIGXCPU at max_worker_cpu_seconds
  out_of_memory,
};

struct WorkerFailure {
  WorkerEnd end = WorkerEnd::crashed;
  int signal = 0;           // the signal that ended it, if one did
  int exit_status = -1;     // its exit status, if it exited
  bool cpu_limit = false;   // timed_out through RLIMIT_CPU rather than the watchdog
  std::string detail;       // e.g. "its result did not decode: ..."
};

[[nodiscard]] ScanResult failure_result(ByteView input, const std::string& input_name,
                                        const WorkerFailure& failure, const Config& config,
                                        std::chrono::microseconds elapsed);

// Writes `input` to <dir>/<sha256>.input (0600, O_EXCL: never overwriting, never
// following a link). Returns the path, or an error text.
[[nodiscard]] Result<std::string> keep_input(const std::string& dir, ByteView input,
                                             const std::string& sha256_hex);

}  // namespace sluice::isolation
