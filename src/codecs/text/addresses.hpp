#pragma once
// Address headers (RFC 5322 3.4) read once, where the message is parsed: a
// mailbox's display name, address and lower-case domain, and a list header
// split into its mailboxes. Lenient as mail clients are: no error side, a
// header that is not an address yields a mailbox with what could be read.
#include <string>
#include <string_view>
#include <vector>

#include "sluice/meta_key.hpp"

namespace sluice::codecs::text {

// "Display Name" <user@host> or a bare user@host; the last <...> wins, as
// clients show it.
[[nodiscard]] Mailbox read_mailbox(std::string_view text);

// "A <a@x.com>, \"B, C\" <b@y.org>" → the mailboxes' texts one by one (commas
// inside quotes or angle brackets do not split); at most kMaxMailboxes.
inline constexpr std::size_t kMaxMailboxes = 1000;
[[nodiscard]] std::vector<std::string_view> split_mailboxes(std::string_view header);

enum class AddressForm : std::uint8_t { one, list };
// The header's text with its mailboxes: one (From, Sender, Reply-To,
// Return-Path: the whole text is one mailbox) or a list (To, Cc).
[[nodiscard]] MailAddresses read_addresses(std::string text, AddressForm form);

}  // namespace sluice::codecs::text
