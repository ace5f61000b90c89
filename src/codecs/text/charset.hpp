#pragma once
// MIME charset labels → UTF-8 through glibc iconv. Mail labels charsets the way
// its writers spelled them ("utf8", "latin1", "ks_c_5601-1987", "x-sjis"), and
// the labels clients actually decode with are often wider than the name says
// (gb2312 mail is GBK/GB18030, shift_jis mail is Windows-31J): the alias table
// maps each label to the superset clients use, so the text we read is the text
// the victim sees.
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::codecs::text {

// iconv output per input byte never exceeds 4 UTF-8 bytes (+ a replacement
// character for each undecodable byte, 3 bytes): bound the buffer up front.
inline constexpr std::uint64_t kUtf8Expansion = 4;

// The iconv name for a charset label; "" for an empty or impossible label
// (anything but token characters, so "//TRANSLIT" suffixes never reach
// iconv_open). Labels that need no conversion (ASCII, UTF-8) give "UTF-8".
[[nodiscard]] std::string iconv_charset_name(std::string_view label);

struct Utf8Text {
  std::string text;      // valid UTF-8, at most `max_out` bytes
  bool known = true;     // the label named a charset iconv converts
  bool replaced = false; // some bytes were undecodable and became U+FFFD
  bool capped = false;   // conversion stopped at `max_out`
};

// `bytes` in `label` as UTF-8. An unknown label reads as UTF-8 (mail with an
// unknown charset is mostly ASCII, and every client falls back so); bytes the
// charset cannot decode become U+FFFD, one per refused byte, never dropped.
[[nodiscard]] Utf8Text to_utf8(std::string_view label, std::string_view bytes,
                               std::uint64_t max_out);

}  // namespace sluice::codecs::text
