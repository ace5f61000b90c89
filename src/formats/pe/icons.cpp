// Explorer draws the first RT_GROUP_ICON in resource-directory order (named
// groups sort before numbered ones, numbers ascending: the order the walker
// records them), and within it the entry that best fits the view's size. Each
// entry names an RT_ICON resource by id; the image is a DIB or a PNG.
#include "formats/pe/icons.hpp"

#include "codecs/icon/describe.hpp"
#include "codecs/icon/directory.hpp"
#include "formats/pe/layout.hpp"
#include "meta/pe.hpp"

namespace sluice::formats::pe {

void explorer_icon(core::UnpackContext& ctx, const PeImage& pe, ByteView file) {
  const Resource* group = nullptr;
  for (const Resource& r : pe.resources) {
    if (!r.type_named && r.type_id == kRtGroupIcon && r.in_file) {
      group = &r;
      break;
    }
  }
  if (group == nullptr) return;
  auto bytes = file.subview(group->file_offset, group->size);
  if (!bytes) return;
  auto dir = codecs::icon::parse_directory(*bytes, /*group=*/true);
  if (!dir) {
    ctx.anomaly("icon.malformed", Severity::low, group->file_offset + dir.error().offset,
                "RT_GROUP_ICON " + group->name + ": " + dir.error().what);
    return;
  }
  const auto pick = codecs::icon::pick_entry(*dir);
  if (!pick) return;
  const std::string id = std::to_string(dir->entries[*pick].id);
  // The loader looks the id up in the group's language first, then any.
  const Resource* image = nullptr;
  for (const Resource& r : pe.resources) {
    if (r.type_named || r.type_id != kRtIcon || r.name != id || !r.in_file) continue;
    if (image == nullptr || (r.lang == group->lang && image->lang != group->lang)) image = &r;
  }
  if (image == nullptr) {
    ctx.anomaly("icon.malformed", Severity::low, group->file_offset,
                "RT_GROUP_ICON " + group->name + " names RT_ICON " + id + ", which is missing");
    return;
  }
  auto view = file.subview(image->file_offset, image->size);
  if (!view) return;
  ctx.meta(meta::icon::group, group->name);
  codecs::icon::describe_image(ctx, *view, image->file_offset);
}

}  // namespace sluice::formats::pe
