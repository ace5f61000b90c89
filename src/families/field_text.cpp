#include "families/field_text.hpp"

#include <bit>
#include <cstdint>

#include "core/text.hpp"

namespace sluice::families {
namespace {

// A control byte (NUL included) before the trailing NULs: no builder writes
// those into an ANSI name, but UTF-16LE has one in nearly every code unit
// (the 0x00 of ASCII, the 0x04 of Cyrillic ...).
bool has_inner_control(ByteView raw) {
  std::uint8_t b = 0;
  std::size_t end = raw.size();
  while (end > 0 && raw.byte_at(end - 1, b) && b == 0) --end;
  for (std::size_t i = 0; i < end; ++i) {
    if (raw.byte_at(i, b) && b < 0x20) return true;
  }
  return false;
}

}  // namespace

bool looks_utf16(ByteView raw) {
  if (raw.size() < 2 || raw.size() % 2 != 0) return false;
  // Invalid UTF-8 alone is no proof: an ANSI name with one accented letter is
  // that too, and decoding it as UTF-16 would turn it into CJK noise.
  return has_inner_control(raw);
}

std::string field_text(ByteView raw, std::size_t max_bytes) {
  std::string out = looks_utf16(raw) ? core::utf16_to_utf8(raw, std::endian::little)
                                     : core::to_valid_utf8(raw.chars());
  while (!out.empty() && out.back() == '\0') out.pop_back();
  return core::truncate_utf8(std::move(out), max_bytes);
}

bool is_ipv4_literal(std::string_view host) noexcept {
  int parts = 0;
  std::size_t pos = 0;
  while (parts < 4) {
    std::size_t digits = 0;
    unsigned value = 0;
    while (pos < host.size() && host[pos] >= '0' && host[pos] <= '9' && digits < 3) {
      value = value * 10 + static_cast<unsigned>(host[pos] - '0');
      ++pos;
      ++digits;
    }
    if (digits == 0 || value > 255) return false;
    ++parts;
    if (parts == 4) break;
    if (pos >= host.size() || host[pos] != '.') return false;
    ++pos;
  }
  return pos == host.size();
}

bool plausible_host(std::string_view host) noexcept {
  if (host.empty() || host.size() > 253) return false;
  if (host.find("\xEF\xBF\xBD") != std::string_view::npos) return false;  // U+FFFD: noise
  for (char c : host) {
    const auto u = static_cast<unsigned char>(c);
    const bool ok = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
                    u == '.' || u == '-' || u == '_' || u >= 0x80;  // UTF-8 of an IDN
    if (!ok) return false;
  }
  return true;
}

}  // namespace sluice::families
