#pragma once
#include <cstdint>
#include <string>

#include "core/parsed.hpp"
#include "sluice/byte_view.hpp"
#include "sluice/limits.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::gzip {

struct MemberHeader {
  std::uint8_t flags = 0;
  std::uint32_t mtime = 0;
  std::uint8_t extra_flags = 0;
  std::uint8_t os = 0;
  std::string name;     // FNAME, converted from ISO 8859-1 to UTF-8
  std::string comment;  // FCOMMENT, likewise
  std::uint64_t extra_size = 0;
  bool has_name = false;
  bool header_crc_ok = true;  // only meaningful with FHCRC
  std::uint64_t size = 0;     // bytes up to the deflate data
};

// One member header at the start of `bytes` (a member follows the previous
// one's trailer; offsets in the error and the anomalies count from the
// member's first byte). Reserved flags and a header CRC that does not match
// are anomalies: gzip's header is read anyway, as `gzip -d` reads it. A
// header has no cap of its own to take from `limits`: its strings end at the
// bytes' end.
[[nodiscard]] Result<Parsed<MemberHeader>> parse(ByteView bytes, const Limits& limits);

}  // namespace sluice::formats::gzip
