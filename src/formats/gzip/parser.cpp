#include "formats/gzip/parser.hpp"

#include <zlib.h>

#include "core/reader.hpp"
#include "core/text.hpp"
#include "formats/gzip/layout.hpp"

namespace sluice::formats::gzip {

Result<Parsed<MemberHeader>> parse(ByteView bytes, const Limits& /*limits*/) {
  core::Reader r(bytes);
  Parsed<MemberHeader> out;
  MemberHeader& h = out.model;
  auto id1 = r.u8();
  auto id2 = r.u8();
  auto method = r.u8();
  if (!id1 || !id2 || !method) return fail(Errc::truncated, 0, "gzip header cut short");
  if (*id1 != kId1 || *id2 != kId2) return fail(Errc::malformed, 0, "no gzip magic");
  if (*method != kMethodDeflate) {
    return fail(Errc::unsupported, 2, "compression method " + std::to_string(*method));
  }
  auto flags = r.u8();
  auto mtime = r.le<std::uint32_t>();
  auto xfl = r.u8();
  auto os = r.u8();
  if (!flags || !mtime || !xfl || !os) return fail(Errc::truncated, 0, "gzip header cut short");
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
    h.name = core::latin1_to_utf8(name->chars());  // RFC 1952 2.3.1: ISO 8859-1
    h.has_name = true;
  }
  if (h.flags & kFlagComment) {
    auto comment = r.until(0);
    if (!comment) return std::unexpected(comment.error());
    h.comment = core::latin1_to_utf8(comment->chars());
  }
  if (h.flags & kFlagHcrc) {
    const std::uint64_t covered = r.pos();
    auto crc16 = r.le<std::uint16_t>();
    if (!crc16) return std::unexpected(crc16.error());
    const uLong crc = crc32(0L, bytes.data(), static_cast<uInt>(covered));
    h.header_crc_ok = (crc & 0xFFFF) == *crc16;
  }
  h.size = r.pos();
  if (h.flags & kFlagReserved) {
    out.anomalies.push_back({"gzip.reserved_flags", Severity::low, 3,
                             "reserved header flags set (RFC 1952 says a reader must reject them)"});
  }
  if (!h.header_crc_ok) {
    out.anomalies.push_back({"gzip.header_crc_mismatch", Severity::low, 0, "header CRC16 does not match"});
  }
  return out;
}

}  // namespace sluice::formats::gzip
