#pragma once
// The pure half of the libarchive bridge: which libarchive readers a sniffed
// type may use, how raw streams are named, and how entry paths are judged.
// libarchive itself is wrapped in reader.{hpp,cpp}.
#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/byte_view.hpp"
#include "sluice/file_type.hpp"

namespace sluice::formats::archive {

// A bare compressed stream (bzip2, xz, zstd, lzma): read through
// libarchive's "raw" format, giving one member, the decompressed bytes.
[[nodiscard]] bool is_raw_stream(FileType t) noexcept;

// The name `bunzip2`/`unxz`/`unzstd`/`unlzma` would give the output: the parent
// name with the type's suffix removed; empty when the suffix is not there.
[[nodiscard]] std::string raw_stream_name(std::string_view parent, FileType t);

struct PathRisk {
  bool absolute = false;   // "/etc/x", "\\x", "C:\\x", "C:x"
  bool traversal = false;  // a ".." segment, with either separator
};
// Judges the path as both a POSIX and a Windows extractor would read it: a
// backslash is a separator to the victim's Explorer even when tar says it is
// a name character.
[[nodiscard]] PathRisk classify_path(std::string_view path) noexcept;

// Whether a RAR (4 or 5) says in its main archive header that it is one volume
// of a multi-volume set. libarchive reads a part alone without saying so, and
// members that continue into other parts then simply vanish; this is read by
// hand so the gap is reported. Nothing when the header cannot be read.
[[nodiscard]] bool rar_is_volume(ByteView rar) noexcept;

}  // namespace sluice::formats::archive
