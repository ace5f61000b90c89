#pragma once
// The structures the ISO 9660 and UDF readers take whole (core::Fixed): once
// taken, their fields are read at offsets the compiler checks, so a cut
// structure is refused where it is taken (and reported there) instead of
// reading as zeros.
#include <cstdint>
#include <string>

#include "core/fixed.hpp"
#include "formats/iso9660/layout.hpp"
#include "sluice/byte_view.hpp"

namespace sluice::formats::iso9660 {

// ECMA-119 8: a volume descriptor is one 2048-byte sector.
using VolumeDescriptor = core::Fixed<kSector>;
// ECMA-119 9.1: a directory record (the root's in a descriptor is exactly this).
using DirRecord = core::Fixed<kDrMinSize>;
// A directory record up to its file identifier: the fixed fields every record has.
using RecordHead = core::Fixed<kDrName>;
// ECMA-167 descriptors are read in blocks of at least 512 bytes, and every
// fixed field Sluice reads (the file set descriptor's root ICB, at 400, is the
// farthest) lies in the first 512.
using UdfBlock = core::Fixed<512>;

// ECMA-119 7.2.3 / 7.3.3: a both-endian field, little-endian half first.
template <std::uint64_t Off, std::uint64_t N>
[[nodiscard]] bool both_endian_agree32(const core::Fixed<N>& f) noexcept {
  return f.template le32<Off>() == f.template be32<Off + 4>();
}
template <std::uint64_t Off, std::uint64_t N>
[[nodiscard]] bool both_endian_agree16(const core::Fixed<N>& f) noexcept {
  return f.template le16<Off>() == f.template be16<Off + 2>();
}

// A fixed-width, space-padded text field (ECMA-119 a-/d-characters).
[[nodiscard]] inline std::string trimmed(ByteView v, std::uint64_t off, std::uint64_t len) {
  std::string s(v.clamp(off, len).chars());
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

}  // namespace sluice::formats::iso9660
