#pragma once
// An OLE 1.0 "Package" object's native data (the `\x01Ole10Native` stream of an
// embedded object, or the NativeData of an RTF `\objdata` whose class is
// Package): the file a document carries behind an icon, with the label shown
// under the icon, the path it was taken from, the temp path Office writes it to
// when the icon is double-clicked, and optionally Unicode copies of the three.
// Undocumented by Microsoft; the layout is the one every reader agrees on.
#include <cstdint>
#include <string>

#include "sluice/byte_view.hpp"
#include "sluice/result.hpp"

namespace sluice::codecs::ole1 {

struct Package {
  std::string label;        // UTF-8 (ANSI read as Latin-1, or the Unicode copy)
  std::string source_path;  // where the sender's machine had the file
  std::string temp_path;    // where Office drops it when opened
  ByteView data;            // the file itself: a view into the native data
  std::uint64_t declared_size = 0;
  bool truncated = false;  // fewer bytes than declared_size were present
  bool unicode_names = false;
  // The file's own name: the last component of the source path, else of the
  // temp path, else the label.
  [[nodiscard]] std::string file_name() const;
};

// `native` starts at the 16-bit signature (the Ole10Native stream without its
// leading 32-bit size). Fails only when not even the names can be read.
[[nodiscard]] Result<Package> decode_package(ByteView native, std::uint64_t base = 0);

// The last path component of a Windows or POSIX path.
[[nodiscard]] std::string base_name(std::string_view path);

}  // namespace sluice::codecs::ole1
