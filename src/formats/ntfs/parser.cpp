#include "formats/ntfs/parser.hpp"

#include <array>

#include "core/reader.hpp"
#include "core/text.hpp"
#include "formats/ntfs/layout.hpp"

namespace sluice::formats::ntfs {

Result<std::uint32_t> dos_flags(ByteView standard_information) {
  return core::load_le<std::uint32_t>(standard_information, kSiFlagsOffset);
}


std::string utf16le_to_utf8(ByteView bytes) { return core::utf16_to_utf8(bytes, std::endian::little); }

std::optional<std::int64_t> zone_id(ByteView stream) {
  const std::string_view text = stream.chars();
  constexpr std::string_view kKey = "ZoneId=";
  const std::size_t at = text.find(kKey);
  if (at == std::string_view::npos) return std::nullopt;
  std::int64_t value = 0;
  bool any = false;
  // Windows writes a single digit (0-4); more than a few digits is not a zone.
  for (std::size_t i = at + kKey.size(); i < text.size() && i < at + kKey.size() + 4; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') break;
    value = value * 10 + (c - '0');
    any = true;
  }
  if (!any) return std::nullopt;
  return value;
}

std::string serial_hex(ByteView volume, std::uint64_t offset, unsigned bytes) {
  static constexpr std::array<char, 16> kHex{'0', '1', '2', '3', '4', '5', '6', '7',
                                             '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};
  std::string out;
  // Little-endian on disk; printed most significant byte first.
  for (unsigned i = bytes; i > 0; --i) {
    std::uint8_t b = 0;
    if (!volume.byte_at(offset + i - 1, b)) return {};
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0F]);
  }
  return out;
}

}  // namespace sluice::formats::ntfs
