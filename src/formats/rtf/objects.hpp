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

#include "sluice/byte_view.hpp"

namespace sluice::formats::rtf {

struct RtfObject {
  std::uint64_t offset = 0;  // of the \objdata control word
  std::string class_name;    // from \objclass, as written (Latin-1 → UTF-8)
  std::vector<std::uint8_t> data;
  bool odd_hex = false;  // one hex digit was left over
};

struct RtfScan {
  std::vector<RtfObject> objects;
  bool too_deep = false;    // groups nested past kMaxGroupDepth
  bool unbalanced = false;  // a '}' without its '{', or groups left open
};

// `max_objects`: objects after that many are counted, not kept.
[[nodiscard]] RtfScan find_objects(ByteView rtf, std::size_t max_objects, std::size_t& dropped);

}  // namespace sluice::formats::rtf
