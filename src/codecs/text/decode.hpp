#pragma once
// Transfer and header decoders. Every decoder appends to a caller's buffer and
// stops at a cap, so the caller charges exactly what was produced to the
// budget. They are tolerant the way mail clients are (junk in base64, missing
// padding, bad =XX escapes) and count what they tolerated so it can be reported.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/byte_view.hpp"

namespace sluice::codecs::text {

struct DecodeStats {
  std::uint64_t junk = 0;            // bytes outside the alphabet (not line breaks)
  std::uint64_t after_padding = 0;   // base64 alphabet bytes after the closing '='
  bool bad_length = false;           // base64: a lone 6-bit group at the end
  bool capped = false;               // output stopped at the cap
  bool bad_escape = false;           // quoted-printable: '=' not followed by hex / EOL
};

// RFC 4648 base64 as Python's email package decodes it (binascii non-strict):
// bytes outside the alphabet are skipped, decoding stops once '=' completes a
// quantum, and a trailing 2 or 3 symbols yield their bytes.
void decode_base64(ByteView in, std::vector<std::uint8_t>& out, std::uint64_t cap,
                   DecodeStats& stats);
// RFC 2045 6.7 as binascii.a2b_qp: "=XX" (either case), soft breaks "=\n" and
// "=\r\n", an '=' before anything else kept literally.
void decode_quoted_printable(ByteView in, std::vector<std::uint8_t>& out, std::uint64_t cap,
                             DecodeStats& stats);

// One uuencoded block: "begin <mode> <name>" ... "end".
struct UuBlock {
  std::uint64_t begin = 0;  // offset of the "begin" line in the input
  std::uint64_t data = 0;   // first encoded line
  std::uint64_t end = 0;    // past the "end" line (or the input's end)
  std::string mode;
  std::string name;
  bool terminated = false;
};
// Finds "begin NNN name" lines (POSIX uuencode). `limit` bounds how many.
[[nodiscard]] std::vector<UuBlock> find_uu_blocks(ByteView in, std::size_t limit);
void decode_uu(ByteView lines, std::vector<std::uint8_t>& out, std::uint64_t cap,
               DecodeStats& stats);

// Bytes in `charset` to UTF-8 through glibc iconv, bounded by kUtf8Expansion.
// Unknown charsets and undecodable bytes become U+FFFD (visible, never dropped).
[[nodiscard]] std::string charset_to_utf8(std::string_view charset, std::string_view bytes);

// RFC 2047 encoded words in a header value, decoded to UTF-8. Whitespace
// between two adjacent encoded words is dropped (6.2). `found` tells whether
// any encoded word was seen; `malformed` whether one was broken.
struct Rfc2047Result {
  std::string text;
  bool found = false;
  bool malformed = false;
};
[[nodiscard]] Rfc2047Result decode_rfc2047(std::string_view value);

}  // namespace sluice::codecs::text
