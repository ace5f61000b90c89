#pragma once
// ICONDIR (.ico / .cur files) and GRPICONDIR (RT_GROUP_ICON resources): the
// list of images an icon offers, and the one Explorer would draw.
#include <cstdint>
#include <optional>
#include <vector>

#include "sluice/byte_view.hpp"
#include "sluice/result.hpp"

namespace sluice::codecs::icon {

struct DirEntry {
  std::uint32_t width = 0;   // the directory's claim; 0 in the byte means 256
  std::uint32_t height = 0;
  std::uint16_t bit_count = 0;
  std::uint32_t bytes = 0;   // dwBytesInRes
  std::uint32_t offset = 0;  // file form: where the image starts
  std::uint16_t id = 0;      // resource form: the RT_ICON id
};

struct Directory {
  std::uint16_t type = 0;  // 1 icon, 2 cursor
  std::vector<DirEntry> entries;
};

// `group` selects the 14-byte resource entries. The count is bounded by the
// bytes present: a count that promises more entries than fit is an error.
[[nodiscard]] Result<Directory> parse_directory(ByteView bytes, bool group);

// The entry Explorer shows in its default views (32 and 48 px): the size
// nearest 48 that is at least 32, else the largest; ties go to more colours.
// Nothing when the directory is empty.
[[nodiscard]] std::optional<std::size_t> pick_entry(const Directory& dir);

}  // namespace sluice::codecs::icon
