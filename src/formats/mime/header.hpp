#pragma once
// RFC 5322 header sections and RFC 2045/2231 parameters, read the way Python's
// email.feedparser reads them (it is our oracle), with every place a client
// could read them differently recorded as a note.
#include <cstdint>
#include <forward_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/byte_view.hpp"

namespace sluice::formats::mime {

// Views: into the entity parse_headers read, or, for a folded value, into
// its section's `unfolded` strings. A section lives no longer than the bytes
// it was read from (the MIME parser holds both for one message). A name and
// a value string per field were about a sixth of a ham scan's allocator
// calls (55 k of 329 k over easy-ham-1, heaptrack).
struct HeaderField {
  std::string_view name;    // as written
  std::string_view value;   // unfolded: continuation lines joined, line breaks removed
  std::uint64_t offset = 0;  // of the field's first byte in the entity

  // The name compared without ASCII case (`lower` is lower-case). Names are
  // not stored lower-cased: most fields are never asked for.
  [[nodiscard]] bool named(std::string_view lower) const noexcept;
};

struct HeaderSection {
  HeaderSection() = default;
  // Moved, never copied: a copy's folded values would still point into the
  // original's `unfolded` (a list's elements stay where they are when the
  // list is moved).
  HeaderSection(HeaderSection&&) = default;
  HeaderSection& operator=(HeaderSection&&) = default;
  HeaderSection(const HeaderSection&) = delete;
  HeaderSection& operator=(const HeaderSection&) = delete;

  std::vector<HeaderField> fields;
  // The values of folded fields, joined, newest first. A list: its strings
  // stay put as it grows, and an empty one (most sections) allocates
  // nothing, nor does a move (a deque allocated four times per section).
  std::forward_list<std::string> unfolded;
  std::uint64_t body_offset = 0;  // first body byte, relative to the entity
  bool separator = false;         // a blank line ended the section
  bool missing_separator = false; // a non-header line ended it (RFC 5322 2.1 says blank line)
  bool first_line_continuation = false;
  bool header_8bit = false;       // bytes >= 0x80 that are not valid UTF-8 (RFC 6532 allows UTF-8)
  bool header_nul = false;
  bool name_with_comment = false;
  std::uint64_t long_lines = 0;   // lines over 998 characters
  std::string spaced_name;        // "Content-Type :" style line that ended the section, if any
  std::string unix_from;
};

// Python's headerRE: "From " (envelope), a name of printable characters other
// than ':' followed by ':', or a continuation line.
[[nodiscard]] HeaderSection parse_headers(ByteView entity);

// The value of the first field called `lname` (lower-case), unfolded as
// parse_headers unfolds it, without building the section: the walk stops at
// the field after it. nullopt when the section has none.
[[nodiscard]] std::optional<std::string> first_field_value(ByteView entity, std::string_view lname);

// The first field called `lname`, or nullptr; `count` gets how many there are.
[[nodiscard]] const HeaderField* find_field(const HeaderSection& h, std::string_view lname,
                                            std::size_t* count = nullptr);

struct Param {
  std::string name;      // lower-case, without RFC 2231 "*" / "*N*" suffixes
  std::string value;     // unquoted; for RFC 2231, the percent-decoded bytes
  std::string charset;   // RFC 2231 only
  bool rfc2231 = false;
  bool quoted = false;
};

struct ParamValue {
  std::string value;         // "type/subtype" or disposition type, lower-case, comments removed
  std::vector<Param> params;  // plain params first, then assembled RFC 2231 ones (as Python orders them)
  bool had_comment = false;
  bool quoted_boundary_text = false;  // "boundary=" inside a quoted value (a lure for naive parsers)
  bool continuation_gap = false;      // RFC 2231 continuations with a missing or repeated number
};

[[nodiscard]] ParamValue parse_param_header(std::string_view value);
// First param called `name` (Python's Message.get_param order).
[[nodiscard]] const Param* find_param(const ParamValue& v, std::string_view name,
                                      bool rfc2231);
[[nodiscard]] std::string strip_comments(std::string_view s, bool& had_comment);
[[nodiscard]] std::string_view trim(std::string_view s);

}  // namespace sluice::formats::mime
