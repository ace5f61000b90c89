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

// Each reads into out.model and records what it finds odd in out.anomalies.
void parse_imports(Parsed<PeImage>& out, ByteView file, const Limits& limits);
void parse_exports(Parsed<PeImage>& out, ByteView file, const Limits& limits);
void parse_resources(Parsed<PeImage>& out, ByteView file, const Limits& limits);

// Medium for what only a crafted file does (a resource loop, thousands of sections, a
// certificate table that does not parse); low for truncation, as often damage as malice.
inline void problem(std::vector<Anomaly>& anomalies, std::string id, Severity severity, std::uint64_t off,
                    std::string msg) {
  anomalies.push_back({std::move(id), severity, off, std::move(msg)});
}

}  // namespace sluice::formats::pe::detail
