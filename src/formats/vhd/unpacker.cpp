// VHD → one child: the virtual disk. Fixed: a view of the bytes before the
// footer. Dynamic / differencing: a sparse buffer of the full virtual size that
// only the allocated blocks' data occupies (docs/adr/0009-sparse-disks.md).
// The engine sniffs the disk (MBR/GPT/FAT/NTFS).
#include <algorithm>
#include <array>

#include "core/block_copy.hpp"
#include "core/checked.hpp"
#include "core/unpacker.hpp"
#include "formats/vhd/layout.hpp"
#include "formats/vhd/parser.hpp"
#include "meta/vhd.hpp"

namespace sluice::formats::vhd {
namespace {

class VhdUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "vhd"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    const ByteView file = ctx.bytes();
    auto parsed = parse(file, ctx.limits());
    if (!parsed) return std::unexpected(parsed.error());
    const Image* img = &parsed->model;
    const Footer& f = img->footer;
    ctx.meta(meta::vhd::disk_type, std::string(f.disk_type == kDiskFixed     ? "fixed"
                                          : f.disk_type == kDiskDynamic ? "dynamic"
                                                                        : "differencing"));
    ctx.meta(meta::vhd::virtual_size, static_cast<std::int64_t>(f.current_size));
    ctx.meta(meta::vhd::creator, ctx.clean_name(f.creator));
    for (const auto& i : parsed->anomalies) ctx.anomaly(i.id, i.severity, i.offset, i.message);

    if (!img->has_dynamic) {
      const ByteView disk = file.clamp(0, std::min(f.current_size, img->data_end));
      if (f.current_size > img->data_end) {
        ctx.anomaly("vhd.truncated", Severity::low, img->data_end,
                    "the footer announces " + std::to_string(f.current_size) + " bytes, the file holds " +
                        std::to_string(img->data_end));
      }
      ctx.emit(disk, "disk", {});
      return {};
    }
    return assemble(ctx, file, *img);
  }

 private:
  static constexpr std::array kTypes{FileType::vhd};

  static Status assemble(core::UnpackContext& ctx, ByteView file, const Image& img) {
    const Dynamic& d = img.dynamic;
    const std::uint64_t bs = d.block_size;
    ctx.meta(meta::vhd::block_size, static_cast<std::int64_t>(bs));
    const bool differencing = img.footer.disk_type == kDiskDifferencing;
    if (differencing) {
      // The parent is another file on the victim's disk; a mailed child alone
      // shows only the sectors it changed, so what we scan is incomplete.
      ctx.anomaly("vhd.parent_missing", Severity::medium, img.footer.data_offset,
                  "differencing disk: parent \"" + d.parent_name + "\" is not in the message");
      if (!d.parent_name.empty()) ctx.meta(meta::vhd::parent_name, ctx.clean_name(d.parent_name));
    }

    // Two BAT entries for one block: writes to one show up in the other.
    std::vector<std::uint32_t> sorted;
    std::int64_t highest = -1;
    for (std::size_t i = 0; i < d.bat.size(); ++i) {
      if (d.bat[i] == kBatUnused) continue;
      highest = static_cast<std::int64_t>(i);
      sorted.push_back(d.bat[i]);
    }
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
      ctx.anomaly("vhd.bat_overlap", Severity::medium, d.table_offset,
                  "several BAT entries point at the same block");
    }
    ctx.meta(meta::vhd::allocated_blocks, static_cast<std::int64_t>(sorted.size()));
    const std::uint64_t mapped_end =
        highest < 0 ? 0 : std::min(img.footer.current_size, (static_cast<std::uint64_t>(highest) + 1) * bs);
    bool capped = false;
    auto disk = ctx.reserve_sparse(img.footer.current_size, mapped_end, "virtual disk", capped);
    if (!disk) return std::unexpected(disk.error());
    core::BlockCopy copy(ctx, file.size(), "virtual disk");
    bool past_end = false;
    const std::uint64_t sectors_per_block = bs / kSectorSize;
    for (std::size_t i = 0; i < d.bat.size(); ++i) {
      const std::uint64_t dst = static_cast<std::uint64_t>(i) * bs;
      if (dst >= disk->size()) break;
      if (d.bat[i] == kBatUnused) continue;
      const std::uint64_t bitmap_at = static_cast<std::uint64_t>(d.bat[i]) * kSectorSize;
      const std::uint64_t data_at = bitmap_at + d.bitmap_bytes;
      const std::uint64_t want = std::min(bs, disk->size() - dst);
      const ByteView src = file.clamp(data_at, want);
      if (src.size() < want) past_end = true;
      const std::uint64_t allowed = copy.take(src.size());
      if (copy.stopped()) {
        // The part of this block the allowance covers is still copied (a
        // differencing block needs its bitmap, so none of it is).
        if (!differencing) (void)disk->write(dst, src.clamp(0, allowed));
        capped = true;
        break;
      }
      if (!differencing) {
        // qemu and libvhdi read an allocated dynamic block whole, whatever
        // its bitmap says; so do we.
        (void)disk->write(dst, src);  // in range: dst + want <= size
        continue;
      }
      // Runs of sectors the bitmap marks as this disk's; the rest are the
      // parent's and read as zeros here.
      const ByteView bitmap = file.clamp(bitmap_at, d.bitmap_bytes);
      std::uint64_t run = 0, run_len = 0;
      for (std::uint64_t sec = 0; sec <= sectors_per_block; ++sec) {
        std::uint8_t bits = 0;
        const bool mine = sec < sectors_per_block && sec * kSectorSize < src.size() &&
                          bitmap.byte_at(sec / 8, bits) && (bits & (0x80 >> (sec % 8))) != 0;
        if (mine) {
          if (run_len == 0) run = sec;
          ++run_len;
          continue;
        }
        if (run_len != 0) {
          (void)disk->write(dst + run * kSectorSize, src.clamp(run * kSectorSize, run_len * kSectorSize));
          run_len = 0;
        }
      }
    }
    if (past_end) {
      ctx.anomaly("vhd.block_out_of_range", Severity::medium, d.table_offset,
                  "a BAT entry points past the end of the file; its sectors read as zeros");
    }
    ctx.budget().charge_decoded(copy.copied());
    ctx.emit_sparse(std::move(*disk), "disk", {}, capped);
    return {};
  }
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<VhdUnpacker>()); }

}  // namespace sluice::formats::vhd
