#include "formats/onenote/section.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <set>
#include <string_view>
#include <utility>

#include "core/reader.hpp"
#include "core/text.hpp"

namespace sluice::formats::onenote {
namespace {

constexpr std::uint64_t kHeaderSize = 1024;
constexpr std::uint64_t kOffRootList = 172;
constexpr std::uint64_t kListMagic = 0xA4567AB1F5F7F4C4ull;
constexpr std::string_view kFdsoHeader("\xE7\x16\xE3\xBD\x65\x26\x11\x45\xA4\xC4\x8D\x4D\x0B\x7A\x9E\xAC", 16);
constexpr std::uint64_t kFdsoPrefix = 36;  // guidHeader, cbLength, unused, reserved

constexpr std::uint32_t kPridEmbeddedFileContainer = 0x20001D9B;
constexpr std::uint32_t kPridPictureContainer = 0x20001C3F;
constexpr std::uint32_t kPridEmbeddedFileName = 0x1C001D9C;
constexpr std::uint32_t kPridImageFilename = 0x1C001DD7;
constexpr std::uint32_t kPridSourceFilepath = 0x1C001D9D;
constexpr std::uint32_t kPridOffsetHoriz = 0x14001C14;
constexpr std::uint32_t kPridOffsetVert = 0x14001C15;
constexpr std::uint32_t kPridMaxWidth = 0x14001C1B;
constexpr std::uint32_t kPridMaxHeight = 0x14001C1C;
constexpr std::uint32_t kPridRichEditTextUnicode = 0x1C001C22;

struct Chunk {
  std::uint64_t stp = 0, cb = 0;
};

std::string guid_text(ByteView g) {
  // Data1-3 little-endian, Data4 as bytes.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  auto hex = [&](std::uint8_t b) {
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  };
  const std::uint8_t* p = g.data();
  for (int i : {3, 2, 1, 0}) hex(p[i]);
  out += '-';
  for (int i : {5, 4}) hex(p[i]);
  out += '-';
  for (int i : {7, 6}) hex(p[i]);
  out += '-';
  for (int i : {8, 9}) hex(p[i]);
  out += '-';
  for (int i = 10; i < 16; ++i) hex(p[i]);
  return out;
}

// "<ifndf>{5A1CE000-...}" → "5a1ce000-..."
std::string guid_of_reference(std::string_view s) {
  const auto open = s.find('{');
  const auto close = s.find('}', open == std::string_view::npos ? 0 : open);
  if (open == std::string_view::npos || close == std::string_view::npos) return {};
  return core::ascii_lower(s.substr(open + 1, close - open - 1));
}

Result<Chunk> chunk_ref(core::Reader& r, std::uint32_t stp_format, std::uint32_t cb_format) {
  Chunk c;
  switch (stp_format) {
    case 0: { auto v = r.le<std::uint64_t>(); if (!v) return std::unexpected(v.error()); c.stp = *v; break; }
    case 1: { auto v = r.le<std::uint32_t>(); if (!v) return std::unexpected(v.error()); c.stp = *v; break; }
    case 2: { auto v = r.le<std::uint16_t>(); if (!v) return std::unexpected(v.error()); c.stp = std::uint64_t{*v} * 8; break; }
    default: { auto v = r.le<std::uint32_t>(); if (!v) return std::unexpected(v.error()); c.stp = std::uint64_t{*v} * 8; break; }
  }
  switch (cb_format) {
    case 0: { auto v = r.le<std::uint32_t>(); if (!v) return std::unexpected(v.error()); c.cb = *v; break; }
    case 1: { auto v = r.le<std::uint64_t>(); if (!v) return std::unexpected(v.error()); c.cb = *v; break; }
    case 2: { auto v = r.u8(); if (!v) return std::unexpected(v.error()); c.cb = std::uint64_t{*v} * 8; break; }
    default: { auto v = r.le<std::uint16_t>(); if (!v) return std::unexpected(v.error()); c.cb = std::uint64_t{*v} * 8; break; }
  }
  return c;
}

Result<std::string> storage_string(core::Reader& r, const OneNoteLimits& caps) {
  auto cch = r.le<std::uint32_t>();
  if (!cch) return std::unexpected(cch.error());
  if (*cch > caps.max_chars) return fail(Errc::malformed, r.offset() - 4, "string of " + std::to_string(*cch) + " characters");
  auto units = r.bytes(2ull * *cch);
  if (!units) return std::unexpected(units.error());
  return core::utf16_to_utf8(*units, std::endian::little, core::Utf16Stop::at_nul);
}

struct IdStreams {
  std::vector<std::uint32_t> oids;
  std::size_t next_oid = 0, skip_osids = 0, skip_contexts = 0;
};

// One property set, its values read in order; only the properties of
// embedded-file and image nodes are kept. Nested sets are walked to keep the
// ID streams in step, not kept.
Status property_set(core::Reader& r, IdStreams& ids, Node* node, std::uint32_t depth, const OneNoteLimits& caps) {
  if (depth > caps.max_property_nesting) return fail(Errc::malformed, r.offset(), "property sets nest too deep");
  auto count = r.le<std::uint16_t>();
  if (!count) return std::unexpected(count.error());
  std::vector<std::uint32_t> prids(*count);
  for (auto& p : prids) {
    auto v = r.le<std::uint32_t>();
    if (!v) return std::unexpected(v.error());
    p = *v;
  }
  for (std::uint32_t prid : prids) {
    const std::uint32_t type = (prid >> 26) & 0x1F;
    auto u32 = [&]() -> Result<std::uint32_t> { return r.le<std::uint32_t>(); };
    switch (type) {
      case 0x1:
      case 0x2:
        break;  // no data; a Boolean lives in the ID's top bit
      case 0x3: if (auto s = r.skip(1); !s) return s; break;
      case 0x4: if (auto s = r.skip(2); !s) return s; break;
      case 0x5: {
        auto v = u32();
        if (!v) return std::unexpected(v.error());
        const bool layout = prid == kPridOffsetHoriz || prid == kPridOffsetVert || prid == kPridMaxWidth ||
                            prid == kPridMaxHeight;
        if (node != nullptr && layout) {
          float f = 0;
          std::memcpy(&f, &*v, sizeof f);
          if (!node->rect) node->rect = Rect{};
          (prid == kPridOffsetHoriz  ? node->rect->x
           : prid == kPridOffsetVert ? node->rect->y
           : prid == kPridMaxWidth   ? node->rect->w
                                     : node->rect->h) = f;
        }
        break;
      }
      case 0x6: if (auto s = r.skip(8); !s) return s; break;
      case 0x7: {
        auto n = u32();
        if (!n) return std::unexpected(n.error());
        auto data = r.bytes(*n);
        if (!data) return std::unexpected(data.error());
        if (node != nullptr && prid == kPridRichEditTextUnicode) {
          node->text = core::utf16_to_utf8(data->clamp(0, caps.max_text_bytes), std::endian::little, core::Utf16Stop::at_end);
        } else if (node != nullptr && (prid == kPridEmbeddedFileName || prid == kPridImageFilename ||
                                       prid == kPridSourceFilepath)) {
          std::string s = core::utf16_to_utf8(data->clamp(0, 2ull * caps.max_chars), std::endian::little,
                                              core::Utf16Stop::at_nul);
          (prid == kPridSourceFilepath ? node->source_path : node->name) = std::move(s);
        }
        break;
      }
      case 0x8: {
        const bool have = ids.next_oid < ids.oids.size();
        if (node != nullptr && have && (prid == kPridEmbeddedFileContainer || prid == kPridPictureContainer)) {
          node->container = ids.oids[ids.next_oid];
        }
        ++ids.next_oid;
        break;
      }
      case 0x9: {
        auto n = u32();
        if (!n) return std::unexpected(n.error());
        ids.next_oid += *n;
        break;
      }
      case 0xA: ++ids.skip_osids; break;
      case 0xB: case 0xD: { auto n = u32(); if (!n) return std::unexpected(n.error()); break; }
      case 0xC: ++ids.skip_contexts; break;
      case 0x10: {
        auto n = u32();
        if (!n) return std::unexpected(n.error());
        if (*n == 0) break;
        if (auto p = u32(); !p) return std::unexpected(p.error());
        for (std::uint32_t i = 0; i < *n; ++i) {
          if (r.at_end()) return fail(Errc::truncated, r.offset(), "array of property sets cut short");
          if (auto s = property_set(r, ids, nullptr, depth + 1, caps); !s) return s;
        }
        break;
      }
      case 0x11:
        if (auto s = property_set(r, ids, nullptr, depth + 1, caps); !s) return s;
        break;
      default:
        return fail(Errc::malformed, r.offset(), "property type " + std::to_string(type) + " does not exist");
    }
  }
  return {};
}

Result<std::vector<std::uint32_t>> id_stream(core::Reader& r, std::uint32_t& header) {
  auto h = r.le<std::uint32_t>();
  if (!h) return std::unexpected(h.error());
  header = *h;
  const std::uint32_t count = *h & 0xFFFFFF;
  if (4ull * count > r.remaining()) return fail(Errc::truncated, r.offset(), "ID stream longer than its chunk");
  std::vector<std::uint32_t> out(count);
  for (auto& id : out) id = *r.le<std::uint32_t>();
  return out;
}

Status object_prop_set(ByteView chunk, std::uint64_t base, Node& node, const OneNoteLimits& caps) {
  core::Reader r(chunk, base);
  std::uint32_t header = 0;
  auto oids = id_stream(r, header);
  if (!oids) return std::unexpected(oids.error());
  IdStreams ids;
  ids.oids = std::move(*oids);
  if ((header & 0x80000000u) == 0) {  // OSID stream present
    std::uint32_t h2 = 0;
    auto osids = id_stream(r, h2);
    if (!osids) return std::unexpected(osids.error());
    if ((header & 0x40000000u) != 0) {  // context IDs follow
      auto ctx = id_stream(r, h2);
      if (!ctx) return std::unexpected(ctx.error());
    }
  }
  return property_set(r, ids, &node, 0, caps);
}

class Walker {
 public:
  Walker(ByteView b, const OneNoteLimits& caps, std::uint32_t per_kind, std::vector<Anomaly>& issues)
      : b_(b), caps_(caps), per_kind_(per_kind), issues_(issues), budget_(8 * b.size() + 4096) {}

  void walk(Chunk root) {
    std::vector<Chunk> todo{root};
    while (!todo.empty()) {
      const Chunk c = todo.back();
      todo.pop_back();
      read_list(c, todo);
    }
  }

  Section section;

 private:
  // One past the per-ID cap is kept, so that the unpacker's report of the
  // list (core::report_anomalies) finds the cap exceeded and says so; the list
  // itself stays bounded by the number of IDs.
  void issue(std::string id, Severity s, std::uint64_t off, std::string msg) {
    const auto same = std::count_if(issues_.begin(), issues_.end(), [&](const Anomaly& a) { return a.id == id; });
    if (std::cmp_less_equal(same, per_kind_)) issues_.push_back({std::move(id), s, off, std::move(msg)});
  }

  void read_list(Chunk c, std::vector<Chunk>& todo) {
    // Fragments of one list chain through nextFragment; each chunk is read once
    // over the whole file, so neither a chain nor a reference can loop.
    while (true) {
      if (!seen_.insert(c.stp).second) {
        issue("onenote.list_loop", Severity::medium, c.stp, "a file node list is reached twice");
        return;
      }
      if (c.cb < 36 || !b_.contains(c.stp, c.cb)) {
        issue("onenote.list_malformed", Severity::low, c.stp, "a file node list lies outside the file");
        return;
      }
      if (c.cb > budget_) {
        issue("onenote.walk_limit", Severity::medium, c.stp, "file node lists cover the file many times over");
        return;
      }
      budget_ -= c.cb;
      // value_or: in bounds, the list's cb >= 36 bytes were checked above.
      if (core::load_le<std::uint64_t>(b_, c.stp).value_or(0) != kListMagic) {
        issue("onenote.list_malformed", Severity::low, c.stp, "a file node list has no header");
        return;
      }
      const std::uint64_t end = c.stp + c.cb - 20;
      std::uint64_t pos = c.stp + 16;
      while (pos + 4 <= end) {
        // value_or: in bounds, pos + 4 <= end lies inside the checked list.
        const std::uint32_t hdr = core::load_le<std::uint32_t>(b_, pos).value_or(0);
        const std::uint32_t id = hdr & 0x3FF;
        const std::uint32_t size = (hdr >> 10) & 0x1FFF;
        if (id == 0 || id == 0xFF) break;
        if (size < 4 || pos + size > end) {
          issue("onenote.node_malformed", Severity::low, pos, "a file node runs past its list");
          break;
        }
        node(id, (hdr >> 23) & 3, (hdr >> 25) & 3, (hdr >> 27) & 0xF, pos, b_.clamp(pos + 4, size - 4), todo);
        pos += size;
      }
      // value_or: in bounds, the 20-byte trailer ends the checked list.
      const std::uint64_t next = core::load_le<std::uint64_t>(b_, end).value_or(~0ull);
      const std::uint32_t next_cb = core::load_le<std::uint32_t>(b_, end + 8).value_or(0);
      if (next == ~0ull || next_cb == 0) return;  // fcrNil / fcrZero: the last fragment
      c = {next, next_cb};
    }
  }

  void node(std::uint32_t id, std::uint32_t stp_fmt, std::uint32_t cb_fmt, std::uint32_t base_type, std::uint64_t at,
            ByteView body, std::vector<Chunk>& todo) {
    core::Reader r(body, at + 4);
    Chunk ref;
    if (base_type == 1 || base_type == 2) {
      auto c = chunk_ref(r, stp_fmt, cb_fmt);
      if (!c) return;
      ref = *c;
      if (base_type == 2) {
        todo.push_back(ref);
        return;
      }
    }
    switch (id) {
      case 0x094: return file_data(r, ref, at);
      case 0x072:
      case 0x073: return declaration(r, id == 0x073);
      case 0x0A4:
      case 0x0A5:
      case 0x0C4:
      case 0x0C5: return object(r, ref, at);
      default: return;
    }
  }

  void file_data(core::Reader& r, Chunk ref, std::uint64_t at) {
    auto g = r.bytes(16);
    if (!g) return;
    FileData f;
    f.guid = guid_text(*g);
    f.offset = ref.stp;
    if (!b_.contains(ref.stp, kFdsoPrefix) || !b_.matches_at(ref.stp, kFdsoHeader)) {
      issue("onenote.file_data_malformed", Severity::medium, at, "a file data reference points at no file data");
      return;
    }
    // value_or: in bounds, the 36-byte prefix was checked above.
    const std::uint64_t len = core::load_le<std::uint64_t>(b_, ref.stp + 16).value_or(0);
    const ByteView rest = b_.tail(ref.stp + kFdsoPrefix);
    const std::uint64_t have = std::min<std::uint64_t>(len, rest.size());
    f.truncated = have < len;
    f.data = rest.clamp(0, have);
    section.files.push_back(std::move(f));
  }

  void declaration(core::Reader& r, bool large) {
    Declaration d;
    auto oid = r.le<std::uint32_t>();
    auto jcid = r.le<std::uint32_t>();
    if (!oid || !jcid) return;
    if (!(large ? r.skip(4) : r.skip(1))) return;
    auto ref = storage_string(r, caps_);
    if (!ref) return;
    auto ext = storage_string(r, caps_);
    d.oid = *oid;
    d.guid = guid_of_reference(*ref);
    if (ext) d.extension = std::move(*ext);
    section.declarations.push_back(std::move(d));
  }

  void object(core::Reader& r, Chunk ref, std::uint64_t at) {
    auto oid = r.le<std::uint32_t>();
    auto jcid = r.le<std::uint32_t>();
    if (!oid || !jcid) return;
    if (*jcid != kJcidEmbeddedFileNode && *jcid != kJcidImageNode && *jcid != kJcidRichTextNode) return;
    Node n;
    n.jcid = *jcid;
    n.oid = *oid;
    if (!b_.contains(ref.stp, ref.cb)) {
      issue("onenote.node_malformed", Severity::low, at, "a property set lies outside the file");
      return;
    }
    if (auto s = object_prop_set(b_.clamp(ref.stp, ref.cb), ref.stp, n, caps_); !s) {
      issue("onenote.property_set_malformed", Severity::low, s.error().offset, s.error().what);
    }
    section.nodes.push_back(std::move(n));
  }

  ByteView b_;
  const OneNoteLimits& caps_;
  std::uint32_t per_kind_;
  std::vector<Anomaly>& issues_;
  std::set<std::uint64_t> seen_;
  std::uint64_t budget_;
};

}  // namespace

bool overlaps(const Rect& a, const Rect& b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

Result<Parsed<Section>> parse(ByteView bytes, const Limits& limits) {
  if (bytes.size() < kHeaderSize) return fail(Errc::truncated, 0, "OneNote header cut short");
  // value_or: in bounds, the whole header was checked just above.
  const std::uint64_t stp = core::load_le<std::uint64_t>(bytes, kOffRootList).value_or(0);
  const std::uint32_t cb = core::load_le<std::uint32_t>(bytes, kOffRootList + 8).value_or(0);
  Parsed<Section> out;
  Walker w(bytes, limits.onenote, limits.max_anomalies_per_kind, out.anomalies);
  w.walk({stp, cb});
  out.model = std::move(w.section);
  return out;
}

std::vector<FileData> scan_file_data(ByteView bytes) {
  std::vector<FileData> out;
  const std::string_view s = bytes.chars();
  for (std::size_t at = s.find(kFdsoHeader); at != std::string_view::npos; at = s.find(kFdsoHeader, at + 16)) {
    FileData f;
    f.offset = at;
    // value_or(0): a header found within 24 bytes of the end declares no
    // data; the view below then holds nothing and is not marked truncated.
    const std::uint64_t len = core::load_le<std::uint64_t>(bytes, at + 16).value_or(0);
    const ByteView rest = bytes.tail(at + kFdsoPrefix);
    f.truncated = len > rest.size();
    f.data = rest.clamp(0, len);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace sluice::formats::onenote
