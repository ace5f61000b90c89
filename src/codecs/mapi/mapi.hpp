#pragma once
// MAPI property lists as TNEF encodes them (MS-OXTNEF 2.1.3.5): attMAPIProps on
// the message and attAttachment on each attachment. Pure: views into the input,
// no copies; every count is checked against the bytes left before it is used.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sluice/byte_view.hpp"
#include "sluice/finding.hpp"

namespace sluice::codecs::mapi {

struct MapiProp {
  std::uint16_t type = 0;  // without the multi-value flag
  std::uint16_t id = 0;
  bool multi = false;
  bool named = false;  // id >= 0x8000: a GUID plus a number or a name
  std::array<std::uint8_t, 16> guid{};
  std::uint32_t name_id = 0;
  std::string name;  // UTF-8 of a string-named property
  std::vector<ByteView> values;  // each value's bytes, padding excluded
  std::uint64_t offset = 0;      // of the tag, in the TNEF stream
};

// Parses one property list at `base` in the stream. A malformed list stops at
// the first bad property: the ones before it are returned, an issue says why.
[[nodiscard]] std::vector<MapiProp> parse_mapi_props(ByteView list, std::uint64_t base,
                                                     std::vector<Anomaly>& issues);

// The first value of a string property as UTF-8 (PT_UNICODE is UTF-16LE;
// PT_STRING8 is in the sender's code page, kept as Latin-1 so nothing is lost),
// cut at the first NUL. Binary values are taken as 8-bit text.
[[nodiscard]] std::string prop_string(const MapiProp& p);

[[nodiscard]] const MapiProp* find_prop(const std::vector<MapiProp>& props, std::uint16_t id);

}  // namespace sluice::codecs::mapi
