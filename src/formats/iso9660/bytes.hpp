#pragma once
// Small checked loads shared by the ISO 9660 and UDF parsers. A load past the
// end yields 0: callers bound-check the enclosing structure first, so 0 only
// appears for structures that were already reported as truncated.
#include <cstdint>
#include <string>

#include "core/reader.hpp"
#include "sluice/byte_view.hpp"

namespace sluice::formats::iso9660 {

[[nodiscard]] inline std::uint8_t u8_at(ByteView v, std::uint64_t off) noexcept {
  std::uint8_t b = 0;
  (void)v.byte_at(off, b);
  return b;
}
[[nodiscard]] inline std::uint16_t le16(ByteView v, std::uint64_t off) {
  return core::load_le<std::uint16_t>(v, off).value_or(0);
}
[[nodiscard]] inline std::uint32_t le32(ByteView v, std::uint64_t off) {
  return core::load_le<std::uint32_t>(v, off).value_or(0);
}
[[nodiscard]] inline std::uint64_t le64(ByteView v, std::uint64_t off) {
  return core::load_le<std::uint64_t>(v, off).value_or(0);
}
[[nodiscard]] inline std::uint16_t be16(ByteView v, std::uint64_t off) {
  return core::load_be<std::uint16_t>(v, off).value_or(0);
}
[[nodiscard]] inline std::uint32_t be32(ByteView v, std::uint64_t off) {
  return core::load_be<std::uint32_t>(v, off).value_or(0);
}

// A fixed-width, space-padded text field (ECMA-119 a-/d-characters).
[[nodiscard]] inline std::string trimmed(ByteView v, std::uint64_t off, std::uint64_t len) {
  std::string s(v.clamp(off, len).chars());
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

}  // namespace sluice::formats::iso9660
