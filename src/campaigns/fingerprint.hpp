#pragma once
// What a finished scan leaves for campaign grouping: the message's facts (who
// sent it to whom, about what, with which verdict) and its fingerprints — the
// things an actor cannot cheaply change between two messages of one wave: the
// implant's C2 and mutex, its code and icon, the container's layout and naming,
// the lure's template, the sending infrastructure. Pure: reads the artifact
// tree and findings, nothing else (docs/campaigns.md).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/lure/domains.hpp"
#include "model/features.hpp"
#include "sluice/engine.hpp"

namespace sluice::campaigns {

// How much one shared fingerprint says. A strong link alone puts two messages
// in one campaign; weak evidence needs two different classes within the time
// window (the same template *and* the same infrastructure, say); a fingerprint
// of class `report` is kept for the report and never links.
enum class LinkClass : std::uint8_t { strong, template_, infrastructure, layout, payload, links, report };

struct Fingerprint {
  std::string kind;   // "payload", "c2", "subject" … (docs/campaigns.md)
  std::string value;
};

[[nodiscard]] LinkClass link_class(std::string_view kind) noexcept;
[[nodiscard]] std::string_view to_string(LinkClass c) noexcept;
// The kinds that can link messages (every class but `report`).
[[nodiscard]] std::vector<std::string_view> linking_kinds();

struct MessageFacts {
  std::string input;
  std::string message_id;
  std::string from_domain;        // header From, lower-case
  std::string envelope_sender;    // SMTP MAIL FROM domain (milter), or Return-Path's
  std::vector<std::string> recipient_domains;  // SMTP RCPT TO (milter), or To/Cc; sorted, unique
  std::string subject;
  std::optional<std::int64_t> sent_at;  // the Date header, when it parses
  Verdict verdict = Verdict::clean;
  double score = 0;
  std::vector<std::string> findings;  // IDs, in the result's order, unique
  std::string evidence;               // the top finding's evidence path
  // The model's features (docs/features.md), non-zero ones as "place=value;…",
  // so an analyst's label can make the message training data
  // (`sluice model train --from-store`). Techniques only, like the vector.
  std::string feature_version;
  std::string features;
};

struct MessageRecord {
  MessageFacts facts;
  std::vector<Fingerprint> fingerprints;  // sorted by (kind, value), unique
};

// The SMTP envelope when the caller has it (the milter does); it replaces what
// the headers claim for the sender and recipient domains.
struct Envelope {
  std::string mail_from;
  std::vector<std::string> rcpt_to;
};

// `features`, when given, fills feature_version and features.
[[nodiscard]] MessageRecord extract(const ScanResult& result, const analysis::lure::PublicSuffixList& psl,
                                    const Envelope* envelope = nullptr, const model::FeatureSpace* features = nullptr);

// "place=value;…" of the non-zero entries of `x` (the place in `space`'s list),
// and back; decoding also takes "name=value" (rows recorded before schema 6).
// Unknown names, places outside the list and malformed entries are skipped
// and counted in `skipped`.
[[nodiscard]] std::string encode_features(const model::FeatureSpace& space, std::span<const float> x);
[[nodiscard]] std::vector<float> decode_features(const model::FeatureSpace& space, std::string_view text,
                                                 std::size_t& skipped);

// "Invoice 48213 due 2020-05-04 ref AB12CD" → "invoice # due #-#-# ref *": what
// stays when the numbers, dates and reference codes a mailer fills in per
// recipient are taken out. Bounded to `max` bytes of input.
[[nodiscard]] std::string text_template(std::string_view text, std::size_t max = 4096);
// A file name with its digits and codes abstracted the same way, lower-case.
[[nodiscard]] std::string name_pattern(std::string_view name);

}  // namespace sluice::campaigns
