#include "codecs/ole1/package.hpp"

#include <bit>
#include <optional>

#include "core/reader.hpp"
#include "core/text.hpp"

namespace sluice::codecs::ole1 {
namespace {

// A path longer than this is not a path: Windows' own limit is 32,767 units.
constexpr std::uint32_t kMaxPath = 32768;

Result<std::string> ansi(core::Reader& r) {
  auto s = r.until(0);
  if (!s) return std::unexpected(s.error());
  return core::latin1_to_utf8(s->chars());
}

// The optional Unicode tail: a count of UTF-16 units, then the units.
std::optional<std::string> unicode(core::Reader& r) {
  auto n = r.le<std::uint32_t>();
  if (!n || *n > kMaxPath) return std::nullopt;
  auto units = r.bytes(2ull * *n);
  if (!units) return std::nullopt;
  return core::utf16_to_utf8(*units, std::endian::little, core::Utf16Stop::at_nul);
}

}  // namespace

std::string base_name(std::string_view path) {
  const auto cut = path.find_last_of("\\/");
  return std::string(cut == std::string_view::npos ? path : path.substr(cut + 1));
}

std::string Package::file_name() const {
  for (const std::string* p : {&source_path, &temp_path}) {
    std::string b = base_name(*p);
    if (!b.empty()) return b;
  }
  return label;
}

Result<Package> decode_package(ByteView native, std::uint64_t base) {
  core::Reader r(native, base);
  Package p;
  if (auto sig = r.le<std::uint16_t>(); !sig) return std::unexpected(sig.error());
  auto label = ansi(r);
  if (!label) return std::unexpected(label.error());
  auto source = ansi(r);
  if (!source) return std::unexpected(source.error());
  p.label = std::move(*label);
  p.source_path = std::move(*source);
  // Two 32-bit fields: a kind (0x00030000: an embedded file; 0x00010000: a
  // link, which has no data) and the temp path's length including its NUL.
  auto kind = r.le<std::uint32_t>();
  auto temp_len = r.le<std::uint32_t>();
  if (!kind || !temp_len) return std::unexpected(!kind ? kind.error() : temp_len.error());
  if (*temp_len > kMaxPath) return fail(Errc::malformed, r.offset() - 4, "package temp path length is absurd");
  auto temp = r.bytes(*temp_len);
  if (!temp) return std::unexpected(temp.error());
  std::string_view t = temp->chars();
  if (const auto nul = t.find('\0'); nul != std::string_view::npos) t = t.substr(0, nul);
  p.temp_path = core::latin1_to_utf8(t);
  auto size = r.le<std::uint32_t>();
  if (!size) return p;  // a link package ends here
  p.declared_size = *size;
  const std::uint64_t present = std::min<std::uint64_t>(*size, r.remaining());
  p.truncated = present < *size;
  p.data = *r.bytes(present);
  if (p.truncated) return p;
  // Office 2007 and later append the three names again in UTF-16: a file whose
  // name is not in the sender's code page survives only there.
  auto utemp = unicode(r);
  auto ulabel = utemp ? unicode(r) : std::nullopt;
  auto usource = ulabel ? unicode(r) : std::nullopt;
  if (usource && (!usource->empty() || !ulabel->empty())) {
    p.unicode_names = true;
    if (!ulabel->empty()) p.label = std::move(*ulabel);
    if (!usource->empty()) p.source_path = std::move(*usource);
    if (!utemp->empty()) p.temp_path = std::move(*utemp);
  }
  return p;
}

}  // namespace sluice::codecs::ole1
