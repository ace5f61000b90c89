#pragma once
// Scans in sandboxed worker processes (docs/adr/0011). A pool forks its
// workers once, from a process that already built the Engine, so each worker
// holds the policy, YARA rules, icons and the PSL before it locks itself down
// (no new privileges, nobody when started as root, a seccomp filter that
// allows reading its request, writing its result and managing memory, an
// address-space and a CPU cap from Limits).
//
// Every input gets a result. A worker that crashes (SIGSEGV, SIGSYS from the
// filter ...), overruns the deadline or runs out of memory is replaced, and
// that input's verdict is `error` with engine.worker_crashed, _timeout or _oom
// and its hashes. scan() and try_scan() may be called from many threads.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sluice/engine.hpp"
#include "sluice/sealed_input.hpp"

namespace sluice {

struct WorkerPoolOptions {
  unsigned workers = 2;
  // How long past the message deadline (Limits::deadline_ms) a worker may take
  // to send its result before it is killed: the engine stops unpacking at the
  // deadline but still runs its detectors.
  std::chrono::milliseconds grace{10000};
};

class WorkerPool {
 public:
  // Forks the workers; fails when the system refuses a worker or a worker
  // cannot lock itself down (no seccomp, say): scanning unconfined instead
  // would be a silent downgrade.
  static Result<std::unique_ptr<WorkerPool>> create(Engine engine, WorkerPoolOptions options = {});
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Waits as long as it takes for a free worker. The result's root views
  // `input`, which the caller keeps alive as for Engine::scan. The pool copies
  // `input` into a sealed memfd of its own (Stats::bytes_copied).
  [[nodiscard]] ScanResult scan(ByteView input, std::string input_name, const ScanOptions& options = {});
  // The same for an input the caller wrote into a SealedInput: the worker gets
  // its descriptor and nothing is copied. The result's root views
  // input.bytes(). An input not yet sealed gets an error result.
  [[nodiscard]] ScanResult scan(const SealedInput& input, std::string input_name, const ScanOptions& options = {});
  // Several inputs on one worker, results in the order given: the requests go
  // out together and, while the scans are fast, the results come back in one
  // write, so a batch of small messages costs two process wake-ups instead of
  // two per message. Each result has the message deadline
  // (Limits::deadline_ms) from the one before it; if the worker fails or runs
  // past it, whatever has no result yet is scanned again one by one, so only
  // the input that fails is blamed for it. One input is scanned as scan()
  // would. Meant for small inputs: at most kBatchInputBytes each.
  static constexpr std::size_t kBatchInputBytes = 256u << 10;
  struct BatchInput {
    ByteView input;
    std::string name;
    ScanOptions options;
  };
  [[nodiscard]] std::vector<ScanResult> scan_batch(std::span<const BatchInput> inputs);
  // The same, handing each result to `each` (with its index) as soon as it is
  // in, in order: a caller that acknowledges work (sluice worker) need not
  // wait for the whole batch.
  void scan_batch(std::span<const BatchInput> inputs, const std::function<void(std::size_t, ScanResult&&)>& each);
  // Back-pressure: waits at most `wait` for a free worker and returns nothing
  // when every worker stayed busy, so a milter can answer "try again later".
  [[nodiscard]] std::optional<ScanResult> try_scan(ByteView input, std::string input_name,
                                                   std::chrono::milliseconds wait,
                                                   const ScanOptions& options = {});
  [[nodiscard]] std::optional<ScanResult> try_scan(const SealedInput& input, std::string input_name,
                                                   std::chrono::milliseconds wait,
                                                   const ScanOptions& options = {});

  struct Stats {
    std::uint64_t scans = 0;
    std::uint64_t failures = 0;  // results with engine.worker_* findings
    std::uint64_t respawns = 0;  // workers replaced after a failure
    std::uint64_t spawns = 0;    // every worker started, the first ones included
    std::chrono::microseconds spawn_time{0};  // fork to "ready" (locked down), summed
    std::uint64_t bytes_copied = 0;  // input bytes copied into memfds of the pool's own (ByteView scans)
  };
  [[nodiscard]] Stats stats() const;
  [[nodiscard]] unsigned size() const noexcept;
  [[nodiscard]] const Engine& engine() const noexcept;

  struct Impl;

 private:
  explicit WorkerPool(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
