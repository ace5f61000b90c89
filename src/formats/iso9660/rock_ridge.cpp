#include "formats/iso9660/rock_ridge.hpp"

#include <cstdio>

#include "formats/iso9660/bytes.hpp"
#include "meta/iso9660.hpp"

namespace sluice::formats::iso9660 {
namespace {

// TF flag bits in recording order (RRIP 1.12 4.1.6); each present time takes
// one slot. Only the four a reader shows are kept as meta.
constexpr MetaKey<std::string> kTimeKeys[] = {meta::rr::created, meta::rr::modified, meta::rr::accessed,
                                              meta::rr::attributes_changed};

void put(RockRidge& rr, Meta entry) {
  for (Meta& m : rr.meta) {
    if (m.key == entry.key) {  // a later entry (after a CE) overrides, as readers do
      m.value = std::move(entry.value);
      return;
    }
  }
  rr.meta.push_back(std::move(entry));
}

// Entries whose fixed part ends with a flags byte (NM, SL, TF): 5 bytes.
using FlagsHead = core::Fixed<5>;

void parse_sl(ByteView e, RockRidge& rr) {
  rr.symlink = true;
  // RRIP 4.1.3.1: component records follow the flags byte: flags, length, content.
  std::uint64_t pos = 5;
  for (auto c = core::Fixed<2>::at(e, pos); c; c = core::Fixed<2>::at(e, pos)) {
    const std::uint8_t flags = c->u8<0>();
    const std::uint8_t len = c->u8<1>();
    const ByteView content = e.clamp(pos + 2, len);
    pos += 2 + std::uint64_t{len};
    // As Linux isofs: each component is followed by '/' unless it continues
    // in the next record or is the root; the trailing '/' goes at the end.
    if ((flags & 0x02) != 0) {
      rr.link_target.append(".");
    } else if ((flags & 0x04) != 0) {
      rr.link_target.append("..");
    } else if ((flags & 0x08) != 0) {
      rr.link_target.append("/");
    } else {
      rr.link_target.append(content.chars());
    }
    if ((flags & 0x09) == 0) rr.link_target.push_back('/');
    if (rr.link_target.size() > kMaxLinkTarget) rr.link_target.resize(kMaxLinkTarget);
  }
}

void parse_tf(const core::Fixed<5>& head, ByteView e, RockRidge& rr) {
  const std::uint8_t flags = head.u8<4>();
  const bool long_form = (flags & 0x80) != 0;
  const std::uint64_t width = long_form ? 17 : 7;
  std::uint64_t pos = 5;
  for (int bit = 0; bit < 7; ++bit) {
    if ((flags & (1u << bit)) == 0) continue;
    if (bit < 4) {
      std::string t = rr_time(e.clamp(pos, width), long_form);
      if (!t.empty()) put(rr, kTimeKeys[bit](std::move(t)));
    }
    pos += width;
  }
}

std::string zone(std::uint8_t raw) {
  // Offset from GMT in 15-minute intervals, -48 (west) to +52 (east).
  const int q = static_cast<std::int8_t>(raw);
  if (q < -48 || q > 52) return {};
  if (q == 0) return "Z";
  const int minutes = (q < 0 ? -q : q) * 15;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", q < 0 ? '-' : '+', minutes / 60, minutes % 60);
  return buf;
}

}  // namespace

std::string rr_time(ByteView t, bool long_form) {
  if (long_form) {
    const auto whole = core::Fixed<17>::at(t);
    if (!whole) return {};
    const std::string s(whole->view().clamp(0, 16).chars());
    if (s.find_first_not_of("0123456789") != std::string::npos ||
        s.find_first_not_of('0') == std::string::npos) {
      return {};
    }
    const std::string z = zone(whole->u8<16>());
    if (z.empty()) return {};
    return s.substr(0, 4) + "-" + s.substr(4, 2) + "-" + s.substr(6, 2) + "T" + s.substr(8, 2) +
           ":" + s.substr(10, 2) + ":" + s.substr(12, 2) + z;
  }
  const auto f = core::Fixed<7>::at(t);
  if (!f) return {};
  const int mon = f->u8<1>(), day = f->u8<2>(), h = f->u8<3>(), mi = f->u8<4>(), sec = f->u8<5>();
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || h > 23 || mi > 59 || sec > 60) return {};
  const std::string z = zone(f->u8<6>());
  if (z.empty()) return {};
  char buf[24];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", 1900 + f->u8<0>(), mon, day, h, mi,
                sec);
  return buf + z;
}

EntryRead parse_rrip_entry(ByteView e, RockRidge& rr) {
  if (e.starts_with("NM")) {
    const auto head = FlagsHead::at(e);
    if (!head) return EntryRead::short_entry;
    if ((head->u8<4>() & 0x06) == 0) {  // "current"/"parent" carry no text
      rr.name.append(e.tail(5).chars());
      rr.has_name = true;
    }
  } else if (e.starts_with("SL")) {
    if (!FlagsHead::at(e)) return EntryRead::short_entry;
    parse_sl(e, rr);
  } else if (e.starts_with("CL")) {
    // RRIP 4.1.5.1: the child directory's block, both-endian.
    const auto cl = core::Fixed<12>::at(e);
    if (!cl) return EntryRead::short_entry;
    rr.child_link = cl->le32<4>();
  } else if (e.starts_with("RE")) {
    rr.relocated = true;
  } else if (e.starts_with("PX")) {
    // RRIP 4.1.1: both-endian mode, links, uid, gid (+ serial number in 1.12).
    const auto px = core::Fixed<36>::at(e);
    if (!px) return EntryRead::short_entry;
    char mode[16];
    std::snprintf(mode, sizeof mode, "%o", px->le32<4>());
    put(rr, meta::rr::mode(std::string(mode)));
    put(rr, meta::rr::nlink(std::int64_t{px->le32<12>()}));
    put(rr, meta::rr::uid(std::int64_t{px->le32<20>()}));
    put(rr, meta::rr::gid(std::int64_t{px->le32<28>()}));
  } else if (e.starts_with("TF")) {
    const auto head = FlagsHead::at(e);
    if (!head) return EntryRead::short_entry;
    parse_tf(*head, e, rr);
  } else if (e.starts_with("ZF")) {
    // zisofs extension (RRIP ZF, used by mkzftree/genisoimage -z, xorriso):
    // algorithm "pz", header size / 4, log2 block size, uncompressed size.
    const auto zf = core::Fixed<16>::at(e);
    if (!zf) return EntryRead::short_entry;
    if (e.matches_at(4, "pz")) rr.zisofs = Zisofs{zf->le32<8>(), zf->u8<7>()};
  } else {
    return EntryRead::unknown;
  }
  return EntryRead::read;
}

void finish_rock_ridge(RockRidge& rr) {
  if (!rr.symlink) return;
  if (rr.link_target.size() > 1 && rr.link_target.back() == '/') rr.link_target.pop_back();
  put(rr, meta::rr::symlink(rr.link_target));
}

}  // namespace sluice::formats::iso9660
