#pragma once
// The campaign store: every message at or above [campaigns] min_verdict is
// recorded with its facts and fingerprints, and joins a campaign or starts one
// (grouping.cpp). One interface, two real backends behind db.hpp: an SQLite
// file (the default; the CLI and the milter on one host share it) or a
// PostgreSQL database ("postgresql://…", several gateways share one view).
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "campaigns/candidate_cache.hpp"
#include "campaigns/db.hpp"
#include "campaigns/fingerprint.hpp"
#include "campaigns/summary.hpp"
#include "sluice/policy.hpp"

namespace sluice::campaigns {

// The schema this code writes. A store of an older schema is upgraded when it
// is opened; a newer one is refused (an older Sluice must not half-understand it).
inline constexpr std::int64_t kSchemaVersion = 6;

// One fingerprint a message shares with an earlier message of its campaign.
struct SharedFingerprint {
  std::string kind;
  std::string value;
  std::string link;  // "strong", "template", "infrastructure" …
  std::string with;  // the earlier message's Message-ID, or its input name
};

// What recording did with a message: the campaign it is in now.
struct Assignment {
  std::int64_t campaign = 0;
  std::string label;  // "C-42"
  std::int64_t size = 0;
  std::int64_t first_seen = 0;
  std::int64_t last_seen = 0;
  bool started = false;                // this message started the campaign
  std::vector<std::int64_t> merged;    // campaigns this message's evidence folded into it
  std::vector<SharedFingerprint> shared;
};

// One stored message, for `sluice campaigns assignments`.
struct StoredMessage {
  std::int64_t id = 0;
  std::int64_t seen_at = 0;
  std::string input;
  std::string message_id;
  std::string verdict;
  double score = 0;
  std::string campaign;  // label of its campaign now (after merges)
  // The fingerprints that placed it, as recorded; `with` is empty once the
  // earlier message has been forgotten (keep_days).
  std::vector<SharedFingerprint> shared;
};

// How evidence names a stored message: its Message-ID, else its input name.
[[nodiscard]] inline const std::string& message_name(const std::string& message_id, const std::string& input) {
  return message_id.empty() ? input : message_id;
}

// A message an analyst labelled, itself or through its campaign, with the
// features it was recorded with (docs/model.md, `sluice model train --from-store`).
struct LabelledMessage {
  std::int64_t id = 0;
  std::string input;
  bool malicious = false;
  std::string campaign;  // "C-42", or empty
  std::string feature_version;
  std::string features;  // "place=value;…" (before schema 6 "name=value;…"), campaigns::encode_features
};

struct StoreOptions {
  Verdict min_verdict = Verdict::suspicious;
  std::int64_t window_days = 14;  // weak evidence links only messages this close in time
  std::int64_t keep_days = 90;    // retention; 0 keeps everything
};

class Store {
 public:
  // `where`: a file path (SQLite) or a "postgresql://" / "postgres://" URI.
  static Result<Store> open(const std::string& where, StoreOptions options = {});

  Store(Store&&) noexcept = default;
  Store& operator=(Store&&) noexcept = default;
  ~Store();

  // Records one scanned message seen at `seen_at` (Unix seconds). Below
  // min_verdict nothing is stored and the result is nullopt: clean mail never
  // joins a campaign. Safe to call from several processes at once.
  Result<std::optional<Assignment>> record(const MessageRecord& message, std::int64_t seen_at);

  // Bulk recording (sluice scan over a folder): records between begin_batch()
  // and end_batch() share one write transaction, each in a savepoint of its
  // own, so the pages a message touches are written once per batch instead of
  // once per message. Other writers wait for end_batch(): keep batches short
  // (the CLI ends one every 64 messages or second). A failed record undoes
  // itself only.
  Status begin_batch();
  Status end_batch();
  [[nodiscard]] bool in_batch() const noexcept { return batch_; }
  [[nodiscard]] std::int64_t batched() const noexcept { return batched_; }
  [[nodiscard]] std::chrono::steady_clock::duration batch_age() const noexcept {
    return std::chrono::steady_clock::now() - batch_started_;
  }

  // Deletes messages older than keep_days before `now`, and campaigns left
  // empty. Returns how many messages went.
  Result<std::int64_t> prune(std::int64_t now);

  Result<std::vector<CampaignSummary>> summaries();
  // By label ("C-42") or number; a campaign merged into another answers with
  // the one it is part of now.
  Result<CampaignSummary> summary(std::string_view id);
  Result<std::vector<StoredMessage>> assignments();

  // Labels from the field: "malicious", "benign", or "" to clear. A campaign's
  // label (by label or number; merged campaigns answer for the one they are
  // part of) covers every message in it, also those recorded later; a
  // message's own label overrides it. Returns the campaign's label ("C-42").
  Result<std::string> label_campaign(std::string_view which, std::string_view label);
  Status label_message(std::int64_t id, std::string_view label);
  // Every message with a label, oldest first.
  Result<std::vector<LabelledMessage>> labelled();
  Result<std::int64_t> schema_version();

  [[nodiscard]] Dialect dialect() const noexcept { return db_->dialect(); }
  [[nodiscard]] const StoreOptions& options() const noexcept { return options_; }

 private:
  Store(std::unique_ptr<Db> db, StoreOptions options) : db_(std::move(db)), options_(options) {}
  // A recorded message's rows, for the next messages' look-ups.
  void remember(const MessageRecord& m, std::span<const std::int64_t> ids, const CandidateRow& row,
                std::span<const std::int64_t> merged);
  std::unique_ptr<Db> db_;
  StoreOptions options_;
  CandidateCache candidates_;
  bool batch_ = false;
  std::int64_t batched_ = 0;
  std::chrono::steady_clock::time_point batch_started_{};
};

[[nodiscard]] std::string campaign_label(std::int64_t id);
// "C-42" or "42" → 42; nullopt for anything else.
[[nodiscard]] std::optional<std::int64_t> parse_campaign_label(std::string_view s);

// Schema creation and upgrades (schema.cpp).
Status migrate(Db& db, std::int64_t target);
Result<std::int64_t> stored_schema_version(Db& db);

}  // namespace sluice::campaigns
