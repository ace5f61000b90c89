#include "codecs/icon/directory.hpp"

#include "core/reader.hpp"
#include "codecs/icon/layout.hpp"

namespace sluice::codecs::icon {

Result<Directory> parse_directory(ByteView bytes, bool group) {
  core::Reader r(bytes);
  auto reserved = r.le<std::uint16_t>();
  auto type = r.le<std::uint16_t>();
  auto count = r.le<std::uint16_t>();
  if (!reserved || !type || !count) return fail(Errc::truncated, 0, "icon directory header is cut short");
  if (*reserved != 0 || (*type != kTypeIcon && *type != kTypeCursor)) {
    return fail(Errc::malformed, 0, "not an icon directory (reserved/type fields)");
  }
  const std::uint64_t entry_size = group ? kGroupEntrySize : kFileEntrySize;
  if (static_cast<std::uint64_t>(*count) * entry_size > r.remaining()) {
    return fail(Errc::truncated, kDirHeaderSize,
                "the directory lists " + std::to_string(*count) + " images but has room for " +
                    std::to_string(r.remaining() / entry_size));
  }
  Directory dir;
  dir.type = *type;
  dir.entries.reserve(*count);
  for (std::uint16_t i = 0; i < *count; ++i) {
    // Sizes were checked above, so these reads cannot fail; value_or keeps the
    // code free of unchecked dereferences all the same.
    DirEntry e;
    const std::uint8_t w = r.u8().value_or(0);
    const std::uint8_t h = r.u8().value_or(0);
    e.width = w == 0 ? 256 : w;
    e.height = h == 0 ? 256 : h;
    (void)r.u8();                                    // colour count
    (void)r.u8();                                    // reserved
    (void)r.le<std::uint16_t>();                     // planes (hotspot x for cursors)
    e.bit_count = r.le<std::uint16_t>().value_or(0);  // (hotspot y for cursors)
    e.bytes = r.le<std::uint32_t>().value_or(0);
    if (group) {
      e.id = r.le<std::uint16_t>().value_or(0);  // value_or: in bounds, as above
    } else {
      e.offset = r.le<std::uint32_t>().value_or(0);  // value_or: in bounds, as above
    }
    dir.entries.push_back(e);
  }
  return dir;
}

std::optional<std::size_t> pick_entry(const Directory& dir) {
  std::optional<std::size_t> best;
  auto rank = [](const DirEntry& e) {
    const std::uint32_t side = e.width > e.height ? e.width : e.height;
    // Lower is better: sizes from 32 up rank by distance to 48; smaller ones
    // only after every size from 32 up.
    const std::uint32_t dist = side >= 32 ? (side > 48 ? side - 48 : 48 - side) : 1000 + (32 - side);
    return std::pair<std::uint32_t, int>{dist, -static_cast<int>(e.bit_count)};
  };
  for (std::size_t i = 0; i < dir.entries.size(); ++i) {
    if (!best || rank(dir.entries[i]) < rank(dir.entries[*best])) best = i;
  }
  return best;
}

}  // namespace sluice::codecs::icon
