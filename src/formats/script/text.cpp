#include "formats/script/text.hpp"

#include <bit>

#include "core/text.hpp"

namespace sluice::formats::script {
namespace {

bool looks_utf16le(ByteView b) noexcept {
  const ByteView head = b.clamp(0, 512);
  if (head.size() < 8) return false;
  for (std::size_t i = 1; i < head.size(); i += 2) {
    std::uint8_t c = 1;
    if (!head.byte_at(i, c) || c != 0) return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(Encoding e) noexcept {
  switch (e) {
    case Encoding::bytes: return "bytes";
    case Encoding::utf8_bom: return "utf-8";
    case Encoding::utf16le: return "utf-16le";
    case Encoding::utf16be: return "utf-16be";
  }
  return "bytes";
}

std::string utf16le_text(ByteView bytes) { return core::utf16_to_utf8(bytes, std::endian::little); }

ScriptText normalise(ByteView b) {
  ScriptText s;
  s.original = b;
  if (b.starts_with("\xFF\xFE")) {
    s.encoding = Encoding::utf16le;
    s.decoded = core::utf16_to_utf8(b.tail(2), std::endian::little);
  } else if (b.starts_with("\xFE\xFF")) {
    s.encoding = Encoding::utf16be;
    s.decoded = core::utf16_to_utf8(b.tail(2), std::endian::big);
  } else if (looks_utf16le(b)) {
    s.encoding = Encoding::utf16le;
    s.decoded = core::utf16_to_utf8(b, std::endian::little);
  } else if (b.starts_with("\xEF\xBB\xBF")) {
    s.encoding = Encoding::utf8_bom;
  }
  return s;
}

}  // namespace sluice::formats::script
