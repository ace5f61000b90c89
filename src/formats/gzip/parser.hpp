#pragma once
#include <cstdint>
#include <string>

#include "sluice/byte_view.hpp"
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

// Parses one member header at the start of `bytes`. `base` is its offset in the
// artifact, for error positions. Pure: no allocation beyond the strings.
[[nodiscard]] Result<MemberHeader> parse_member_header(ByteView bytes, std::uint64_t base);

}  // namespace sluice::formats::gzip
