#include "formats/gzip/parser.hpp"

#include <zlib.h>

#include "core/reader.hpp"
#include "formats/gzip/layout.hpp"

namespace sluice::formats::gzip {
namespace {

// RFC 1952 2.3.1: FNAME and FCOMMENT are ISO 8859-1.
std::string latin1_to_utf8(ByteView b) {
  std::string out;
  out.reserve(b.size());
  for (char c : b.chars()) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80) {
      out.push_back(c);
    } else {
      out.push_back(static_cast<char>(0xC0 | (u >> 6)));
      out.push_back(static_cast<char>(0x80 | (u & 0x3F)));
    }
  }
  return out;
}

}  // namespace

Result<MemberHeader> parse_member_header(ByteView bytes, std::uint64_t base) {
  core::Reader r(bytes, base);
  MemberHeader h;
  auto id1 = r.u8();
  auto id2 = r.u8();
  auto method = r.u8();
  if (!id1 || !id2 || !method) return fail(Errc::truncated, base, "gzip header cut short");
  if (*id1 != kId1 || *id2 != kId2) return fail(Errc::malformed, base, "no gzip magic");
  if (*method != kMethodDeflate) {
    return fail(Errc::unsupported, base + 2, "compression method " + std::to_string(*method));
  }
  auto flags = r.u8();
  auto mtime = r.le<std::uint32_t>();
  auto xfl = r.u8();
  auto os = r.u8();
  if (!flags || !mtime || !xfl || !os) return fail(Errc::truncated, base, "gzip header cut short");
  h.flags = *flags;
  h.mtime = *mtime;
  h.extra_flags = *xfl;
  h.os = *os;
  if (h.flags & kFlagExtra) {
    auto xlen = r.le<std::uint16_t>();
    if (!xlen) return std::unexpected(xlen.error());
    h.extra_size = *xlen;
    if (auto s = r.skip(*xlen); !s) return std::unexpected(s.error());
  }
  if (h.flags & kFlagName) {
    auto name = r.until(0);
    if (!name) return std::unexpected(name.error());
    h.name = latin1_to_utf8(*name);
    h.has_name = true;
  }
  if (h.flags & kFlagComment) {
    auto comment = r.until(0);
    if (!comment) return std::unexpected(comment.error());
    h.comment = latin1_to_utf8(*comment);
  }
  if (h.flags & kFlagHcrc) {
    const std::uint64_t covered = r.pos();
    auto crc16 = r.le<std::uint16_t>();
    if (!crc16) return std::unexpected(crc16.error());
    const uLong crc = crc32(0L, bytes.data(), static_cast<uInt>(covered));
    h.header_crc_ok = (crc & 0xFFFF) == *crc16;
  }
  h.size = r.pos();
  return h;
}

}  // namespace sluice::formats::gzip
