#pragma once
// The embedded objects of an RTF document: every `\objdata` destination's hex
// (and `\bin` bytes) decoded, with the `\objclass` its `\object` group names.
// Read the way Word reads, not the way the specification writes: attackers
// split the hex with whitespace, unknown control words, nested groups and
// `\bin` runs precisely because scanners that read the letter of the spec
// stop there (the CVE-2017-11882 droppers).
#include <cstdint>
#include <string>
#include <vector>

#include "core/parsed.hpp"
#include "sluice/byte_view.hpp"
#include "sluice/limits.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::rtf {

struct RtfObject {
  std::uint64_t offset = 0;  // of the \objdata control word
  std::string class_name;    // from \objclass, as written (Latin-1 → UTF-8)
  std::vector<std::uint8_t> data;
  bool odd_hex = false;  // one hex digit was left over
};

struct RtfScan {
  std::vector<RtfObject> objects;
  bool too_deep = false;    // groups nested past limits.rtf.max_group_depth
  bool unbalanced = false;  // a '}' without its '{', or groups left open
  std::size_t dropped = 0;  // objects past max_children: counted, not kept
};

// Never fails: any bytes are read as far as they go (the type was sniffed).
[[nodiscard]] Result<Parsed<RtfScan>> parse(ByteView rtf, const Limits& limits);

}  // namespace sluice::formats::rtf
