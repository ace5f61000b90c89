#pragma once
// Helpers shared by the PE table parsers (headers, imports, resources). Internal.
#include <cstdint>
#include <string>

#include "formats/pe/parser.hpp"

namespace sluice::formats::pe::detail {

// A NUL-terminated byte string at a file offset, at most `max` bytes; nothing
// when it runs off the end unterminated (pefile then drops the entry too).
[[nodiscard]] std::optional<std::string> c_string_at(ByteView file, std::uint64_t off,
                                                     std::uint32_t max);
// The same at an RVA.
[[nodiscard]] std::optional<std::string> c_string_at_rva(const PeImage& pe, ByteView file,
                                                         std::uint64_t rva, std::uint32_t max);
// UTF-16LE code units to UTF-8 (unpaired surrogates become U+FFFD).
[[nodiscard]] std::string utf16_to_utf8(ByteView units);

void parse_imports(PeImage& pe, ByteView file, const ParseCaps& caps);
void parse_exports(PeImage& pe, ByteView file, const ParseCaps& caps);
void parse_resources(PeImage& pe, ByteView file, const ParseCaps& caps);

// Medium for what only a crafted file does (a resource loop, thousands of sections, a
// certificate table that does not parse); low for truncation, as often damage as malice.
inline void problem(PeImage& pe, std::string id, Severity severity, std::uint64_t off, std::string msg) {
  pe.problems.push_back({std::move(id), severity, off, std::move(msg)});
}

}  // namespace sluice::formats::pe::detail
