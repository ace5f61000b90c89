#pragma once
// Recording into the campaign store from a long-running program (the milter,
// `sluice worker`; docs/campaigns.md): each scanned message at or above
// [campaigns] min_verdict is recorded, with its SMTP envelope when there is one. The store is memory, never the verdict: a store that is down or
// locked costs a log line and a metric, the message's answer is unchanged, and
// the store is tried again at most once a minute.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "analysis/lure/domains.hpp"
#include "campaigns/fingerprint.hpp"
#include "campaigns/store.hpp"
#include "sluice/engine.hpp"

namespace sluice::campaigns {

class Recorder {
 public:
  // Opens the store `config.campaigns` names (again, if it changed); empty
  // db: off. Senders are grouped by registrable domain through the Public
  // Suffix List `config.lure` names. Returns the error when either could not
  // be opened (recording stays off until a later record() reaches the store).
  Status configure(const Config& config);

  // The campaign the message is in now; nullopt when off, below min_verdict,
  // or the store failed (then `error` says why).
  std::optional<Assignment> record(const ScanResult& result, const Envelope* envelope,
                                              std::int64_t now, std::string& error);

  [[nodiscard]] bool enabled() const;

 private:
  Status open_locked();
  mutable std::mutex mu_;
  CampaignsConfig cfg_;
  std::optional<Store> store_;
  std::optional<analysis::lure::PublicSuffixList> psl_;
  std::string psl_path_;
  // Stored with each message, so a label makes it training data.
  model::FeatureSpace features_ = model::FeatureSpace::builtin();
  std::chrono::steady_clock::time_point retry_at_{};
};

}  // namespace sluice::campaigns
