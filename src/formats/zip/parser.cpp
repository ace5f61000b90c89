#include "formats/zip/parser.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>

#include "core/checked.hpp"
#include "core/reader.hpp"
#include "formats/zip/layout.hpp"

namespace sluice::formats::zip {
namespace {

// Propagates a failed Result from a Reader read in one line.
#define SLUICE_ZIP_TRY(var, expr)               \
  auto var##_r = (expr);                        \
  if (!var##_r) return std::unexpected(var##_r.error()); \
  const auto var = *var##_r

// APPNOTE Appendix D: CP437 upper half, as Unicode code points.
constexpr std::array<char16_t, 128> kCp437High = {
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8,
    0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2,
    0x00FB, 0x00F9, 0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192, 0x00E1,
    0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x2310, 0x00AC, 0x00BD,
    0x00BC, 0x00A1, 0x00AB, 0x00BB, 0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562,
    0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510, 0x2514, 0x2534,
    0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560,
    0x2550, 0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B,
    0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580, 0x03B1, 0x00DF, 0x0393,
    0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4, 0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6,
    0x03B5, 0x2229, 0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248, 0x00B0,
    0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0};

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The ZIP64 record a locator points at; tolerates a uniform shift by also
// looking where the record must be (right before the locator), which is what
// Info-ZIP does for SFX archives.
void apply_zip64(ByteView zip, Eocd& e) {
  if (e.offset < kZip64LocatorSize) return;
  const std::uint64_t loc = e.offset - kZip64LocatorSize;
  if (!zip.matches_at(loc, kZip64LocatorSig)) return;
  auto declared = core::load_le<std::uint64_t>(zip, loc + 8);
  if (!declared) return;
  std::uint64_t at = *declared;
  if (!zip.matches_at(at, kZip64EocdSig)) {
    if (loc < kZip64EocdSize || !zip.matches_at(loc - kZip64EocdSize, kZip64EocdSig)) {
      e.zip64_broken = true;
      return;
    }
    at = loc - kZip64EocdSize;
  }
  auto sub = zip.subview(at, kZip64EocdSize);
  if (!sub) {
    e.zip64_broken = true;
    return;
  }
  core::Reader r(*sub, at);
  (void)r.skip(4 + 8 + 2 + 2);
  auto disk = r.le<std::uint32_t>();
  auto cd_disk = r.le<std::uint32_t>();
  auto n_disk = r.le<std::uint64_t>();
  auto n_total = r.le<std::uint64_t>();
  auto cd_size = r.le<std::uint64_t>();
  auto cd_off = r.le<std::uint64_t>();
  if (!disk || !cd_disk || !n_disk || !n_total || !cd_size || !cd_off) {
    e.zip64_broken = true;
    return;
  }
  e.zip64 = true;
  e.zip64_offset = at;
  e.record_start = at;
  e.disk = static_cast<std::uint16_t>(std::min<std::uint32_t>(*disk, 0xFFFF));
  e.cd_disk = static_cast<std::uint16_t>(std::min<std::uint32_t>(*cd_disk, 0xFFFF));
  e.entries_disk = *n_disk;
  e.entries_total = *n_total;
  e.cd_size = *cd_size;
  e.cd_offset = *cd_off;
}

// The run both headers share, from "version needed" to the extra length, in
// the same order (APPNOTE 4.3.7, 4.3.12). Stores the fields; returns the two
// lengths the caller still has to read.
struct Lengths {
  std::uint16_t name_len = 0;
  std::uint16_t extra_len = 0;
};
Result<Lengths> read_shared(core::Reader& r, HeaderFields& h) {
  SLUICE_ZIP_TRY(needed, r.le<std::uint16_t>());
  SLUICE_ZIP_TRY(flags, r.le<std::uint16_t>());
  SLUICE_ZIP_TRY(method, r.le<std::uint16_t>());
  SLUICE_ZIP_TRY(mtime, r.le<std::uint16_t>());
  SLUICE_ZIP_TRY(mdate, r.le<std::uint16_t>());
  SLUICE_ZIP_TRY(crc, r.le<std::uint32_t>());
  SLUICE_ZIP_TRY(csize, r.le<std::uint32_t>());
  SLUICE_ZIP_TRY(usize, r.le<std::uint32_t>());
  SLUICE_ZIP_TRY(name_len, r.le<std::uint16_t>());
  SLUICE_ZIP_TRY(extra_len, r.le<std::uint16_t>());
  h.needed = needed;
  h.flags = flags;
  h.method = method;
  h.mtime = mtime;
  h.mdate = mdate;
  h.crc = crc;
  h.csize = csize;
  h.usize = usize;
  return Lengths{name_len, extra_len};
}

Result<CentralEntry> parse_central_entry(ByteView zip, std::uint64_t at) {
  core::Reader r(zip.tail(at), at);
  if (!zip.matches_at(at, kCentralSig)) return fail(Errc::malformed, at, "no central header signature");
  (void)r.skip(4);
  CentralEntry c;
  c.offset = at;
  SLUICE_ZIP_TRY(made_by, r.le<std::uint16_t>());
  SLUICE_ZIP_TRY(shared, read_shared(r, c));
  SLUICE_ZIP_TRY(comment_len, r.le<std::uint16_t>());
  SLUICE_ZIP_TRY(disk, r.le<std::uint16_t>());
  SLUICE_ZIP_TRY(internal, r.le<std::uint16_t>());
  SLUICE_ZIP_TRY(external, r.le<std::uint32_t>());
  SLUICE_ZIP_TRY(local, r.le<std::uint32_t>());
  SLUICE_ZIP_TRY(name, r.bytes(shared.name_len));
  SLUICE_ZIP_TRY(extra, r.bytes(shared.extra_len));
  SLUICE_ZIP_TRY(comment, r.bytes(comment_len));
  c.made_by = made_by;
  c.disk = disk;
  c.internal_attr = internal;
  c.external_attr = external;
  c.local_offset = local;
  c.name = name;
  c.comment = comment;
  c.record_size = r.pos();
  c.extra = parse_extra(extra, c.usize == kZip64Marker32, c.csize == kZip64Marker32,
                        local == kZip64Marker32, disk == kZip64Marker16);
  if (c.extra.zip64_usize) c.usize = *c.extra.zip64_usize;
  if (c.extra.zip64_csize) c.csize = *c.extra.zip64_csize;
  if (c.extra.zip64_offset) c.local_offset = *c.extra.zip64_offset;
  return c;
}

}  // namespace

std::string cp437_to_utf8(ByteView raw) {
  std::string out;
  out.reserve(raw.size());
  for (char ch : raw.chars()) {
    const auto u = static_cast<unsigned char>(ch);
    append_utf8(out, u < 0x80 ? char32_t{u} : char32_t{kCp437High[u - 0x80]});
  }
  return out;
}

std::uint32_t crc32_of(ByteView b) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  std::uint64_t done = 0;
  while (done < b.size()) {
    const ByteView part = b.clamp(done, UINT_MAX / 2);
    crc = ::crc32(crc, part.data(), static_cast<uInt>(part.size()));
    done += part.size();
  }
  return static_cast<std::uint32_t>(crc);
}

ExtraInfo parse_extra(ByteView extra, bool want_usize, bool want_csize, bool want_offset,
                      bool want_disk) {
  ExtraInfo info;
  core::Reader r(extra);
  std::uint32_t seen_zip64 = 0;
  std::uint32_t seen_unicode = 0;
  std::uint32_t seen_aes = 0;
  // Each record is at least 4 bytes, so the loop ends after extra.size()/4 rounds.
  while (r.remaining() >= 4) {
    auto id = r.le<std::uint16_t>();
    auto len = r.le<std::uint16_t>();
    if (!id || !len) break;
    auto data = r.bytes(*len);
    if (!data) {
      info.malformed = true;
      break;
    }
    core::Reader d(*data);
    switch (*id) {
      case kExtraZip64: {
        if (seen_zip64++ != 0) break;  // first wins, as in Info-ZIP
        // APPNOTE 4.5.3: only the fields whose header value is the marker, in this order.
        auto take = [&](bool want, std::optional<std::uint64_t>& into) {
          if (!want) return;
          auto v = d.le<std::uint64_t>();
          if (v) {
            into = *v;
          } else {
            info.zip64_short = true;
          }
        };
        take(want_usize, info.zip64_usize);
        take(want_csize, info.zip64_csize);
        take(want_offset, info.zip64_offset);
        if (want_disk && d.remaining() < 4) info.zip64_short = true;
        break;
      }
      case kExtraUnicodePath: {
        if (seen_unicode++ != 0) break;
        auto version = d.u8();
        auto crc = d.le<std::uint32_t>();
        if (!version || !crc || *version != 1) {
          info.malformed = true;
          break;
        }
        info.has_unicode_path = true;
        info.unicode_path_crc = *crc;
        info.unicode_path = d.rest();
        break;
      }
      case kExtraAes: {
        if (seen_aes++ != 0) break;
        auto version = d.le<std::uint16_t>();
        auto vendor = d.bytes(2);
        auto strength = d.u8();
        auto method = d.le<std::uint16_t>();
        if (!version || !vendor || !strength || !method) {
          info.malformed = true;
          break;
        }
        info.has_aes = true;
        info.aes_version = *version;
        info.aes_strength = *strength;
        info.aes_method = *method;
        break;
      }
      default:
        break;
    }
  }
  // Trailing 1-3 bytes are common padding (Android zipalign); not malformed.
  info.duplicates = (seen_zip64 > 1) + (seen_unicode > 1) + (seen_aes > 1);
  return info;
}

std::vector<std::uint64_t> find_eocd_candidates(ByteView zip) {
  std::vector<std::uint64_t> out;
  if (zip.size() < kEocdSize) return out;
  const std::uint64_t last = zip.size() - kEocdSize;
  const std::uint64_t first = last > kMaxCommentSize ? last - kMaxCommentSize : 0;
  for (std::uint64_t at = last + 1; at-- > first;) {
    if (zip.matches_at(at, kEocdSig)) out.push_back(at);
  }
  return out;
}

Result<Eocd> parse_eocd(ByteView zip, std::uint64_t offset) {
  SLUICE_ZIP_TRY(rec, zip.subview(offset, kEocdSize));
  if (!rec.starts_with(kEocdSig)) return fail(Errc::malformed, offset, "no EOCD signature");
  core::Reader r(rec, offset);
  (void)r.skip(4);
  Eocd e;
  e.offset = offset;
  e.record_start = offset;
  SLUICE_ZIP_TRY(disk, r.le<std::uint16_t>());
  SLUICE_ZIP_TRY(cd_disk, r.le<std::uint16_t>());
  SLUICE_ZIP_TRY(n_disk, r.le<std::uint16_t>());
  SLUICE_ZIP_TRY(n_total, r.le<std::uint16_t>());
  SLUICE_ZIP_TRY(cd_size, r.le<std::uint32_t>());
  SLUICE_ZIP_TRY(cd_off, r.le<std::uint32_t>());
  SLUICE_ZIP_TRY(comment_len, r.le<std::uint16_t>());
  e.disk = disk;
  e.cd_disk = cd_disk;
  e.entries_disk = n_disk;
  e.entries_total = n_total;
  e.cd_size = cd_size;
  e.cd_offset = cd_off;
  e.comment_declared = comment_len;
  e.comment = zip.clamp(offset + kEocdSize, comment_len);
  apply_zip64(zip, e);
  return e;
}

static Result<CentralDirectory> central_directory(ByteView zip, std::uint64_t max_entries) {
  const std::vector<std::uint64_t> candidates = find_eocd_candidates(zip);
  if (candidates.empty()) return fail(Errc::malformed, 0, "no end of central directory record");
  std::optional<CentralDirectory> chosen;
  std::optional<CentralDirectory> fallback;
  std::vector<std::uint64_t> valid;
  for (std::uint64_t at : candidates) {
    auto e = parse_eocd(zip, at);
    if (!e) continue;
    CentralDirectory cd;
    cd.eocd = *e;
    bool ok = false;
    const bool empty = e->entries_total == 0 && e->cd_size == 0;
    if (zip.matches_at(e->cd_offset, kCentralSig) || (empty && e->cd_offset <= e->record_start)) {
      cd.start = e->cd_offset;
      ok = true;
    } else if (e->cd_size <= e->record_start) {
      // Bytes were prepended (an SFX stub, a mail header): the directory sits
      // right before the EOCD, and every recorded offset is short by the same
      // amount (APPNOTE 4.3.6 puts the directory immediately before the EOCD).
      const std::uint64_t expected = e->record_start - e->cd_size;
      if (zip.matches_at(expected, kCentralSig) && expected >= e->cd_offset) {
        cd.shift = expected - e->cd_offset;
        cd.start = expected;
        ok = true;
      }
    }
    if (!ok) {
      if (!fallback) {
        cd.start = e->cd_offset;
        fallback = std::move(cd);
      }
      continue;
    }
    valid.push_back(at);
    if (!chosen) chosen = std::move(cd);
  }
  if (!chosen) {
    if (!fallback) return fail(Errc::malformed, candidates.front(), "no EOCD record parses");
    chosen = std::move(fallback);
  }
  CentralDirectory& cd = *chosen;
  for (std::uint64_t v : valid) {
    if (v != cd.eocd.offset) cd.other_eocds.push_back(v);
  }
  // Read every record that is there, not only entries_total of them: a count
  // that is too low hides entries from readers that trust it (libzip
  // incons-file-count-*), so the unpacker compares the two.
  std::uint64_t pos = cd.start;
  const std::uint64_t limit = std::max(cd.eocd.record_start, cd.start);
  while (cd.entries.size() < max_entries && pos < limit && zip.matches_at(pos, kCentralSig)) {
    auto entry = parse_central_entry(zip, pos);
    if (!entry) {
      cd.stopped_early = true;
      cd.stopped_at = pos;
      break;
    }
    pos = entry->offset + entry->record_size;
    cd.entries.push_back(std::move(*entry));
  }
  cd.capped = cd.entries.size() >= max_entries && pos < limit && zip.matches_at(pos, kCentralSig);
  if (cd.entries.size() < cd.eocd.entries_total && !cd.stopped_early &&
      cd.entries.size() < max_entries) {
    cd.stopped_early = true;
    cd.stopped_at = pos;
  }
  cd.end = pos;
  return cd;
}

Result<LocalHeader> parse_local_header(ByteView zip, std::uint64_t offset) {
  if (!zip.matches_at(offset, kLocalSig)) return fail(Errc::malformed, offset, "no local header signature");
  core::Reader r(zip.tail(offset), offset);
  (void)r.skip(4);
  LocalHeader h;
  h.offset = offset;
  SLUICE_ZIP_TRY(shared, read_shared(r, h));
  SLUICE_ZIP_TRY(name, r.bytes(shared.name_len));
  SLUICE_ZIP_TRY(extra, r.bytes(shared.extra_len));
  h.name = name;
  // APPNOTE 4.5.3: a local ZIP64 record carries both sizes; accept writers
  // that put in only the one that overflowed.
  const bool big = h.usize == kZip64Marker32 || h.csize == kZip64Marker32;
  h.extra = parse_extra(extra, big, big, false, false);
  if (big && !h.extra.zip64_csize && h.extra.zip64_usize) {
    if (h.usize != kZip64Marker32) {
      h.extra.zip64_csize = h.extra.zip64_usize;
      h.extra.zip64_usize.reset();
    }
  }
  if (h.extra.zip64_usize) h.usize = *h.extra.zip64_usize;
  if (h.extra.zip64_csize) h.csize = *h.extra.zip64_csize;
  h.data_offset = r.offset();
  return h;
}

Result<DataDescriptor> parse_data_descriptor(ByteView zip, std::uint64_t offset, bool zip64) {
  core::Reader r(zip.tail(offset), offset);
  DataDescriptor d;
  if (zip.matches_at(offset, kDescriptorSig)) {
    d.has_signature = true;
    (void)r.skip(4);
  }
  SLUICE_ZIP_TRY(crc, r.le<std::uint32_t>());
  d.crc = crc;
  if (zip64) {
    SLUICE_ZIP_TRY(cs, r.le<std::uint64_t>());
    SLUICE_ZIP_TRY(us, r.le<std::uint64_t>());
    d.csize = cs;
    d.usize = us;
  } else {
    SLUICE_ZIP_TRY(cs, r.le<std::uint32_t>());
    SLUICE_ZIP_TRY(us, r.le<std::uint32_t>());
    d.csize = cs;
    d.usize = us;
  }
  d.size = r.pos();
  return d;
}

#undef SLUICE_ZIP_TRY

Result<Parsed<CentralDirectory>> parse(ByteView zip, const Limits& limits) {
  auto cd = central_directory(zip, limits.max_children);
  if (!cd) return std::unexpected(cd.error());
  // What the directory shows that is odd (a shift, records that stop early,
  // other EOCDs) stays in the model's fields: the unpacker weighs them
  // against the local headers it reads before it reports anything.
  return Parsed<CentralDirectory>{std::move(*cd), {}};
}

}  // namespace sluice::formats::zip
