#pragma once
// The milter's view of scanning: bytes in, a result out, never blocking a
// libmilter thread longer than it was told to wait. EnginePool runs scans on a
// bounded set of threads, each either calling one shared in-process Engine or
// handing its message to a sandboxed worker process (sluice::WorkerPool with
// as many workers as threads, docs/adr/0011) — the default.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sluice/engine.hpp"
#include "sluice/sealed_input.hpp"
#include "sluice/worker_pool.hpp"

namespace sluice::milter {

// A message written once into a sealed memfd: a sandboxed worker maps the same
// pages, so nothing copies it again (sluice/sealed_input.hpp).
using Bytes = std::shared_ptr<const SealedInput>;
// For callers that hold the bytes already (the HTTP API, tests): one copy.
[[nodiscard]] Result<Bytes> bytes_of(ByteView bytes);

enum class ScanStatus : std::uint8_t {
  done,     // `result` holds the engine's answer (which may itself be an error)
  busy,     // no worker free and no room to wait: nothing was scanned
  timeout,  // the wait ran out; the scan is abandoned (its worker finishes it alone)
};

struct ScanOutcome {
  ScanStatus status = ScanStatus::busy;
  // Its artifacts are views into the scanned bytes: the caller keeps its Bytes
  // alive as long as it reads the result.
  std::shared_ptr<const ScanResult> result;
};

struct PoolStats {
  unsigned workers = 0;
  unsigned capacity = 0;  // workers + scans allowed to wait
  unsigned in_use = 0;    // scans running or waiting, abandoned ones included
  bool isolated = false;
  // Sandboxed workers only (zero in process): scans whose worker crashed, hung
  // or ran out of memory, and workers started to replace them.
  std::uint64_t worker_failures = 0;
  std::uint64_t worker_respawns = 0;
  // Message bytes the pool copied on their way to a worker: zero, as the
  // milter and the HTTP API hand it sealed inputs (a check, not a cost).
  std::uint64_t input_bytes_copied = 0;
};

class Scanner {
 public:
  virtual ~Scanner() = default;
  // Returns within `wait` whatever happens; `busy` at once when saturated.
  // `options.in_flight` for the milter's messages (arriving now); the HTTP
  // API scans what it is sent as the CLI would, unless told `?in_flight=1`.
  [[nodiscard]] virtual ScanOutcome scan(Bytes bytes, std::string name, std::chrono::milliseconds wait,
                                         const ScanOptions& options) = 0;
  // Builds the scanning side of a new configuration; on failure the old one
  // keeps serving and the error says why. Scans already running finish with
  // the configuration they started with.
  [[nodiscard]] virtual Status reconfigure(const Config& config) = 0;
  [[nodiscard]] virtual PoolStats stats() const = 0;
};

class EnginePool final : public Scanner {
 public:
  // `max_queued`: scans that may wait for a worker before callers get `busy`.
  // `isolate`: every scan in a sandboxed worker process.
  static Result<std::unique_ptr<EnginePool>> create(const Config& config, unsigned workers, unsigned max_queued,
                                                    bool isolate = false);
  ~EnginePool() override;
  EnginePool(const EnginePool&) = delete;
  EnginePool& operator=(const EnginePool&) = delete;

  ScanOutcome scan(Bytes bytes, std::string name, std::chrono::milliseconds wait,
                   const ScanOptions& options) override;
  Status reconfigure(const Config& config) override;
  PoolStats stats() const override;

 private:
  struct Job;
  // One configuration's scanning side; a reload swaps it whole while scans
  // that started on the old one finish there.
  struct Backend {
    std::shared_ptr<const Engine> engine;  // in process
    std::unique_ptr<WorkerPool> pool;      // or sandboxed
    ScanResult scan(const SealedInput& input, const std::string& name, const ScanOptions& options) const;
  };
  static Result<std::shared_ptr<Backend>> make_backend(const Config& config, unsigned workers, bool isolate);
  EnginePool(std::shared_ptr<Backend> backend, unsigned workers, unsigned max_queued, bool isolate);
  void work(const std::stop_token& stop);
  std::shared_ptr<Backend> backend() const;

  mutable std::mutex backend_mutex_;
  std::shared_ptr<Backend> backend_;
  const bool isolate_;

  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  std::deque<std::shared_ptr<Job>> queue_;
  unsigned in_use_ = 0;
  const unsigned workers_;
  const unsigned capacity_;
  std::vector<std::jthread> threads_;
};

}  // namespace sluice::milter
