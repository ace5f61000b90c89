// VHD → one child: the virtual disk. Fixed: a view of the bytes before the
// footer. Dynamic / differencing: assembled from the BAT into an owned buffer,
// only up to the highest allocated block (docs/adr/0003-virtual-disks.md),
// within decode_allowance. The engine sniffs the disk (MBR/GPT/FAT/NTFS).
#include <algorithm>
#include <array>

#include "core/checked.hpp"
#include "core/unpacker.hpp"
#include "formats/vhd/layout.hpp"
#include "formats/vhd/parser.hpp"

namespace sluice::formats::vhd {
namespace {

class VhdUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "vhd"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    const ByteView file = ctx.bytes();
    // A BAT entry maps at least one 512-byte block; more entries than the
    // file has sectors cannot all be real, so that bounds the table.
    auto img = parse_image(file, file.size() / kSectorSize + 1);
    if (!img) return std::unexpected(img.error());
    const Footer& f = img->footer;
    ctx.meta("vhd.disk_type", std::string(f.disk_type == kDiskFixed     ? "fixed"
                                          : f.disk_type == kDiskDynamic ? "dynamic"
                                                                        : "differencing"));
    ctx.meta("vhd.virtual_size", static_cast<std::int64_t>(f.current_size));
    ctx.meta("vhd.creator", ctx.clean_name(f.creator));
    for (const auto& i : img->issues) ctx.anomaly(i.id, i.severity, i.offset, i.message);

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
    ctx.meta("vhd.block_size", static_cast<std::int64_t>(bs));
    const bool differencing = img.footer.disk_type == kDiskDifferencing;
    if (differencing) {
      // The parent is another file on the victim's disk; a mailed child alone
      // shows only the sectors it changed, so what we scan is incomplete.
      ctx.anomaly("vhd.parent_missing", Severity::medium, img.footer.data_offset,
                  "differencing disk: parent \"" + d.parent_name + "\" is not in the message");
      if (!d.parent_name.empty()) ctx.meta("vhd.parent_name", ctx.clean_name(d.parent_name));
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
    ctx.meta("vhd.allocated_blocks", static_cast<std::int64_t>(sorted.size()));
    if (highest < 0) {
      ctx.emit_owned({}, "disk", {});
      return {};
    }
    const std::uint64_t mapped = (static_cast<std::uint64_t>(highest) + 1) * bs;
    bool capped = false;
    const std::uint64_t size =
        ctx.bounded_size(std::min(img.footer.current_size, mapped), file.size(), "virtual disk", capped);
    std::vector<std::uint8_t> disk(static_cast<std::size_t>(size), 0);
    bool past_end = false;
    const std::uint64_t sectors_per_block = bs / kSectorSize;
    for (std::size_t i = 0; i < d.bat.size(); ++i) {
      const std::uint64_t dst = static_cast<std::uint64_t>(i) * bs;
      if (dst >= size) break;
      if (d.bat[i] == kBatUnused) continue;
      if (ctx.budget().expired()) {
        ctx.limit_hit(LimitKind::deadline, "VHD assembly interrupted");
        capped = true;
        break;
      }
      const std::uint64_t bitmap_at = static_cast<std::uint64_t>(d.bat[i]) * kSectorSize;
      const std::uint64_t data_at = bitmap_at + d.bitmap_bytes;
      const std::uint64_t want = std::min(bs, size - dst);
      const ByteView src = file.clamp(data_at, want);
      if (src.size() < want) past_end = true;
      if (!differencing) {
        // qemu and libvhdi read an allocated dynamic block whole, whatever
        // its bitmap says; so do we.
        std::copy(src.data(), src.data() + src.size(), disk.begin() + static_cast<std::ptrdiff_t>(dst));
        continue;
      }
      const ByteView bitmap = file.clamp(bitmap_at, d.bitmap_bytes);
      for (std::uint64_t s = 0; s < sectors_per_block && s * kSectorSize < src.size(); ++s) {
        std::uint8_t bits = 0;
        if (!bitmap.byte_at(s / 8, bits) || (bits & (0x80 >> (s % 8))) == 0) continue;  // parent's sector
        const ByteView sec = src.clamp(s * kSectorSize, kSectorSize);
        std::copy(sec.data(), sec.data() + sec.size(),
                  disk.begin() + static_cast<std::ptrdiff_t>(dst + s * kSectorSize));
      }
    }
    if (past_end) {
      ctx.anomaly("vhd.block_out_of_range", Severity::medium, d.table_offset,
                  "a BAT entry points past the end of the file; its sectors read as zeros");
    }
    ctx.budget().charge_decoded(disk.size());
    ctx.emit_owned(std::move(disk), "disk", {}, capped);
    return {};
  }
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<VhdUnpacker>()); }

}  // namespace sluice::formats::vhd
