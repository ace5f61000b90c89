#pragma once
// Field codes and DDE links: the ways a document reaches outside itself
// without a macro. Word fields (DDE, DDEAUTO, INCLUDETEXT, INCLUDEPICTURE,
// IMPORT, LINK) run a program or fetch content when the document opens or
// updates; spreadsheet formulas such as =cmd|' /c calc'!A0 are DDE links.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/byte_view.hpp"

namespace sluice::codecs::office {

// The field's keyword in upper case ("DDEAUTO") when the instruction is one
// that reaches outside the document; nothing for PAGE, TOC, MERGEFIELD ...
[[nodiscard]] std::optional<std::string> external_field_keyword(std::string_view instruction);

// Word 97-2003 (the WordDocument stream): a field is 0x13, its instruction,
// 0x14, its result, 0x15, with the text stored as 8-bit or UTF-16LE pieces.
// Rather than rebuilding the piece table, both encodings are searched for
// 0x13 followed by an instruction; only external fields are returned (UTF-8,
// whitespace collapsed), at most `max`.
[[nodiscard]] std::vector<std::string> word_binary_fields(ByteView word_document, std::size_t max);

// A DDE formula in a spreadsheet cell or CSV field: `=cmd|' /c calc'!A0`,
// `@SUM(cmd|'/c calc'!A0)`, `+cmd|...`, with or without quotes around the
// topic. Returns "service topic" ("cmd /c calc"), or nothing.
[[nodiscard]] std::optional<std::string> dde_formula(std::string_view cell);

// Collapses whitespace runs to one space and trims: field instructions are
// split across runs and padded with spaces.
[[nodiscard]] std::string collapse_spaces(std::string_view s);

}  // namespace sluice::codecs::office
