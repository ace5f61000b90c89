// NTFS and exFAT volumes → their files, through The Sleuth Kit reading the
// artifact's bytes in place (tsk_image.hpp). TSK is the mature peer here: it is
// what forensic examiners use on hostile images, and writing a second NTFS parser
// would add attack surface without adding coverage.
#include <array>

#include "core/unpacker.hpp"
#include "formats/ntfs/layout.hpp"
#include "formats/ntfs/parser.hpp"
#include "formats/ntfs/tsk_image.hpp"
#include "formats/ntfs/volume_walk.hpp"
#include "meta/ntfs.hpp"

namespace sluice::formats::ntfs {
namespace {

std::string ntfs_label(const TskApi& tsk, TSK_FS_INFO* fs) {
  FileHandle vol(tsk.fs_file_open_meta(fs, nullptr, kVolumeInode), FileCloser{tsk.fs_file_close});
  if (!vol) {
    tsk.error_reset();
    return {};
  }
  const TSK_FS_ATTR* a = tsk.fs_file_attr_get_type(vol.get(), TSK_FS_ATTR_TYPE_NTFS_VNAME, 0, 0);
  if (a == nullptr || !(a->flags & TSK_FS_ATTR_RES) || a->rd.buf == nullptr || a->size < 0) {
    tsk.error_reset();
    return {};
  }
  const auto n = std::min<std::uint64_t>(static_cast<std::uint64_t>(a->size), a->rd.buf_size);
  return utf16le_to_utf8(ByteView(a->rd.buf, static_cast<std::size_t>(n)));
}

class NtfsUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "ntfs"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    const bool exfat = ctx.type() == FileType::exfat;
    const std::string prefix = exfat ? "exfat" : "ntfs";
    auto loaded = tsk_.get(ctx.budget().sandboxed() ? core::LibrarySearch::loaded_only : core::LibrarySearch::files);
    if (!loaded) {
      ctx.anomaly("ntfs.unreadable", Severity::low, 0,
                  "The Sleuth Kit could not be loaded to read this " + prefix + " volume: " + loaded.error().what);
      return std::unexpected(Error{Errc::unsupported, 0, loaded.error().what});
    }
    const TskApi& tsk = **loaded;
    auto image = MemoryImage::open(ctx.bytes(), ctx.budget(), tsk);
    if (!image) return std::unexpected(image.error());
    FsHandle fs(tsk.fs_open_img((*image)->img(), 0, exfat ? TSK_FS_TYPE_EXFAT : TSK_FS_TYPE_NTFS),
                FsCloser{tsk.fs_close});
    if (!fs) {
      const std::string why = tsk_last_error(tsk);
      ctx.anomaly("ntfs.unreadable", Severity::low, 0,
                  "The Sleuth Kit could not open this " + prefix + " volume: " + ctx.clean_name(why));
      return std::unexpected(Error{Errc::malformed, 0, prefix + " volume not readable: " + why});
    }
    ctx.meta((exfat ? meta::exfat::block_size : meta::ntfs::block_size), static_cast<std::int64_t>(fs->block_size));
    std::string serial = exfat ? serial_hex(ctx.bytes(), kExfatSerialOffset, 4)
                               : serial_hex(ctx.bytes(), kNtfsSerialOffset, 8);
    if (exfat && serial.size() == 8) serial.insert(4, "-");  // as `vol` and fsstat print it
    if (!serial.empty()) ctx.meta((exfat ? meta::exfat::serial : meta::ntfs::serial), serial);
    if (!exfat) {
      if (std::string label = ntfs_label(tsk, fs.get()); !label.empty()) {
        ctx.meta(meta::ntfs::volume_label, ctx.clean_name(label));
      }
    }

    VolumeWalk walk(ctx, tsk, fs.get(), exfat);
    const bool ok = walk.run();
    if (exfat && !walk.exfat_label().empty()) {
      ctx.meta(meta::exfat::volume_label, ctx.clean_name(walk.exfat_label()));
    }
    const WalkStats& s = walk.stats();
    ctx.meta((exfat ? meta::exfat::files : meta::ntfs::files), s.files);
    ctx.meta((exfat ? meta::exfat::directories : meta::ntfs::directories), s.directories);
    if (s.streams != 0) ctx.meta(meta::ntfs::streams, s.streams);
    if (s.deleted != 0) ctx.meta((exfat ? meta::exfat::deleted_files : meta::ntfs::deleted_files), s.deleted);
    if (s.hard_links != 0) ctx.meta((exfat ? meta::exfat::hard_links : meta::ntfs::hard_links), s.hard_links);
    if (!ok) {
      ctx.anomaly("ntfs.walk_failed", Severity::medium, 0,
                  "The Sleuth Kit stopped walking the " + prefix +
                      " directory tree: " + ctx.clean_name(walk.error()) +
                      " (files past that point are not listed)");
      return std::unexpected(Error{Errc::malformed, 0, prefix + " directory walk failed: " + walk.error()});
    }
    return {};
  }

 private:
  static constexpr std::array kTypes{FileType::ntfs, FileType::exfat};

  core::LazyTable<TskApi> tsk_;  // loaded by the first volume
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<NtfsUnpacker>()); }

}  // namespace sluice::formats::ntfs
