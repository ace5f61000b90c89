#pragma once
// mbox (RFC 4155; mboxo / mboxrd / mboxcl share the "From " separator): the
// messages of one file as views, without un-escaping ">From " lines (that
// would copy every message; the escaped line changes no MIME structure).
#include <cstdint>
#include <string>
#include <vector>

#include "sluice/byte_view.hpp"

namespace sluice::formats::mime {

struct MboxMessage {
  std::uint64_t separator = 0;  // offset of the "From " line
  std::uint64_t offset = 0;     // first byte of the message
  ByteView bytes;
  std::string from_line;
};

struct MboxSplit {
  std::vector<MboxMessage> messages;
  bool limited = false;           // more messages than `limit`
  std::uint64_t leading_junk = 0; // bytes before the first separator
};

// A separator is any line starting "From " (RFC 4155 2; Python's mailbox.mbox
// and mutt read it so). Requiring a blank line before it would merge the
// messages of mboxcl files, whose writers rely on Content-Length instead; body
// lines that start "From " are escaped ">From " by every mbox writer.
[[nodiscard]] MboxSplit split_mbox(ByteView file, std::size_t limit);

}  // namespace sluice::formats::mime
