// .ico / .cur attachments → icon.* meta on the file itself: the image Explorer
// shows is decoded and hashed like an executable's icon, so a document icon
// mailed on its own (a lure kit's part) is visible too. Nothing is emitted.
#include <array>
#include <memory>

#include "core/unpacker.hpp"
#include "codecs/icon/describe.hpp"
#include "codecs/icon/directory.hpp"
#include "codecs/icon/layout.hpp"
#include "meta/icon_files.hpp"

namespace sluice::formats::icon {

using codecs::icon::DirEntry;
using codecs::icon::describe_image;
using codecs::icon::kDirHeaderSize;
using codecs::icon::kGroupEntrySize;
using codecs::icon::parse_directory;
using codecs::icon::pick_entry;
namespace {

class IconUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "icon"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    const ByteView file = ctx.bytes();
    // A PE's RT_GROUP_ICON child sniffs as an icon too: the same header with
    // 14-byte entries naming RT_ICON ids and no image data (exactly 6 + 14 n
    // bytes, which no .ico file can be). Its images are the PE's siblings,
    // described by the PE unpacker (pe/icons.cpp); nothing to decode here.
    if (auto group = parse_directory(file, /*group=*/true);
        group && file.size() == kDirHeaderSize + kGroupEntrySize * group->entries.size()) {
      ctx.meta(meta::icon::group_directory, true);
      ctx.meta(meta::icon::images, static_cast<std::int64_t>(group->entries.size()));
      return {};
    }
    auto dir = parse_directory(file, /*group=*/false);
    if (!dir) {
      ctx.anomaly("icon.malformed", Severity::low, dir.error().offset, dir.error().what);
      return std::unexpected(dir.error());
    }
    ctx.meta(meta::icon::images, static_cast<std::int64_t>(dir->entries.size()));
    const auto pick = pick_entry(*dir);
    if (!pick) return {};
    const DirEntry& e = dir->entries[*pick];
    // A size that runs past the end keeps what is there: the decoder reports
    // the missing rows.
    const ByteView image = file.clamp(e.offset, e.bytes);
    if (image.size() < e.bytes) {
      ctx.anomaly("icon.malformed", Severity::low, e.offset,
                  "icon image claims " + std::to_string(e.bytes) + " bytes at offset " + std::to_string(e.offset) +
                      ", " + std::to_string(image.size()) + " are present");
    }
    if (image.empty()) return {};
    describe_image(ctx, image, e.offset);
    return {};
  }

 private:
  static constexpr std::array kTypes{FileType::ico};
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<IconUnpacker>()); }

}  // namespace sluice::formats::icon
