#pragma once
// Counters for GET /metrics, in the Prometheus text format. Lock-free: every
// libmilter thread bumps them at the end of each message.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "scanner.hpp"
#include "settings.hpp"

namespace sluice::milter {

// What the milter's log and metrics call a message's verdict: the engine's
// four, plus `unscanned` (busy, oversize, allow-listed, authenticated).
enum class Outcome : std::uint8_t { clean, suspicious, malicious, error, unscanned };
inline constexpr std::size_t kOutcomes = 5;
[[nodiscard]] std::string_view to_string(Outcome o) noexcept;

class Metrics {
 public:
  static constexpr std::array<double, 12> kBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                   0.5,   1,    2.5,   5,    10,  30};

  void message(Outcome verdict, Action action, std::uint64_t bytes);
  void scan(std::chrono::microseconds elapsed, std::uint64_t bytes);
  void timeout() { timeouts_.fetch_add(1, std::memory_order_relaxed); }
  void error() { errors_.fetch_add(1, std::memory_order_relaxed); }
  void busy() { busy_.fetch_add(1, std::memory_order_relaxed); }
  void http_scan() { http_scans_.fetch_add(1, std::memory_order_relaxed); }
  void campaign_recorded() { campaign_records_.fetch_add(1, std::memory_order_relaxed); }
  void campaign_error() { campaign_errors_.fetch_add(1, std::memory_order_relaxed); }
  void reload(bool ok) { (ok ? reloads_ : reload_failures_).fetch_add(1, std::memory_order_relaxed); }

  [[nodiscard]] std::string render(const PoolStats& pool) const;

 private:
  using Counter = std::atomic<std::uint64_t>;
  std::array<Counter, kOutcomes> by_verdict_{};
  std::array<Counter, 6> by_action_{};
  std::array<Counter, kBuckets.size() + 1> latency_{};  // last: +Inf
  Counter latency_count_{0};
  Counter latency_sum_us_{0};
  Counter message_bytes_{0};
  Counter scanned_bytes_{0};
  Counter timeouts_{0};
  Counter errors_{0};
  Counter busy_{0};
  Counter http_scans_{0};
  Counter reloads_{0};
  Counter reload_failures_{0};
  Counter campaign_records_{0};
  Counter campaign_errors_{0};
};

}  // namespace sluice::milter
