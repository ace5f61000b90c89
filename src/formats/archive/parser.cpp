#include "formats/archive/parser.hpp"

#include "core/text.hpp"

namespace sluice::formats::archive {

bool is_raw_stream(FileType t) noexcept {
  return t == FileType::bzip2 || t == FileType::xz || t == FileType::zstd || t == FileType::lzma;
}

std::string raw_stream_name(std::string_view parent, FileType t) {
  const std::string lower = core::ascii_lower(parent);
  auto strip = [&](std::string_view suffix, std::string_view replacement = {}) -> std::string {
    if (lower.size() > suffix.size() && lower.ends_with(suffix)) {
      return std::string(parent.substr(0, parent.size() - suffix.size())) + std::string(replacement);
    }
    return {};
  };
  // Same suffix tables as bzip2(1), xz(1) and zstd(1) use for their output names.
  switch (t) {
    case FileType::bzip2:
      for (auto s : {".bz2", ".bz"}) if (auto n = strip(s); !n.empty()) return n;
      for (auto s : {".tbz2", ".tbz"}) if (auto n = strip(s, ".tar"); !n.empty()) return n;
      return {};
    case FileType::xz:
      if (auto n = strip(".xz"); !n.empty()) return n;
      return strip(".txz", ".tar");
    case FileType::zstd:
      for (auto s : {".zst", ".zstd"}) if (auto n = strip(s); !n.empty()) return n;
      return strip(".tzst", ".tar");
    case FileType::lzma:
      if (auto n = strip(".lzma"); !n.empty()) return n;
      return strip(".tlz", ".tar");
    default:
      return {};
  }
}

PathRisk classify_path(std::string_view path) noexcept {
  PathRisk r;
  if (path.empty()) return r;
  const auto is_sep = [](char c) { return c == '/' || c == '\\'; };
  if (is_sep(path.front())) r.absolute = true;
  // A drive letter makes the path absolute (or drive-relative) on Windows.
  if (path.size() >= 2 && path[1] == ':' &&
      ((path[0] >= 'A' && path[0] <= 'Z') || (path[0] >= 'a' && path[0] <= 'z'))) {
    r.absolute = true;
  }
  std::size_t start = 0;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || is_sep(path[i])) {
      if (path.substr(start, i - start) == "..") r.traversal = true;
      start = i + 1;
    }
  }
  return r;
}

}  // namespace sluice::formats::archive

namespace sluice::formats::archive {
namespace {

// RAR 5 variable-length integer: 7 bits per byte, high bit = more follow;
// at most 10 bytes for 64 bits.
bool vint(ByteView b, std::uint64_t& pos, std::uint64_t& out) noexcept {
  out = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    std::uint8_t byte = 0;
    if (!b.byte_at(pos++, byte)) return false;
    if (shift < 64) out |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

}  // namespace

bool rar_is_volume(ByteView b) noexcept {
  if (b.starts_with(std::string_view("Rar!\x1A\x07\x01\x00", 8))) {
    // RAR 5: CRC32, header size, header type 1 (main), header flags, optional
    // extra-area and data sizes, then the archive flags (0x0001 = volume).
    std::uint64_t pos = 8 + 4, size = 0, type = 0, flags = 0, skip = 0, archive_flags = 0;
    if (!vint(b, pos, size) || !vint(b, pos, type) || type != 1 || !vint(b, pos, flags)) return false;
    if ((flags & 0x0001) != 0 && !vint(b, pos, skip)) return false;
    if ((flags & 0x0002) != 0 && !vint(b, pos, skip)) return false;
    return vint(b, pos, archive_flags) && (archive_flags & 0x0001) != 0;
  }
  if (b.starts_with(std::string_view("Rar!\x1A\x07\x00", 7))) {
    // RAR 1.5-4: the main header (type 0x73) follows the 7-byte marker;
    // MHD_VOLUME = 0x0001 in its 16-bit little-endian flags.
    std::uint8_t type = 0, lo = 0;
    return b.byte_at(7 + 2, type) && type == 0x73 && b.byte_at(7 + 3, lo) && (lo & 0x01) != 0;
  }
  return false;
}

}  // namespace sluice::formats::archive
