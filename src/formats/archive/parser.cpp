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
