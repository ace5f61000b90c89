#pragma once
// The metadata keys src/formats/mime writes, declared once: name, type, meaning.
// Writers and readers use these declarations; docs/metadata.md is generated
// from them (`sluice keys --markdown`, checked by ctest metadata_catalog).
#include "sluice/meta_key.hpp"

namespace sluice::meta::mail {

inline constexpr MetaKey<std::string> subject{
    "mail.subject",
    "Subject (also written by tnef and msg from the message's subject property)"};
inline constexpr MetaKey<MailAddresses> from{
    "mail.from",
    "From, with its one mailbox (also written by tnef as \"name <address>\" and msg from the "
    "sender properties)"};
inline constexpr MetaKey<MailAddresses> to{
    "mail.to",
    "To, with each mailbox"};
inline constexpr MetaKey<MailAddresses> cc{
    "mail.cc",
    "Cc, with each mailbox"};
inline constexpr MetaKey<MailAddresses> reply_to{
    "mail.reply_to",
    "Reply-To, with its one mailbox"};
inline constexpr MetaKey<MailAddresses> return_path{
    "mail.return_path",
    "Return-Path (envelope sender), with its one mailbox"};
inline constexpr MetaKey<MailAddresses> sender{
    "mail.sender",
    "Sender, with its one mailbox"};
inline constexpr MetaKey<std::string> date{
    "mail.date",
    "Date (RFC 5322 text; campaigns parse it)"};
inline constexpr MetaKey<std::string> message_id{
    "mail.message_id",
    "Message-ID"};
inline constexpr MetaKey<std::string> authentication_results{
    "mail.authentication_results",
    "Authentication-Results (SPF/DKIM/DMARC verdicts of a receiving site)"};
inline constexpr MetaKey<std::string> x_mailer{
    "mail.x_mailer",
    "X-Mailer (sending client)"};
inline constexpr MetaKey<std::string> list_id{
    "mail.list_id",
    "List-Id (RFC 2919): the message was resent by a mailing list"};
inline constexpr MetaKey<std::string> list_post{
    "mail.list_post",
    "List-Post (RFC 2369)"};
inline constexpr MetaKey<std::string> arc_seal{
    "mail.arc_seal",
    "ARC-Seal (RFC 8617)"};
inline constexpr MetaKey<std::string> received{
    "mail.received",
    "one Received field as written (not decoded), newest first, cut at 512 bytes; at most 16 "
    "values"};

}  // namespace sluice::meta::mail

namespace sluice::meta::mbox {

inline constexpr MetaKey<std::int64_t> messages{
    "mbox.messages",
    "number of messages split out of an mbox file"};
inline constexpr MetaKey<std::string> from_line{
    "mbox.from_line",
    "on a message from an mbox: its \"From \" separator line"};

}  // namespace sluice::meta::mbox

namespace sluice::meta::mime {

inline constexpr MetaKey<std::string> partial_id{
    "mime.partial_id",
    "on a message reassembled from message/partial fragments: their shared id"};
inline constexpr MetaKey<std::int64_t> partial_total{
    "mime.partial_total",
    "on a reassembled message: the total number of fragments declared"};
inline constexpr MetaKey<std::string> uuencode_mode{
    "mime.uuencode_mode",
    "on a file decoded from a uuencoded block in a text part: the octal mode of its \"begin\" line"};
inline constexpr MetaKey<std::string> content_type{
    "mime.content_type",
    "on a part: its Content-Type header value as written; when absent, the type the parser "
    "assumed"};
inline constexpr MetaKey<std::string> transfer_encoding{
    "mime.transfer_encoding",
    "on a part: its Content-Transfer-Encoding; absent when none"};
inline constexpr MetaKey<std::string> charset{
    "mime.charset",
    "on a part: its charset parameter; absent when none"};
inline constexpr MetaKey<std::string> disposition{
    "mime.disposition",
    "on a part: its Content-Disposition (\"attachment\", \"inline\"); absent when none"};

}  // namespace sluice::meta::mime

namespace sluice::meta::html {

inline constexpr MetaKey<std::string> link_shown_host{
    "html.link_shown_host",
    "on an HTML body part: a host the text of a link shows when the link goes elsewhere; at most "
    "16 values (the lure detector compares them with brands' domains)"};

}  // namespace sluice::meta::html

namespace sluice::meta {

inline constexpr MetaKeyInfo kMimeKeys[] = {
    mail::subject,
    mail::from,
    mail::to,
    mail::cc,
    mail::reply_to,
    mail::return_path,
    mail::sender,
    mail::date,
    mail::message_id,
    mail::authentication_results,
    mail::x_mailer,
    mail::list_id,
    mail::list_post,
    mail::arc_seal,
    mail::received,
    mbox::messages,
    mbox::from_line,
    mime::partial_id,
    mime::partial_total,
    mime::uuencode_mode,
    mime::content_type,
    mime::transfer_encoding,
    mime::charset,
    mime::disposition,
    html::link_shown_host,
};
inline constexpr MetaSection kMimeSection{
    "mime", "src/formats/mime",
    "Mail messages and mbox files. Header keys sit on the message, RFC 2047 decoded, and are "
    "absent when the header is.",
    kMimeKeys};

}  // namespace sluice::meta
