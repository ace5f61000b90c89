#pragma once
// Which Windows script language a text is, from its content alone. Windows
// picks the engine by extension, and the extension is the attacker's claim;
// the content tells which engine the author wrote for (ADR 0001: sniffing is
// central, so this lives in core beside sniff.cpp).
#include <string_view>

#include "sluice/file_type.hpp"

namespace sluice::core {

struct ScriptSniff {
  FileType type = FileType::text;  // FileType::text when no script language is recognised
  bool html_tag = false;           // "<html" somewhere, in any case (the same pass saw it)
};

// `head` is the head of a text (sniff_text's window), in any letter case:
// markers are matched ASCII-case-insensitively.
[[nodiscard]] ScriptSniff sniff_script(std::string_view head) noexcept;

// A Script Encoder marker "#@~^" followed by a 6-character length and "==".
[[nodiscard]] bool has_encoded_script_marker(std::string_view text) noexcept;

}  // namespace sluice::core
