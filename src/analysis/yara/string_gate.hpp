#pragma once
// Whether every rule of a YARA source can match only where one of its own
// strings matched ("string-gated"), read from the rule text, conservatively.
//
// Why (issue #17, docs/adr/0039): a MIME text part sent 7bit, 8bit or binary
// is a byte range of its message, and YARA scanned the message. If no string
// of any rule matched anywhere in the message, none matches inside the part
// either (see the conditions in the ADR), and a rule set where every rule
// needs one of its strings cannot match the part: its scan can be skipped.
// A quarter of the bytes YARA read on ham were such parts.
//
// The reading is a recogniser, not a YARA parser: it answers true only for
// text it fully understands, and false for anything else (an `include`, a
// condition with `not`, `#a`, `@a`, `$a at`, `for`, `matches`, a regex with
// `^` or `$`, a syntax it does not know). False only means "scan every part".
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace sluice::analysis::yara {

// True when every rule in `source` is string-gated and no regex string is
// anchored. An empty source (no rule) is true.
[[nodiscard]] bool every_rule_needs_a_string(std::string_view source);

// One string definition as written: the text between its delimiters (quotes,
// braces, slashes; escapes not undone) and the modifiers that change which
// bytes it matches.
struct StringDef {
  enum class Kind : std::uint8_t { text, hex, regex };
  Kind kind = Kind::text;
  std::string_view name;  // "$a"; "$" for an anonymous string
  std::string_view body;
  bool nocase = false;  // `nocase`, or a regex's `i` flag
  bool ascii = false;
  bool wide = false;
  bool transformed = false;  // xor, base64, base64wide: the bytes are not the text's
  // Whether its rule's condition can hold only where one of the rule's
  // "needed" strings matched, this one among them (ADR 0040): in `$a or ($b
  // and $c)`, $a and the better of $b and $c are needed; the other is not,
  // as the rule cannot match on it alone.
  bool needed = true;
};

// Every string definition of `source`, in order, when every rule in it is
// string-gated (as above); nothing otherwise. The views point into `source`.
[[nodiscard]] std::optional<std::vector<StringDef>> gated_strings(std::string_view source);

}  // namespace sluice::analysis::yara
