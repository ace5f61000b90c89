#pragma once
// RFC 5322 / RFC 2045-2049 constants. Nothing here is a limit: sizes and counts
// come from sluice::Limits; these are the grammar's fixed words.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "meta/mime.hpp"

namespace sluice::formats::mime {

// RFC 2046 5.1.1: a delimiter line is "--" boundary, the close adds "--".
inline constexpr std::string_view kDash = "--";
// RFC 2046 5.1.1: boundaries are 1-70 characters; longer ones are legal to
// parse (Python, MimeKit accept them) but no benign writer makes them.
inline constexpr std::uint64_t kMaxSaneBoundary = 70;
// RFC 5322 2.1.1: 998 characters per line. Longer header lines are kept but
// noted; they are how some scanners are made to give up on a header.
inline constexpr std::uint64_t kMaxLineLength = 998;

// Header names whose values Sluice copies to the root's meta for the lure
// and sender detectors ("mail.<suffix>").
// An address header's key instead of `key` when `addresses` names one: its
// mailboxes are read once here (codecs/text/addresses.hpp).
enum class HeaderForm : std::uint8_t { text, mailbox, mailboxes };
struct MetaHeader {
  std::string_view header;
  MetaKey<std::string> key{};
  MetaKey<MailAddresses> addresses{};
  HeaderForm form = HeaderForm::text;
};
// Received fields kept as mail.received meta, and the length kept of each.
inline constexpr std::size_t kMaxReceivedMeta = 16;
inline constexpr std::size_t kMaxReceivedLength = 512;

inline constexpr MetaHeader kMetaHeaders[] = {
    {"from", {}, meta::mail::from, HeaderForm::mailbox},
    {"to", {}, meta::mail::to, HeaderForm::mailboxes},
    {"cc", {}, meta::mail::cc, HeaderForm::mailboxes},
    {"reply-to", {}, meta::mail::reply_to, HeaderForm::mailbox},
    {"return-path", {}, meta::mail::return_path, HeaderForm::mailbox},
    {"sender", {}, meta::mail::sender, HeaderForm::mailbox},
    {"date", meta::mail::date},
    {"message-id", meta::mail::message_id},
    {"authentication-results", meta::mail::authentication_results},
    {"x-mailer", meta::mail::x_mailer},
    // A mailing list re-sends mail it did not author: SPF and DMARC then fail
    // downstream, and Reply-To points at the list (RFC 2369, RFC 2919, RFC 8617).
    {"list-id", meta::mail::list_id},
    {"list-post", meta::mail::list_post},
    {"arc-seal", meta::mail::arc_seal},
};

}  // namespace sluice::formats::mime
