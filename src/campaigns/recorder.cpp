#include "campaigns/recorder.hpp"

#include <ctime>

namespace sluice::campaigns {
namespace {

constexpr auto kRetry = std::chrono::seconds(60);

bool same(const CampaignsConfig& a, const CampaignsConfig& b) {
  return a.db == b.db && a.min_verdict == b.min_verdict && a.keep_days == b.keep_days &&
         a.window_days == b.window_days;
}

}  // namespace

Status Recorder::open_locked() {
  store_.reset();
  if (cfg_.db.empty()) return {};
  auto s = Store::open(cfg_.db, {.min_verdict = cfg_.min_verdict,
                                            .window_days = cfg_.window_days,
                                            .keep_days = cfg_.keep_days});
  if (!s) {
    retry_at_ = std::chrono::steady_clock::now() + kRetry;
    return std::unexpected(s.error());
  }
  if (auto pruned = s->prune(static_cast<std::int64_t>(std::time(nullptr))); !pruned) {
    return std::unexpected(pruned.error());
  }
  store_.emplace(std::move(*s));
  return {};
}

Status Recorder::configure(const Config& config) {
  const CampaignsConfig& cfg = config.campaigns;
  std::lock_guard lock(mu_);
  if (!psl_ || psl_path_ != config.lure.public_suffix_list) {
    auto psl = analysis::lure::PublicSuffixList::load(config.lure.public_suffix_list);
    if (!psl) return std::unexpected(psl.error());
    psl_.emplace(std::move(*psl));
    psl_path_ = config.lure.public_suffix_list;
  }
  if (same(cfg, cfg_) && (store_ || cfg.db.empty())) return {};
  cfg_ = cfg;
  return open_locked();
}

bool Recorder::enabled() const {
  std::lock_guard lock(mu_);
  return !cfg_.db.empty();
}

std::optional<Assignment> Recorder::record(const ScanResult& result, const Envelope* envelope,
                                                              std::int64_t now, std::string& error) {
  if (result.verdict == Verdict::error || result.verdict == Verdict::clean) return std::nullopt;
  // Fingerprints are taken outside the lock: only the store is shared.
  std::optional<MessageRecord> rec;
  {
    std::lock_guard lock(mu_);
    if (cfg_.db.empty() || result.verdict < cfg_.min_verdict) return std::nullopt;
    if (!psl_) psl_.emplace(analysis::lure::PublicSuffixList::builtin());
  }
  rec = extract(result, *psl_, envelope, &features_);
  std::lock_guard lock(mu_);
  if (!store_) {
    if (std::chrono::steady_clock::now() < retry_at_) {
      error = "campaign store unavailable (retrying every minute)";
      return std::nullopt;
    }
    if (auto s = open_locked(); !s) {
      error = s.error().what;
      return std::nullopt;
    }
  }
  auto a = store_->record(*rec, now);
  if (!a) {
    error = a.error().what;
    // A connection that broke (PostgreSQL restarted) is opened again next time.
    if (a.error().code == Errc::io) {
      store_.reset();
      retry_at_ = std::chrono::steady_clock::now();
    }
    return std::nullopt;
  }
  return *a;
}

}  // namespace sluice::campaigns
