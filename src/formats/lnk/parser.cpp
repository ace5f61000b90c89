// MS-SHLLINK reader. Section numbers below refer to [MS-SHLLINK] v8.0. Every
// size field is attacker-chosen: each structure is read through a sub-view of
// the size it claims, clipped to the file, and a claim past the end is reported.
#include "core/text.hpp"
#include "formats/lnk/parser.hpp"

#include <array>
#include <cstdio>

#include "core/checked.hpp"
#include "core/reader.hpp"
#include "formats/lnk/layout.hpp"

namespace sluice::formats::lnk {
namespace {

using core::load_le;

using core::append_utf8;

// UTF-16LE units up to the first NUL (or the view's end).
std::string utf16(ByteView units) {
  return core::utf16_to_utf8(units, std::endian::little, core::Utf16Stop::at_nul);
}

// System code page strings: read as Latin-1 (cp1252's printable subset agrees on
// every byte a path uses), up to the first NUL.
std::string ansi(ByteView bytes) {
  std::string out;
  for (unsigned char c : bytes.chars()) {
    if (c == 0) break;
    append_utf8(out, c);
  }
  return out;
}

// Truncation is low (a cut download looks the same); a structure that contradicts itself
// or a string past the limit is medium: writers do not produce them.
void problem(Parsed<Shortcut>& out, std::string id, Severity severity, std::uint64_t off, std::string msg) {
  out.anomalies.push_back({std::move(id), severity, off, std::move(msg)});
}

// 2.2 LinkTargetIDList: ItemIDs until a zero terminator. Only the shapes every
// shell writes are decoded into path segments (root, volume, file entry); the
// rest is walked over by size.
void parse_idlist(Parsed<Shortcut>& out, ByteView list, std::uint64_t base, const Limits& limits) {
  Shortcut& s = out.model;
  std::uint64_t pos = 0;
  bool simple = true;
  for (std::uint32_t n = 0;; ++n) {
    if (n >= limits.max_children) {
      problem(out, "lnk.malformed", Severity::medium, base + pos, "more ItemIDs than the cap");
      return;
    }
    auto size = load_le<std::uint16_t>(list, pos);
    if (!size) {
      problem(out, "lnk.malformed", Severity::medium, base + pos, "the IDList ends without its terminator");
      break;
    }
    if (*size == 0) break;
    if (*size < 3 || !list.contains(pos, *size)) {
      problem(out, "lnk.malformed", Severity::medium, base + pos, "an ItemID's size runs outside the IDList");
      break;
    }
    const ByteView item = list.clamp(pos + 2, *size - 2u);
    std::uint8_t kind = 0;
    (void)item.byte_at(0, kind);
    if ((kind & 0x70) == 0x20) {  // volume: "C:\" in ASCII
      s.idlist_segments.push_back(ansi(item.clamp(1, 3)));
    } else if ((kind & 0x70) == 0x30) {  // file entry: short name after 12 header bytes
      const bool unicode = (kind & 0x04) != 0;
      const ByteView name = item.tail(12).clamp(0, limits.max_name_length);
      s.idlist_segments.push_back(unicode ? utf16(name) : ansi(name));
    } else if (kind != 0x1F) {  // root folder GUIDs carry no path text
      simple = false;
    }
    pos += *size;
  }
  if (!simple || s.idlist_segments.empty()) return;
  std::string path;
  for (const std::string& seg : s.idlist_segments) {
    if (!path.empty() && path.back() != '\\') path.push_back('\\');
    path += seg;
  }
  s.idlist_path = std::move(path);
}

std::string string_in(ByteView info, std::uint32_t off, bool unicode, std::uint32_t max) {
  if (off == 0 || off >= info.size()) return {};
  return unicode ? utf16(info.clamp(off, static_cast<std::uint64_t>(max) * 2)) : ansi(info.clamp(off, max));
}

// 2.3 LinkInfo: a header of offsets into itself.
void parse_linkinfo(Parsed<Shortcut>& out, ByteView info, std::uint64_t base, const Limits& limits) {
  Shortcut& s = out.model;
  // value_or: in bounds, the caller passes at least kLinkInfoMinHeaderSize
  // (28) bytes; the Unicode offsets at 28 and 32 are read only when the
  // header says they exist and header < size was checked. A string offset
  // of 0 means "none" to string_in.
  const std::uint32_t header = load_le<std::uint32_t>(info, 4).value_or(0);
  const std::uint32_t flags = load_le<std::uint32_t>(info, 8).value_or(0);
  if (header < kLinkInfoMinHeaderSize || header >= info.size()) {
    problem(out, "lnk.malformed", Severity::medium, base + 4, "LinkInfoHeaderSize does not fit the LinkInfo");
    return;
  }
  // value_or: in bounds (28 bytes at least, see above).
  const std::uint32_t local_off = load_le<std::uint32_t>(info, 16).value_or(0);
  const std::uint32_t network_off = load_le<std::uint32_t>(info, 20).value_or(0);
  const std::uint32_t suffix_off = load_le<std::uint32_t>(info, 24).value_or(0);
  const bool has_unicode = header >= kLinkInfoUnicodeHeaderSize;
  if (flags & kLinkInfoVolumeIdAndLocalBasePath) {
    // value_or: in bounds, has_unicode means header >= 36 and header < size.
    s.local_base_path = has_unicode
                            ? string_in(info, load_le<std::uint32_t>(info, 28).value_or(0), true, limits.max_name_length)
                            : std::string{};
    if (s.local_base_path.empty()) s.local_base_path = string_in(info, local_off, false, limits.max_name_length);
  }
  // value_or: in bounds, as above.
  if (has_unicode) s.common_path_suffix = string_in(info, load_le<std::uint32_t>(info, 32).value_or(0), true, limits.max_name_length);
  if (s.common_path_suffix.empty()) s.common_path_suffix = string_in(info, suffix_off, false, limits.max_name_length);
  if ((flags & kLinkInfoCommonNetworkRelativeLink) && network_off != 0 && network_off < info.size()) {
    const ByteView cnrl = info.tail(network_off);
    // value_or(0): a CommonNetworkRelativeLink cut off by the LinkInfo's end
    // reads size 0 and offsets 0, which string_in treats as "no string".
    const std::uint32_t size = load_le<std::uint32_t>(cnrl, 0).value_or(0);
    const ByteView link = cnrl.clamp(0, size);
    const std::uint32_t net_name = load_le<std::uint32_t>(link, 8).value_or(0);
    const std::uint32_t device = load_le<std::uint32_t>(link, 12).value_or(0);
    if (net_name > 0x14) {  // 2.3.2: the Unicode offsets exist only then
      s.network_share = string_in(link, load_le<std::uint32_t>(link, 20).value_or(0), true, limits.max_name_length);
      s.device_name = string_in(link, load_le<std::uint32_t>(link, 24).value_or(0), true, limits.max_name_length);
    }
    if (s.network_share.empty()) s.network_share = string_in(link, net_name, false, limits.max_name_length);
    if (s.device_name.empty()) s.device_name = string_in(link, device, false, limits.max_name_length);
  }
}

void parse_extra(Parsed<Shortcut>& out, ByteView rest, std::uint64_t base, const Limits& limits) {
  Shortcut& s = out.model;
  std::uint64_t pos = 0;
  for (std::uint32_t n = 0;; ++n) {
    if (n >= limits.max_children) {
      problem(out, "lnk.malformed", Severity::medium, base + pos, "more ExtraData blocks than the cap");
      return;
    }
    auto size = load_le<std::uint32_t>(rest, pos);
    if (!size) {
      // A missing TerminalBlock is tolerated (Windows reads to the end); a
      // partial BlockSize is a cut.
      if (pos < rest.size()) problem(out, "lnk.truncated", Severity::low, base + pos, "ExtraData ends inside a BlockSize");
      return;
    }
    if (*size < 4) return;  // 2.5 TerminalBlock: BlockSize < 4
    if (*size < 8 || !rest.contains(pos, *size)) {
      problem(out, "lnk.malformed", Severity::medium, base + pos, "an ExtraData block's size runs past the end");
      return;
    }
    const ByteView block = rest.clamp(pos, *size);
    // value_or: in bounds, *size >= 8 and the block is inside `rest`.
    const std::uint32_t sig = load_le<std::uint32_t>(block, 4).value_or(0);
    ++s.extra_blocks;
    if ((sig == kEnvironmentVariablesBlock || sig == kIconEnvironmentBlock) && *size >= kEnvironmentBlockSize) {
      std::string target = utf16(block.clamp(8 + 260, 520));
      if (target.empty()) target = ansi(block.clamp(8, 260));
      (sig == kEnvironmentVariablesBlock ? s.env_target : s.icon_env_target) = std::move(target);
    } else if (sig == kKnownFolderBlock && *size >= kKnownFolderBlockSize) {
      s.known_folder = guid_text(block.clamp(8, 16));
    } else if (sig == kTrackerBlock && *size >= kTrackerBlockSize) {
      s.machine_id = ansi(block.clamp(16, 16));
      s.droid_volume = guid_text(block.clamp(32, 16));
      s.droid_file = guid_text(block.clamp(48, 16));
      // The droid file id is a version-1 UUID whose node field is (usually) the
      // MAC address of the machine that created the link: an attribution clue.
      std::uint8_t version = 0;
      if (block.byte_at(48 + 7, version) && (version >> 4) == 1) {
        std::string mac;
        for (std::uint64_t i = 0; i < 6; ++i) {
          std::uint8_t b = 0;
          (void)block.byte_at(48 + 10 + i, b);
          std::array<char, 4> hex{};
          std::snprintf(hex.data(), hex.size(), i ? ":%02x" : "%02x", b);
          mac += hex.data();
        }
        s.mac = std::move(mac);
      }
    }
    pos += *size;
  }
}

}  // namespace

std::string guid_text(ByteView g) {
  if (g.size() < 16) return {};
  // value_or: in bounds, 16 bytes checked above.
  const std::uint32_t d1 = load_le<std::uint32_t>(g, 0).value_or(0);
  const std::uint16_t d2 = load_le<std::uint16_t>(g, 4).value_or(0);
  const std::uint16_t d3 = load_le<std::uint16_t>(g, 6).value_or(0);
  std::array<std::uint8_t, 8> d4{};
  for (std::uint64_t i = 0; i < 8; ++i) (void)g.byte_at(8 + i, d4[i]);
  std::array<char, 40> buf{};
  std::snprintf(buf.data(), buf.size(), "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", d1, d2, d3, d4[0],
                d4[1], d4[2], d4[3], d4[4], d4[5], d4[6], d4[7]);
  return buf.data();
}

std::string Shortcut::target() const {
  if (!local_base_path.empty()) {
    if (common_path_suffix.empty()) return local_base_path;
    if (local_base_path.back() == '\\') return local_base_path + common_path_suffix;
    return local_base_path + "\\" + common_path_suffix;
  }
  if (!network_share.empty()) return network_share + (common_path_suffix.empty() ? "" : "\\" + common_path_suffix);
  if (!env_target.empty()) return env_target;
  if (!idlist_path.empty()) return idlist_path;
  return relative_path;
}

Result<Parsed<Shortcut>> parse(ByteView file, const Limits& limits) {
  auto header_size = load_le<std::uint32_t>(file, 0);
  if (!header_size || *header_size != kHeaderSize || !file.contains(0, kHeaderSize)) {
    return fail(Errc::malformed, 0, "not a ShellLinkHeader (HeaderSize must be 0x4C)");
  }
  Parsed<Shortcut> out;
  Shortcut& s = out.model;
  // value_or: in bounds, the 76-byte header was checked above.
  s.flags = load_le<std::uint32_t>(file, kFlagsOffset).value_or(0);
  s.attributes = load_le<std::uint32_t>(file, kAttributesOffset).value_or(0);
  s.creation_time = load_le<std::uint64_t>(file, kCreationTimeOffset).value_or(0);
  s.access_time = load_le<std::uint64_t>(file, kAccessTimeOffset).value_or(0);
  s.write_time = load_le<std::uint64_t>(file, kWriteTimeOffset).value_or(0);
  s.file_size = load_le<std::uint32_t>(file, kFileSizeOffset).value_or(0);
  s.icon_index = load_le<std::int32_t>(file, kIconIndexOffset).value_or(0);
  s.show_command = load_le<std::uint32_t>(file, kShowCommandOffset).value_or(0);

  std::uint64_t pos = kHeaderSize;
  if (s.flags & kHasLinkTargetIdList) {
    // value_or(0): a size the file cuts off reads 0 bytes, and the
    // contains() check below reports the truncation either way.
    const std::uint16_t size = load_le<std::uint16_t>(file, pos).value_or(0);
    if (!file.contains(pos + 2, size)) {
      problem(out, "lnk.truncated", Severity::low, pos, "the LinkTargetIDList runs past the end of the file");
      return out;
    }
    parse_idlist(out, file.clamp(pos + 2, size), pos + 2, limits);
    pos += 2u + size;
  }
  if ((s.flags & kHasLinkInfo) && !(s.flags & kForceNoLinkInfo)) {
    // value_or(0): as above; 0 is below the minimum and reported.
    const std::uint32_t size = load_le<std::uint32_t>(file, pos).value_or(0);
    if (size < kLinkInfoMinHeaderSize || !file.contains(pos, size)) {
      problem(out, "lnk.truncated", Severity::low, pos, "the LinkInfo runs past the end of the file");
      return out;
    }
    parse_linkinfo(out, file.clamp(pos, size), pos, limits);
    pos += size;
  } else if (s.flags & kHasLinkInfo) {
    // 2.1.1: present but ignored. value_or(0): a size cut off by the end
    // leaves pos there, and the StringData reads below report the truncation.
    pos += load_le<std::uint32_t>(file, pos).value_or(0);
  }
  // 2.4 StringData: CountCharacters then that many characters, in this order.
  const bool unicode = (s.flags & kIsUnicode) != 0;
  const std::array<std::pair<std::uint32_t, std::string*>, 5> strings{{
      {kHasName, &s.name},
      {kHasRelativePath, &s.relative_path},
      {kHasWorkingDir, &s.working_dir},
      {kHasArguments, &s.arguments},
      {kHasIconLocation, &s.icon_location},
  }};
  for (const auto& [flag, field] : strings) {
    if (!(s.flags & flag)) continue;
    auto count = load_le<std::uint16_t>(file, pos);
    const std::uint64_t bytes = count ? static_cast<std::uint64_t>(*count) * (unicode ? 2 : 1) : 0;
    if (!count || !file.contains(pos + 2, bytes)) {
      problem(out, "lnk.truncated", Severity::low, pos, "a StringData field runs past the end of the file");
      return out;
    }
    // Windows reads the full count; Sluice keeps at most max_string characters.
    const std::uint64_t keep = std::min<std::uint64_t>(*count, limits.max_name_length) * (unicode ? 2 : 1);
    *field = unicode ? utf16(file.clamp(pos + 2, keep)) : ansi(file.clamp(pos + 2, keep));
    if (field == &s.arguments) s.arguments_chars = *count;
    if (*count > limits.max_name_length) {
      problem(out, "lnk.long_string", Severity::medium, pos, "a StringData field of " + std::to_string(*count) + " characters");
    }
    pos += 2 + bytes;
  }
  parse_extra(out, file.tail(pos), pos, limits);
  return out;
}

}  // namespace sluice::formats::lnk
