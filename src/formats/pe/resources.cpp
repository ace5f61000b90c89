// The resource tree (type / name / language, three levels by convention: the
// loader's FindResource walks exactly three), VERSIONINFO strings and the
// manifest's requestedExecutionLevel. Offsets in the tree are relative to the
// resource section and attacker-chosen: a visited set stops loops (a directory
// that names itself or an ancestor), the depth is fixed at three and the total
// entry count is capped.
#include <algorithm>
#include <unordered_set>

#include "core/checked.hpp"
#include "core/reader.hpp"
#include "formats/pe/detail.hpp"
#include "formats/pe/layout.hpp"

namespace sluice::formats::pe {
namespace {

using core::load_le;

std::string type_name(std::uint32_t id) {
  switch (id) {
    case 1: return "CURSOR";
    case 2: return "BITMAP";
    case 3: return "ICON";
    case 4: return "MENU";
    case 5: return "DIALOG";
    case 6: return "STRING";
    case 7: return "FONTDIR";
    case 8: return "FONT";
    case 9: return "ACCELERATOR";
    case 10: return "RCDATA";
    case 11: return "MESSAGETABLE";
    case 12: return "GROUP_CURSOR";
    case 14: return "GROUP_ICON";
    case 16: return "VERSION";
    case 17: return "DLGINCLUDE";
    case 19: return "PLUGPLAY";
    case 20: return "VXD";
    case 21: return "ANICURSOR";
    case 22: return "ANIICON";
    case 23: return "HTML";
    case 24: return "MANIFEST";
    default: return "#" + std::to_string(id);
  }
}

struct Walker {
  PeImage& pe;
  std::vector<Anomaly>& anomalies;
  ByteView file;
  const Limits& limits;
  std::uint32_t base_rva = 0;
  std::unordered_set<std::uint32_t> visited;
  std::uint32_t entries = 0;
  bool capped = false;

  // A name entry's string: WORD length (in UTF-16 units) then the units.
  std::string entry_name(std::uint32_t field) {
    if ((field & kResourceSubdirFlag) == 0) return std::to_string(field);
    const std::uint64_t rva = static_cast<std::uint64_t>(base_rva) + (field & ~kResourceSubdirFlag);
    auto off = rva_to_offset(pe, file.size(), rva);
    if (!off) return "?";
    // value_or(0): rva_to_offset only answers offsets inside the file, but the
    // WORD may straddle its end: then the name is empty, as it would be cut.
    const std::uint16_t len = load_le<std::uint16_t>(file, *off).value_or(0);
    const std::uint64_t bytes = std::min<std::uint64_t>(static_cast<std::uint64_t>(len) * 2, limits.max_name_length);
    return detail::utf16_to_utf8(file.clamp(*off + 2, bytes));
  }

  void walk(std::uint32_t dir_off, int level, Resource partial) {
    if (!visited.insert(dir_off).second) {
      detail::problem(anomalies, "pe.resource_loop", Severity::medium, dir_off,
                      "a resource directory is reached twice (a loop or shared subtree)");
      return;
    }
    auto off = rva_to_offset(pe, file.size(), static_cast<std::uint64_t>(base_rva) + dir_off);
    if (!off || !file.contains(*off, kResourceDirectorySize)) {
      detail::problem(anomalies, "pe.resource_tree_invalid", Severity::low, dir_off, "a resource directory lies outside the file");
      return;
    }
    // value_or: in bounds, file.contains(*off, 16) was checked above.
    const std::uint32_t count = static_cast<std::uint32_t>(load_le<std::uint16_t>(file, *off + 12).value_or(0)) +
                                load_le<std::uint16_t>(file, *off + 14).value_or(0);
    for (std::uint32_t i = 0; i < count; ++i) {
      if (entries >= limits.max_children) {
        if (!capped) {
          detail::problem(anomalies, "pe.resource_tree_invalid", Severity::low, *off,
                          "more resource entries than the cap; the rest are not listed");
        }
        capped = true;
        return;
      }
      ++entries;
      const std::uint64_t e = *off + kResourceDirectorySize + static_cast<std::uint64_t>(i) * kResourceEntrySize;
      auto name = load_le<std::uint32_t>(file, e);
      auto target = load_le<std::uint32_t>(file, e + 4);
      if (!name || !target) {
        detail::problem(anomalies, "pe.resource_tree_invalid", Severity::low, e, "resource directory entries run past the end");
        return;
      }
      Resource r = partial;
      if (level == 0) {
        r.type_named = (*name & kResourceSubdirFlag) != 0;
        r.type_id = r.type_named ? 0 : *name;
        r.type = r.type_named ? entry_name(*name) : type_name(*name);
      } else if (level == 1) {
        r.name = entry_name(*name);
      } else {
        r.lang = (*name & kResourceSubdirFlag) ? 0 : *name;
      }
      const bool subdir = (*target & kResourceSubdirFlag) != 0;
      if (level < 2) {
        if (!subdir) {
          detail::problem(anomalies, "pe.resource_tree_invalid", Severity::low, e, "a data entry above the language level");
          continue;
        }
        walk(*target & ~kResourceSubdirFlag, level + 1, std::move(r));
        continue;
      }
      if (subdir) {
        detail::problem(anomalies, "pe.resource_tree_invalid", Severity::low, e,
                        "the resource tree goes deeper than type/name/language");
        continue;
      }
      auto data = rva_to_offset(pe, file.size(), static_cast<std::uint64_t>(base_rva) + *target);
      if (!data || !file.contains(*data, kResourceDataEntrySize)) {
        detail::problem(anomalies, "pe.resource_tree_invalid", Severity::low, e, "a resource data entry lies outside the file");
        continue;
      }
      // value_or: in bounds, file.contains(*data, 16) was checked above.
      r.rva = load_le<std::uint32_t>(file, *data).value_or(0);
      r.size = load_le<std::uint32_t>(file, *data + 4).value_or(0);
      if (auto at = rva_to_offset(pe, file.size(), r.rva); at && file.contains(*at, r.size)) {
        r.file_offset = *at;
        r.in_file = true;
      } else if (r.size != 0) {
        detail::problem(anomalies, "pe.resource_tree_invalid", Severity::low, *data,
                        "resource " + r.type + "/" + r.name + " points past the end of the file");
      }
      pe.resources.push_back(std::move(r));
    }
  }
};

// One node of the VERSIONINFO tree: WORD wLength, wValueLength, wType, then a
// NUL-terminated UTF-16 key, padding to 32 bits, the value, padding, children.
struct VNode {
  std::string key;
  ByteView value;              // from the aligned value start to the node end
  std::uint64_t children_at = 0;  // block offsets, so alignment stays block-relative
  std::uint64_t end = 0;
};

std::uint64_t align4(std::uint64_t v) { return (v + 3) & ~std::uint64_t{3}; }

std::optional<VNode> version_node(ByteView block, std::uint64_t at, std::uint64_t limit) {
  // value_or(0): a header cut short reads length 0, refused just below.
  const std::uint16_t length = load_le<std::uint16_t>(block, at).value_or(0);
  const std::uint16_t value_length = load_le<std::uint16_t>(block, at + 2).value_or(0);
  const std::uint16_t type = load_le<std::uint16_t>(block, at + 4).value_or(0);
  if (length < 6 || !block.contains(at, length) || at + length > limit) return std::nullopt;
  const ByteView node = block.clamp(at, length);
  std::uint64_t p = 6;
  // value_or: in bounds, p + 2 <= size is the loop's own guard.
  while (p + 2 <= node.size() && load_le<std::uint16_t>(node, p).value_or(0) != 0) p += 2;
  VNode v;
  v.key = detail::utf16_to_utf8(node.clamp(6, p - 6));
  // Padding aligns to 32 bits from the start of the block (itself 32-bit aligned).
  const std::uint64_t value_at = align4(at + p + 2);
  v.value = block.clamp(value_at, value_at < at + length ? at + length - value_at : 0);
  const std::uint64_t value_bytes = type == 1 ? static_cast<std::uint64_t>(value_length) * 2 : value_length;
  v.children_at = align4(value_at + value_bytes);
  v.end = at + length;
  return v;
}

template <class F>
void for_each_child(ByteView block, const VNode& parent, F&& f) {
  for (std::uint64_t at = parent.children_at; at + 6 <= parent.end;) {
    auto child = version_node(block, at, parent.end);
    if (!child) return;
    f(*child);
    at = align4(child->end);  // strictly increasing: length >= 6
  }
}

void parse_version(PeImage& pe, ByteView block, const Limits& limits) {
  auto root = version_node(block, 0, block.size());
  if (!root || root->key != "VS_VERSION_INFO") return;
  std::uint32_t budget = limits.max_children;
  for_each_child(block, *root, [&](const VNode& info) {
    if (info.key != "StringFileInfo") return;
    for_each_child(block, info, [&](const VNode& table) {
      for_each_child(block, table, [&](const VNode& str) {
        if (budget == 0) return;
        --budget;
        std::uint64_t len = 0;
        // value_or: in bounds, len + 2 <= size is the loop's own guard.
        while (len + 2 <= str.value.size() && load_le<std::uint16_t>(str.value, len).value_or(0) != 0) len += 2;
        len = std::min<std::uint64_t>(len, limits.max_name_length);
        pe.version_strings.emplace_back(str.key, detail::utf16_to_utf8(str.value.clamp(0, len)));
      });
    });
  });
}

void parse_manifest(PeImage& pe, ByteView xml) {
  const std::string_view text = xml.chars();
  const auto at = text.find("requestedExecutionLevel");
  if (at == std::string_view::npos) return;
  const auto lv = text.find("level=", at);
  if (lv == std::string_view::npos || lv + 7 > text.size()) return;
  const char quote = text[lv + 6];
  if (quote != '"' && quote != '\'') return;
  const auto end = text.find(quote, lv + 7);
  if (end == std::string_view::npos || end - (lv + 7) > 64) return;
  pe.execution_level = std::string(text.substr(lv + 7, end - (lv + 7)));
}

}  // namespace

namespace detail {

void parse_resources(Parsed<PeImage>& out, ByteView file, const Limits& limits) {
  PeImage& pe = out.model;
  const DataDirectory& dir = pe.directories[kDirResource];
  if (dir.rva == 0) return;
  Walker w{pe, out.anomalies, file, limits, dir.rva, {}, 0, false};
  w.walk(0, 0, Resource{});
  for (const Resource& r : pe.resources) {
    if (!r.in_file) continue;
    const ByteView data = file.clamp(r.file_offset, r.size);
    if (!r.type_named && r.type_id == kRtVersion && pe.version_strings.empty()) parse_version(pe, data, limits);
    if (!r.type_named && r.type_id == kRtManifest && pe.execution_level.empty()) parse_manifest(pe, data);
  }
}

}  // namespace detail
}  // namespace sluice::formats::pe
