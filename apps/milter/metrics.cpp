#include "metrics.hpp"

#include <sstream>

namespace sluice::milter {

namespace {
constexpr std::string_view kOutcomeNames[kOutcomes] = {"clean", "suspicious", "malicious", "error", "unscanned"};
constexpr Action kAllActions[] = {Action::reject, Action::tempfail, Action::quarantine,
                                  Action::discard, Action::tag, Action::accept};

void counter(std::ostream& o, std::string_view name, std::string_view help, std::uint64_t v) {
  o << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n" << name << " " << v << "\n";
}
void gauge(std::ostream& o, std::string_view name, std::string_view help, std::uint64_t v) {
  o << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n" << name << " " << v << "\n";
}
}  // namespace

std::string_view to_string(Outcome o) noexcept { return kOutcomeNames[static_cast<std::size_t>(o)]; }

void Metrics::message(Outcome verdict, Action action, std::uint64_t bytes) {
  by_verdict_[static_cast<std::size_t>(verdict)].fetch_add(1, std::memory_order_relaxed);
  by_action_[static_cast<std::size_t>(action)].fetch_add(1, std::memory_order_relaxed);
  message_bytes_.fetch_add(bytes, std::memory_order_relaxed);
}

void Metrics::scan(std::chrono::microseconds elapsed, std::uint64_t bytes) {
  const double seconds = static_cast<double>(elapsed.count()) / 1e6;
  std::size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  latency_[i].fetch_add(1, std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_.fetch_add(static_cast<std::uint64_t>(elapsed.count()), std::memory_order_relaxed);
  scanned_bytes_.fetch_add(bytes, std::memory_order_relaxed);
}

std::string Metrics::render(const PoolStats& pool) const {
  std::ostringstream o;
  o << "# HELP sluice_milter_messages_total Messages that reached the end of DATA, by verdict.\n"
       "# TYPE sluice_milter_messages_total counter\n";
  for (std::size_t i = 0; i < kOutcomes; ++i) {
    o << "sluice_milter_messages_total{verdict=\"" << kOutcomeNames[i] << "\"} " << by_verdict_[i].load() << "\n";
  }
  o << "# HELP sluice_milter_actions_total Messages by the action taken.\n"
       "# TYPE sluice_milter_actions_total counter\n";
  for (const Action a : kAllActions) {
    o << "sluice_milter_actions_total{action=\"" << to_string(a) << "\"} "
      << by_action_[static_cast<std::size_t>(a)].load() << "\n";
  }
  o << "# HELP sluice_scan_duration_seconds Time the engine took per completed scan.\n"
       "# TYPE sluice_scan_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += latency_[i].load();
    o << "sluice_scan_duration_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << cumulative << "\n";
  }
  cumulative += latency_[kBuckets.size()].load();
  o << "sluice_scan_duration_seconds_bucket{le=\"+Inf\"} " << cumulative << "\n";
  o << "sluice_scan_duration_seconds_sum " << static_cast<double>(latency_sum_us_.load()) / 1e6 << "\n";
  o << "sluice_scan_duration_seconds_count " << latency_count_.load() << "\n";
  counter(o, "sluice_milter_message_bytes_total", "Bytes of messages seen at the end of DATA.", message_bytes_.load());
  counter(o, "sluice_scanned_bytes_total", "Bytes handed to the engine (milter and HTTP).", scanned_bytes_.load());
  counter(o, "sluice_scan_timeouts_total", "Scans that ran past the deadline.", timeouts_.load());
  counter(o, "sluice_scan_errors_total", "Scans that ended in an error (timeouts included).", errors_.load());
  counter(o, "sluice_pool_saturated_total", "Scans refused because every worker was busy.", busy_.load());
  counter(o, "sluice_http_scans_total", "Scans requested through POST /v1/scan.", http_scans_.load());
  counter(o, "sluice_campaign_records_total", "Messages recorded in the campaign store.", campaign_records_.load());
  counter(o, "sluice_campaign_errors_total", "Campaign store failures (the messages were still answered).",
          campaign_errors_.load());
  counter(o, "sluice_config_reloads_total", "Configurations loaded by SIGHUP.", reloads_.load());
  counter(o, "sluice_config_reload_failures_total", "SIGHUP reloads refused (the old configuration kept running).",
          reload_failures_.load());
  gauge(o, "sluice_pool_workers", "Scan workers.", pool.workers);
  gauge(o, "sluice_pool_capacity", "Scans running or waiting before on_busy.", pool.capacity);
  gauge(o, "sluice_pool_in_use", "Scans running or waiting now.", pool.in_use);
  gauge(o, "sluice_pool_isolated", "1 when every scan runs in a sandboxed worker process.", pool.isolated ? 1 : 0);
  counter(o, "sluice_worker_failures_total",
          "Scans whose sandboxed worker crashed, hung or ran out of memory (since start or the last reload).",
          pool.worker_failures);
  counter(o, "sluice_worker_respawns_total", "Sandboxed workers started to replace a failed one (since start or the last reload).",
          pool.worker_respawns);
  counter(o, "sluice_pool_input_bytes_copied_total",
          "Message bytes copied on their way to a sandboxed worker (0: each message is written once, into the memfd the worker maps).",
          pool.input_bytes_copied);
  return o.str();
}

}  // namespace sluice::milter
