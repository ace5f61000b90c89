#pragma once
// A OneNote section (.one, OneNote 2010 and later: the [MS-ONESTORE] revision
// store) read as far as its embedded files: the file node lists from the
// header's root, the file data store (the files' bytes), the declarations that
// tie a file to an object ID and an extension, and the property sets of
// embedded-file and image nodes ([MS-ONE]: their names, containers, positions).
// Pure; every list is read once, and the walk is bounded by the file.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/parsed.hpp"
#include "sluice/byte_view.hpp"
#include "sluice/limits.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::onenote {


inline constexpr std::uint32_t kJcidEmbeddedFileNode = 0x00060035;
inline constexpr std::uint32_t kJcidImageNode = 0x00060011;
inline constexpr std::uint32_t kJcidRichTextNode = 0x0006000E;

struct FileData {
  std::string guid;          // lower-case, no braces
  std::uint64_t offset = 0;  // of the FileDataStoreObject
  ByteView data;
  bool truncated = false;    // cbLength runs past the chunk or the file
};

struct Declaration {  // ObjectDeclarationFileData3(Large)RefCountFND
  std::uint32_t oid = 0;  // CompactID as stored
  std::string guid;       // of the file data it names
  std::string extension;  // ".exe"
};

struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
};

struct Node {  // an embedded-file, image or paragraph node's properties
  std::uint32_t jcid = 0;
  std::uint32_t oid = 0;
  std::string name;         // EmbeddedFileName / ImageFilename
  std::string source_path;  // SourceFilepath
  std::string text;         // RichEditTextUnicode of a paragraph (hyperlinks are field codes in it)
  std::optional<std::uint32_t> container;  // EmbeddedFileContainer / PictureContainer
  std::optional<Rect> rect;  // OffsetFromParentHoriz/Vert, LayoutMaxWidth/Height
};

struct Section {
  std::vector<FileData> files;  // referenced from the file data store list
  std::vector<Declaration> declarations;
  std::vector<Node> nodes;
};

// Fails when the header is unusable; damage further in is reported as
// anomalies (Limits::max_anomalies_per_kind of each ID, plus one that
// makes the unpacker report the limit). Strings, text and property nesting are
// capped by limits.onenote.
[[nodiscard]] Result<Parsed<Section>> parse(ByteView bytes, const Limits& limits);

// Every FileDataStoreObject header in the bytes, whether a list points at it or
// not (a file written into the section but unlinked is still in it).
[[nodiscard]] std::vector<FileData> scan_file_data(ByteView bytes);

[[nodiscard]] bool overlaps(const Rect& a, const Rect& b);

}  // namespace sluice::formats::onenote
