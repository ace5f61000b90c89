#pragma once
// RFC 2046 5.2.2 message/partial: one message split over several mails, each
// carrying id, number and (at least on the last) total. Outlook Express sent
// large attachments so; a gateway that scans each mail alone sees only
// fragments of the attachment, never the attachment. Fragments are collected
// wherever several sit in one input (an mbox, or one message's parts) and
// complete sets are reassembled for scanning.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "formats/mime/header.hpp"
#include "sluice/byte_view.hpp"

namespace sluice::formats::mime {

struct Fragment {
  std::string id;
  std::uint64_t number = 0;  // 1-based
  std::uint64_t total = 0;   // 0 when this fragment does not say
  ByteView body;             // the fragment's body (message/partial is 7bit)
};

// The fragment described by a Content-Type value, when it is message/partial
// with an id and a number (false otherwise).
[[nodiscard]] bool parse_fragment(const ParamValue& content_type, Fragment& out);

struct PartialSet {
  std::string id;
  std::uint64_t total = 0;
  std::vector<std::size_t> order;  // indices into the fragments, numbers 1..total
  bool complete = false;
};

// Groups fragments by id. A set is complete when some fragment gives the
// total, and each number 1..total is there (the first of duplicates counts).
// Totals above `max_total` are never complete (a lie that would make us wait
// for, or allocate for, a million fragments).
[[nodiscard]] std::vector<PartialSet> group_fragments(const std::vector<Fragment>& fragments,
                                                      std::uint64_t max_total);

// A whole message that is one fragment (how message/partial travels): its
// Content-Type names the fragment and its body is the fragment's bytes.
[[nodiscard]] bool message_fragment(ByteView message, Fragment& out);

// The fragments of a complete set joined in number order, at most `cap` bytes
// (RFC 2046 5.2.2.1: the first fragment's body starts with the enclosed
// message's own header, so the result is that message).
[[nodiscard]] std::vector<std::uint8_t> join_fragments(const std::vector<Fragment>& fragments,
                                                       const PartialSet& set, std::uint64_t cap);
// Their total size (saturating: it only feeds a min with the budget).
[[nodiscard]] std::uint64_t joined_size(const std::vector<Fragment>& fragments, const PartialSet& set);

}  // namespace sluice::formats::mime
