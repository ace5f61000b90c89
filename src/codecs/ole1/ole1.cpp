#include "codecs/ole1/ole1.hpp"

#include "core/reader.hpp"
#include "core/text.hpp"

namespace sluice::codecs::ole1 {
namespace {

// A class or topic name longer than this is not a name.
constexpr std::uint32_t kMaxName = 65536;

Result<std::string> lp_string(core::Reader& r) {
  auto n = r.le<std::uint32_t>();
  if (!n) return std::unexpected(n.error());
  if (*n > kMaxName) return fail(Errc::malformed, r.offset() - 4, "OLE1 name of " + std::to_string(*n) + " bytes");
  auto s = r.bytes(*n);
  if (!s) return std::unexpected(s.error());
  std::string_view v = s->chars();
  if (const auto nul = v.find('\0'); nul != std::string_view::npos) v = v.substr(0, nul);
  return core::latin1_to_utf8(v);
}

}  // namespace

Result<Ole1Object> decode_ole1(ByteView bytes) {
  core::Reader r(bytes);
  Ole1Object o;
  auto version = r.le<std::uint32_t>();
  auto format = r.le<std::uint32_t>();
  if (!version || !format) return fail(Errc::truncated, 0, "OLE1 header cut short");
  o.format_id = *format;
  if (o.format_id != 1 && o.format_id != 2) {
    return fail(Errc::malformed, 4,
                "OLE1 format id " + std::to_string(o.format_id) + " is neither linked nor embedded");
  }
  for (std::string* s : {&o.class_name, &o.topic, &o.item}) {
    auto v = lp_string(r);
    if (!v) return std::unexpected(v.error());
    *s = std::move(*v);
  }
  if (o.format_id == 1) return o;  // a link: what it points at is the topic
  auto size = r.le<std::uint32_t>();
  if (!size) return fail(Errc::truncated, r.offset(), "OLE1 native data size missing");
  o.declared_size = *size;
  const std::uint64_t present = std::min<std::uint64_t>(*size, r.remaining());
  o.truncated = present < *size;
  o.native = *r.bytes(present);
  return o;
}

}  // namespace sluice::codecs::ole1
