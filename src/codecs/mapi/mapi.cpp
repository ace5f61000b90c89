#include "codecs/mapi/mapi.hpp"


#include <bit>
#include <cstring>
#include <optional>

#include "core/checked.hpp"
#include "core/reader.hpp"
#include "core/text.hpp"
#include "codecs/mapi/layout.hpp"

namespace sluice::codecs::mapi {

using namespace props;
namespace {

// Bytes one fixed-size value occupies before padding; 0 = variable length.
// PT_SHORT and PT_BOOLEAN are stored in 4 bytes (MS-OXTNEF 2.1.3.5, "padded").
std::optional<std::uint64_t> fixed_size(std::uint16_t type) {
  switch (type) {
    case kPtShort:
    case kPtLong:
    case kPtFloat:
    case kPtError:
    case kPtBoolean:
      return 4;
    case kPtDouble:
    case kPtCurrency:
    case kPtAppTime:
    case kPtI8:
    case kPtSysTime:
      return 8;
    case kPtClsid:
      return 16;
    case kPtString8:
    case kPtUnicode:
    case kPtBinary:
    case kPtObject:
      return 0;
    default:
      return std::nullopt;  // PT_NULL, PT_UNSPECIFIED, unknown: no size to skip by
  }
}

std::uint64_t pad4(std::uint64_t n) { return (4 - (n & 3)) & 3; }

Status read_value(core::Reader& r, std::uint64_t size, MapiProp& p) {
  if (size != 0) {
    auto v = r.bytes(size);
    if (!v) return std::unexpected(v.error());
    p.values.push_back(*v);
    return {};
  }
  auto len = r.le<std::uint32_t>();
  if (!len) return std::unexpected(len.error());
  auto v = r.bytes(*len);
  if (!v) return std::unexpected(v.error());
  p.values.push_back(*v);
  // The last value may omit its padding; some writers do.
  if (r.remaining() >= pad4(*len)) (void)r.skip(pad4(*len));
  return {};
}

Status read_prop(core::Reader& r, MapiProp& p) {
  p.offset = r.offset();
  auto type = r.le<std::uint16_t>();
  if (!type) return std::unexpected(type.error());
  auto id = r.le<std::uint16_t>();
  if (!id) return std::unexpected(id.error());
  p.multi = (*type & kMvFlag) != 0;
  p.type = static_cast<std::uint16_t>(*type & ~kMvFlag);
  p.id = *id;
  if (p.id >= kFirstNamedId) {
    p.named = true;
    auto guid = r.bytes(16);
    if (!guid) return std::unexpected(guid.error());
    std::memcpy(p.guid.data(), guid->data(), 16);
    auto kind = r.le<std::uint32_t>();
    if (!kind) return std::unexpected(kind.error());
    if (*kind == 0) {
      auto nid = r.le<std::uint32_t>();
      if (!nid) return std::unexpected(nid.error());
      p.name_id = *nid;
    } else if (*kind == 1) {
      auto len = r.le<std::uint32_t>();
      if (!len) return std::unexpected(len.error());
      auto name = r.bytes(*len);
      if (!name) return std::unexpected(name.error());
      p.name = core::utf16_to_utf8(*name, std::endian::little, core::Utf16Stop::at_nul);
      if (r.remaining() >= pad4(*len)) (void)r.skip(pad4(*len));
    } else {
      return fail(Errc::malformed, r.offset() - 4, "named property kind " + std::to_string(*kind));
    }
  }
  const auto size = fixed_size(p.type);
  if (!size) {
    return fail(Errc::unsupported, p.offset, "property type 0x" + std::to_string(p.type) + " has no known size");
  }
  // Variable-length values always carry a count, even single-valued ones.
  std::uint64_t count = 1;
  if (p.multi || *size == 0) {
    auto c = r.le<std::uint32_t>();
    if (!c) return std::unexpected(c.error());
    count = *c;
  }
  // Each value takes at least 4 bytes: a count past that is a lie, refused
  // before the loop so the loop is bounded by the input.
  const std::uint64_t min_each = *size == 0 ? 4 : *size;
  const auto need = core::checked_mul(count, min_each);
  if (!need || *need > r.remaining()) {
    return fail(Errc::truncated, r.offset(), std::to_string(count) + " values do not fit");
  }
  for (std::uint64_t i = 0; i < count; ++i) {
    if (auto s = read_value(r, *size, p); !s) return s;
  }
  return {};
}

}  // namespace

std::vector<MapiProp> parse_mapi_props(ByteView list, std::uint64_t base, std::vector<Anomaly>& issues) {
  std::vector<MapiProp> props;
  core::Reader r(list, base);
  auto count = r.le<std::uint32_t>();
  if (!count) {
    issues.push_back({"tnef.mapi_malformed", Severity::low, base, "MAPI property list without a count"});
    return props;
  }
  // Every property consumes at least its 4-byte tag, so the loop is bounded by
  // the input whatever the declared count.
  for (std::uint32_t i = 0; i < *count && !r.at_end(); ++i) {
    MapiProp p;
    if (auto s = read_prop(r, p); !s) {
      issues.push_back({"tnef.mapi_malformed", Severity::low, s.error().offset,
                        "MAPI property " + std::to_string(i) + ": " + s.error().what});
      return props;
    }
    props.push_back(std::move(p));
  }
  return props;
}

std::string prop_string(const MapiProp& p) {
  if (p.values.empty()) return {};
  const ByteView v = p.values.front();
  if (p.type == kPtUnicode) return core::utf16_to_utf8(v, std::endian::little, core::Utf16Stop::at_nul);
  std::string_view s = v.chars();
  if (const auto nul = s.find('\0'); nul != std::string_view::npos) s = s.substr(0, nul);
  return core::latin1_to_utf8(s);
}

const MapiProp* find_prop(const std::vector<MapiProp>& props, std::uint16_t id) {
  for (const MapiProp& p : props) {
    if (p.id == id && !p.named) return &p;
  }
  return nullptr;
}

}  // namespace sluice::codecs::mapi
