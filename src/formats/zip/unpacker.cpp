// ZIP → one child per member. The central directory (what Windows Explorer,
// Info-ZIP and most scanners list) and the local headers (what streaming
// readers and some AV engines walk) are both read and compared: every way the
// two can disagree is a place an attacker hides a member from one reader.
#include "formats/zip/unpacker.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "core/checked.hpp"
#include "core/reader.hpp"
#include "core/text.hpp"
#include "formats/zip/decode.hpp"
#include "formats/zip/layout.hpp"
#include "formats/zip/member.hpp"
#include "formats/zip/parser.hpp"
#include "meta/zip.hpp"

namespace sluice::formats::zip {
namespace {

struct Range {
  std::uint64_t begin;
  std::uint64_t end;
};

// Sorted, non-overlapping-or-not intervals queried by binary search: "is this
// offset inside bytes some member already owns" without O(n^2).
class Covered {
 public:
  void add(std::uint64_t b, std::uint64_t e) {
    if (e > b) ranges_.push_back({b, e});
  }
  void seal() {
    std::sort(ranges_.begin(), ranges_.end(),
              [](const Range& a, const Range& b) { return a.begin < b.begin; });
    // Prefix maximum of ends makes one lookup enough.
    max_end_.resize(ranges_.size());
    std::uint64_t m = 0;
    for (std::size_t i = 0; i < ranges_.size(); ++i) {
      m = std::max(m, ranges_[i].end);
      max_end_[i] = m;
    }
  }
  [[nodiscard]] bool contains(std::uint64_t off) const {
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), off,
                               [](std::uint64_t v, const Range& r) { return v < r.begin; });
    if (it == ranges_.begin()) return false;
    const auto idx = static_cast<std::size_t>(it - ranges_.begin()) - 1;
    return max_end_[idx] > off;
  }

 private:
  std::vector<Range> ranges_;
  std::vector<std::uint64_t> max_end_;
};

std::uint64_t saturating_end(std::uint64_t a, std::uint64_t b) {
  return core::checked_add(a, b).value_or(UINT64_MAX);
}

// The data descriptor that follows a streamed (bit 3) member, checked against
// the central directory.
void check_descriptor(core::UnpackContext& ctx, const CentralEntry& c, const Member& m) {
  const std::uint64_t at = saturating_end(m.data_offset, m.csize);
  auto d = parse_data_descriptor(ctx.bytes(), at, m.zip64);
  if (!d) return;  // a missing descriptor is common in damaged-but-benign files
  if (d->crc != c.crc && c.method != kMethodAes) {
    ctx.anomaly("zip.local_crc_mismatch", Severity::medium, at,
                "data descriptor CRC differs from the central directory for " + m.locator);
  }
  if ((d->csize != c.csize || d->usize != c.usize) && (d->csize != 0 || d->usize != 0)) {
    ctx.anomaly("zip.local_size_mismatch", Severity::medium, at,
                "data descriptor sizes differ from the central directory for " + m.locator);
  }
}

// Builds the member for central entry `i`, comparing it with its local header.
// When the two disagree on how to decode the data, a second member decodes it
// the local header's way: libarchive's seeking reader prefers the local
// header, Info-ZIP / CPython / Windows the central one, and an attacker can
// aim a payload at either.
void resolve_central(core::UnpackContext& ctx, const CentralDirectory& cd, std::size_t i,
                     std::vector<Member>& out) {
  const CentralEntry& c = cd.entries[i];
  Member m;
  m.locator = "member[" + std::to_string(i) + "]";
  m.csize = c.csize;
  m.usize = c.usize;
  m.crc = c.crc;
  m.method = c.method;
  m.flags = c.flags;
  m.mtime = c.mtime;
  m.made_by = c.made_by;
  m.external_attr = c.external_attr;
  m.has_external = true;
  m.name = c.name;
  m.comment = c.comment;
  m.extra = c.extra;
  m.zip64 = c.extra.zip64_csize.has_value() || c.extra.zip64_usize.has_value();
  m.header_offset = saturating_end(c.local_offset, cd.shift);
  const ByteView in = ctx.bytes();
  auto local = parse_local_header(in, m.header_offset);
  if (!local) {
    ctx.anomaly("zip.local_header_missing", Severity::medium, m.header_offset,
                "central directory entry " + m.locator +
                    " points at no local header; its data is read where the header should end");
    m.data_offset = saturating_end(m.header_offset, kLocalSize + c.name.size());
    out.push_back(std::move(m));
    return;
  }
  m.data_offset = local->data_offset;
  if (local->name.chars() != c.name.chars()) {
    m.local_name = local->name;
    ctx.anomaly("zip.local_name_mismatch", Severity::high, m.header_offset,
                "local header names " + m.locator + " differently from the central directory");
  }
  if (local->method != c.method) {
    ctx.anomaly("zip.local_method_mismatch", Severity::medium, m.header_offset,
                "local header says method " + std::to_string(local->method) +
                    ", central directory " + std::to_string(c.method) + " for " + m.locator);
  }
  if ((local->flags & kFlagEncrypted) != (c.flags & kFlagEncrypted)) {
    ctx.anomaly("zip.local_flags_mismatch", Severity::medium, m.header_offset,
                "encryption flag differs between local header and central directory for " +
                    m.locator);
  }
  if (local->extra.zip64_csize || local->extra.zip64_usize) m.zip64 = true;
  const bool streamed = (local->flags & kFlagDescriptor) != 0;
  if (!streamed) {
    if (local->crc != c.crc) {
      ctx.anomaly("zip.local_crc_mismatch", Severity::medium, m.header_offset,
                  "local header CRC differs from the central directory for " + m.locator);
    }
    if (local->csize != c.csize || local->usize != c.usize) {
      ctx.anomaly("zip.local_size_mismatch", Severity::medium, m.header_offset,
                  "local header sizes (" + std::to_string(local->csize) + "/" +
                      std::to_string(local->usize) + ") differ from the central directory (" +
                      std::to_string(c.csize) + "/" + std::to_string(c.usize) + ") for " +
                      m.locator);
    }
  } else {
    check_descriptor(ctx, c, m);
  }
  const bool differs = local->method != c.method ||
                       (!streamed && (local->csize != c.csize || local->usize != c.usize ||
                                      local->crc != c.crc));
  if (!differs) {
    out.push_back(std::move(m));
    return;
  }
  Member alt = m;
  alt.locator += "/local";
  alt.method = local->method;
  alt.flags = local->flags;
  if (!streamed) {
    alt.csize = local->csize;
    alt.usize = local->usize;
    alt.crc = local->crc;
  }
  alt.name = local->name;
  alt.local_name = {};
  alt.extra = local->extra;
  alt.alias = true;
  out.push_back(std::move(m));
  out.push_back(std::move(alt));
}

// Shared by every streamed local-only candidate so the scan stays linear:
// descriptor signatures are found once, and deflate probing has one work
// budget for the whole archive (a file of headers each followed by a long
// almost-valid stream would otherwise cost O(n^2)).
struct Probe {
  std::optional<std::vector<std::uint64_t>> descriptors;
  std::uint64_t work_left = 0;
};

// A streamed member found only by its local header has no trustworthy size:
// deflate finds its own end; stored data needs a descriptor whose size matches.
std::optional<std::uint64_t> streamed_size(core::UnpackContext& ctx, const LocalHeader& h,
                                           Probe& probe) {
  const ByteView in = ctx.bytes();
  const ByteView rest = in.tail(h.data_offset);
  if (h.method == kMethodDeflate && !(h.flags & kFlagEncrypted)) {
    if (probe.work_left == 0) return std::nullopt;
    // Only the length is wanted: decoded into a scratch window, never kept.
    std::uint64_t work = 0;
    auto len = deflate_length(rest, std::min(probe.work_left,
                                             ctx.budget().decode_allowance(rest.size()).bytes),
                              ctx.budget(), work);
    probe.work_left -= std::min(probe.work_left, work);
    return len;
  }
  if (!probe.descriptors) {
    probe.descriptors.emplace();
    std::uint64_t pos = 0;
    while (pos + 4 <= in.size()) {
      const ByteView window = in.tail(pos);
      const void* hit = std::memchr(window.data(), 'P', window.size());
      if (hit == nullptr) break;
      pos += static_cast<std::uint64_t>(static_cast<const std::uint8_t*>(hit) - window.data());
      if (in.matches_at(pos, kDescriptorSig)) probe.descriptors->push_back(pos);
      ++pos;
    }
  }
  // The first few descriptors after the data whose size field matches the
  // distance: what a streaming reader (libarchive) would accept.
  constexpr std::size_t kTries = 64;
  const auto& d = *probe.descriptors;
  auto it = std::lower_bound(d.begin(), d.end(), h.data_offset);
  for (std::size_t n = 0; it != d.end() && n < kTries; ++it, ++n) {
    const std::uint64_t dist = *it - h.data_offset;
    auto cs = core::load_le<std::uint32_t>(in, *it + 8);
    if (cs && *cs == dist) return dist;
  }
  return std::nullopt;
}

void note_directory(core::UnpackContext& ctx, const CentralDirectory& cd) {
  const Eocd& e = cd.eocd;
  const ByteView in = ctx.bytes();
  ctx.meta(meta::zip::entries, static_cast<std::int64_t>(cd.entries.size()));
  if (e.zip64) ctx.meta(meta::zip::zip64, true);
  // A comment is not a name: cut it quietly (up to 64 KiB is legitimate).
  if (!e.comment.empty()) {
    ctx.meta(meta::zip::comment, core::truncate_utf8(core::to_valid_utf8(e.comment.chars()), kMetaTextMax));
  }
  if (e.zip64_broken) {
    ctx.anomaly("zip.malformed", Severity::low, e.offset,
                "a ZIP64 locator points at no ZIP64 end of central directory record");
  }
  if (!cd.other_eocds.empty()) {
    ctx.anomaly("zip.multiple_eocd", Severity::medium, cd.other_eocds.front(),
                std::to_string(cd.other_eocds.size() + 1) +
                    " end-of-central-directory records that each describe a directory: readers "
                    "that search from different ends see different archives");
  }
  if (e.disk != 0 || e.cd_disk != 0) {
    ctx.anomaly("zip.split_archive", Severity::low, e.offset,
                "the archive claims to be one part of a split (multi-disk) set");
  }
  if (cd.entries.size() != e.entries_total && !cd.stopped_early && !cd.capped) {
    ctx.anomaly("zip.entry_count_mismatch", Severity::medium, e.offset,
                "end record counts " + std::to_string(e.entries_total) +
                    " entries, the central directory holds " + std::to_string(cd.entries.size()));
  }
  if (cd.stopped_early) {
    ctx.anomaly("zip.malformed", Severity::low, cd.stopped_at,
                "the central directory ends after " + std::to_string(cd.entries.size()) + " of " +
                    std::to_string(e.entries_total) + " entries");
  }
  const std::uint64_t comment_end = saturating_end(e.offset, kEocdSize + e.comment_declared);
  if (comment_end > in.size()) {
    ctx.anomaly("zip.malformed", Severity::low, e.offset,
                "the archive comment length runs past the end of the file");
  } else if (comment_end < in.size()) {
    const ByteView rest = in.tail(comment_end);
    ctx.anomaly("zip.trailing_data", Severity::low, comment_end,
                std::to_string(rest.size()) + " bytes after the end of the archive");
    ctx.emit(rest, "trailing@" + std::to_string(comment_end), {});
  }
}

// Marks members whose data overlaps data already claimed, in file order, so
// each byte range is decoded once (Fifield's non-recursive zip bomb).
std::uint32_t mark_overlaps(std::vector<Member>& members) {
  std::vector<std::size_t> order(members.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return members[a].header_offset < members[b].header_offset;
  });
  std::uint32_t overlapping = 0;
  std::uint64_t claimed_end = 0;
  bool any = false;
  for (std::size_t idx : order) {
    Member& m = members[idx];
    // The local-header reading of a central entry shares its bytes by design.
    if (is_directory(m) || m.alias) continue;
    const std::uint64_t end = saturating_end(m.data_offset, m.csize);
    if (any && m.header_offset < claimed_end) {
      m.skip_decode = true;
      ++overlapping;
    }
    claimed_end = std::max(claimed_end, end);
    any = true;
  }
  // An alias decodes the same bytes as its central entry: only when that one is.
  for (std::size_t i = 1; i < members.size(); ++i) {
    if (members[i].alias) members[i].skip_decode = members[i - 1].skip_decode;
  }
  return overlapping;
}

void scan_local_only(core::UnpackContext& ctx, const Covered& covered, bool have_cd,
                     std::vector<Member>& out) {
  const ByteView in = ctx.bytes();
  std::uint64_t pos = 0;
  std::uint64_t skip_until = 0;
  unsigned rounds = 0;
  Probe probe;
  probe.work_left = core::checked_mul(in.size(), 4).value_or(UINT64_MAX) + (64ull << 20);
  while (pos + kLocalSize <= in.size()) {
    if ((++rounds & 1023) == 0 && ctx.budget().expired()) {
      ctx.limit_hit(LimitKind::deadline, "zip local header scan interrupted");
      return;
    }
    if (out.size() >= ctx.limits().max_children) return;
    const ByteView window = in.tail(pos);
    const void* hit = std::memchr(window.data(), 'P', window.size());
    if (hit == nullptr) return;
    pos += static_cast<std::uint64_t>(static_cast<const std::uint8_t*>(hit) - window.data());
    const std::uint64_t at = pos++;
    if (at < skip_until || !in.matches_at(at, kLocalSig) || covered.contains(at)) continue;
    auto h = parse_local_header(in, at);
    if (!h) continue;
    std::uint64_t csize = h->csize;
    if ((h->flags & kFlagDescriptor) && csize == 0) {
      auto s = streamed_size(ctx, *h, probe);
      if (!s) continue;
      csize = *s;
    }
    Member m;
    m.locator = "local@" + std::to_string(at);
    m.header_offset = at;
    m.data_offset = h->data_offset;
    m.csize = csize;
    m.usize = h->usize;
    m.crc = h->crc;
    m.method = h->method;
    m.flags = h->flags;
    m.mtime = h->mtime;
    m.name = h->name;
    m.extra = h->extra;
    m.local_only = have_cd;
    if ((h->flags & kFlagDescriptor)) {
      // The real CRC and size follow the data.
      if (auto d = parse_data_descriptor(in, saturating_end(h->data_offset, csize), false)) {
        m.crc = d->crc;
        m.usize = d->usize;
      }
    }
    skip_until = saturating_end(m.data_offset, m.csize);
    out.push_back(std::move(m));
  }
}

Status unpack_zip(core::UnpackContext& ctx, std::span<const std::string> password_candidates,
                  bool harvest);

class ZipUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "zip"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }
  Status unpack(core::UnpackContext& ctx) const override { return unpack_zip(ctx, {}, true); }

 private:
  static constexpr std::array kTypes{FileType::zip};
};

}  // namespace

Status unpack_with_passwords(core::UnpackContext& ctx, std::span<const std::string> password_candidates) {
  return unpack_zip(ctx, password_candidates, false);
}

namespace {

Status unpack_zip(core::UnpackContext& ctx, std::span<const std::string> password_candidates,
                  bool harvest) {
  const ByteView in = ctx.bytes();
  std::vector<Member> members;
  Covered covered;
  auto parsed = parse(in, ctx.limits());
  const CentralDirectory* cd = parsed ? &parsed->model : nullptr;
  if (!cd) {
    ctx.anomaly("zip.eocd_missing", Severity::medium, 0,
                "no usable end-of-central-directory record: members are recovered from local "
                "headers, which Windows would not list");
  } else {
    note_directory(ctx, *cd);
    members.reserve(cd->entries.size());
    for (std::size_t i = 0; i < cd->entries.size(); ++i) {
      if ((i & 255) == 0 && ctx.budget().expired()) break;
      resolve_central(ctx, *cd, i, members);
    }
    covered.add(cd->start, std::max(cd->end, cd->start));
    covered.add(cd->eocd.record_start, saturating_end(cd->eocd.offset, kEocdSize));
  }
  for (const Member& m : members) covered.add(m.header_offset, saturating_end(m.data_offset, m.csize));
  covered.seal();

  // Prepended bytes (an SFX stub, junk that makes the file sniff as something
  // else) are their own artifact: a PE stub is an executable in the mail.
  std::uint64_t first = in.size();
  for (const Member& m : members) first = std::min(first, m.header_offset);
  if (cd && cd->shift > 0) {
    ctx.meta(meta::zip::shift, static_cast<std::int64_t>(cd->shift));
  }
  const std::size_t central_count = members.size();
  if (cd && cd->capped) {
    // The entries past the limit would all look "local-only": do not scan.
    ctx.limit_hit(LimitKind::children, "the central directory lists more than " +
                                           std::to_string(ctx.limits().max_children) + " entries");
  } else {
    scan_local_only(ctx, covered, cd != nullptr, members);
  }
  for (std::size_t i = central_count; i < members.size(); ++i) {
    first = std::min(first, members[i].header_offset);
  }
  if (first > 0 && first != in.size()) {
    ctx.anomaly("zip.prepended_data", Severity::low, 0,
                std::to_string(first) + " bytes before the first member (self-extractor stub or "
                                        "hidden payload)");
    ctx.emit(in.clamp(0, first), "prepended", {});
  }
  const std::size_t local_only = members.size() - central_count;
  if (cd && local_only > 0) {
    ctx.anomaly("zip.local_only_entry", Severity::high, members[central_count].header_offset,
                std::to_string(local_only) +
                    " member(s) reachable only through local headers: the central directory "
                    "(what Windows lists) hides them");
  }
  if (const std::uint32_t n = mark_overlaps(members); n > 0) {
    ctx.anomaly("zip.overlapping_entries", Severity::high, 0,
                std::to_string(n) + " member(s) whose data overlaps another member's "
                                    "(non-recursive zip bomb or hidden alias); each range is "
                                    "decoded once");
  }

  EmitState state;
  state.passwords = password_candidates;
  state.harvest = harvest;
  std::int64_t directories = 0;
  for (std::size_t i = 0; i < members.size(); ++i) {
    if ((i & 63) == 0 && ctx.budget().expired()) {
      ctx.limit_hit(LimitKind::deadline, "zip members left unscanned");
      break;
    }
    if (is_directory(members[i])) {
      ++directories;
      continue;
    }
    emit_member(ctx, members[i], state);
  }
  if (directories > 0) ctx.meta(meta::zip::directories, directories);
  if (!cd && members.empty()) return fail(Errc::malformed, 0, "no ZIP structure found");
  return {};
}

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<ZipUnpacker>()); }

}  // namespace sluice::formats::zip
