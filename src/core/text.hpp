#pragma once
#include <bit>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/byte_view.hpp"

namespace sluice::core {

// Valid UTF-8 out of any bytes: each invalid sequence becomes U+FFFD, so a name
// always renders and always serialises, and the substitution is visible.
[[nodiscard]] std::string to_valid_utf8(std::string_view raw);
// The same repair in place: `s` is left alone, not copied, when it is valid.
void make_valid_utf8(std::string& s);
// Cuts at a code-point boundary at or below max_bytes.
[[nodiscard]] std::string truncate_utf8(std::string s, std::size_t max_bytes);
// One character: only A–Z change (no locale: attacker bytes are not text in one).
[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
[[nodiscard]] std::string ascii_lower(std::string_view s);
// A hex digit's value (either case), -1 for any other character.
[[nodiscard]] constexpr int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
// The same, over `s` itself.
void ascii_lower_in_place(std::string& s) noexcept;
// Whether `s` lower-cased (ASCII letters only) is `lower`, without a copy.
[[nodiscard]] bool ascii_lower_equals(std::string_view s, std::string_view lower) noexcept;
// Whether `s` begins with `lower_prefix` (lower-case), ASCII letters compared without case.
[[nodiscard]] inline bool ascii_lower_starts(std::string_view s, std::string_view lower_prefix) noexcept {
  return s.size() >= lower_prefix.size() && ascii_lower_equals(s.substr(0, lower_prefix.size()), lower_prefix);
}
[[nodiscard]] std::string ascii_upper(std::string_view s);
// The first byte of `s` at or after `from` that is one of the few in `set`;
// npos when none. std::string_view::find_first_of calls memchr on the set for
// every byte of `s`: over every URL of a ham message that was a million calls.
[[nodiscard]] constexpr std::size_t find_any(std::string_view s, std::string_view set, std::size_t from = 0) noexcept {
  for (std::size_t i = from; i < s.size(); ++i) {
    for (const char c : set) {
      if (s[i] == c) return i;
    }
  }
  return std::string_view::npos;
}
// Two names of one file end in different extensions (compared without case):
// an OLE package's caption against its file, a PDF attachment's /UF against /F.
[[nodiscard]] bool extensions_differ(std::string_view a, std::string_view b);

// One code point as UTF-8; anything past U+10FFFF or a surrogate becomes U+FFFD.
void append_utf8(std::string& out, char32_t cp);

// ISO 8859-1 bytes (gzip FNAME, UDF 8-bit OSTA names, unknown OEM pages kept
// visible) as UTF-8: every byte is its own code point.
[[nodiscard]] std::string latin1_to_utf8(std::string_view bytes);

// UTF-16 (Joliet and UDF are big-endian; Windows structures little-endian) to
// UTF-8. Surrogate pairs are joined; a lone surrogate becomes U+FFFD (Windows
// keeps such names, UTF-8 cannot); an odd trailing byte is dropped.
enum class Utf16Stop : std::uint8_t { at_end, at_nul };
[[nodiscard]] std::string utf16_to_utf8(ByteView bytes, std::endian order,
                                        Utf16Stop stop = Utf16Stop::at_end);
[[nodiscard]] std::string utf16_to_utf8(std::span<const std::uint16_t> units);

// A password as the encryptions that hash UTF-16LE take it (7z, RAR, Office):
// UTF-8 in, no terminator out; a byte that starts no valid UTF-8 sequence
// stands for itself (Latin-1), so every candidate hashes to something.
[[nodiscard]] std::vector<std::uint8_t> password_utf16le(std::string_view utf8);

}  // namespace sluice::core
