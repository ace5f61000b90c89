// VHDX → one child: the virtual disk, assembled from the BAT into an owned
// buffer up to the highest present block (docs/adr/0003-virtual-disks.md),
// within decode_allowance. The engine sniffs it (MBR/GPT/FAT/NTFS) and recurses.
#include <algorithm>
#include <array>

#include "core/unpacker.hpp"
#include "formats/vhdx/layout.hpp"
#include "formats/vhdx/parser.hpp"

namespace sluice::formats::vhdx {
namespace {

bool present(std::uint64_t entry) {
  const std::uint64_t s = entry & kStateMask;
  return s == kPayloadFullyPresent || s == kPayloadPartiallyPresent;
}

class VhdxUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "vhdx"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    const ByteView file = ctx.bytes();
    auto img = parse_image(file, file.size() / 8 + 1);
    if (!img) return std::unexpected(img.error());
    ctx.meta("vhdx.creator", ctx.clean_name(img->creator));
    ctx.meta("vhdx.virtual_size", static_cast<std::int64_t>(img->virtual_size));
    ctx.meta("vhdx.block_size", static_cast<std::int64_t>(img->block_size));
    ctx.meta("vhdx.logical_sector_size", static_cast<std::int64_t>(img->logical_sector_size));
    ctx.meta("vhdx.sequence", static_cast<std::int64_t>(img->header.sequence));
    for (const auto& i : img->issues) ctx.anomaly(i.id, i.severity, i.offset, i.message);
    if (img->has_parent) {
      ctx.anomaly("vhdx.parent_missing", Severity::medium, 0,
                  "differencing disk (AVHDX): the parent is not in the message, so sectors it "
                  "provides read as zeros here");
    }

    const std::uint64_t bs = img->block_size;
    std::vector<std::uint64_t> offsets;
    std::int64_t highest = -1;
    bool bad_state = false;
    for (std::size_t i = 0; i < img->payload.size(); ++i) {
      const std::uint64_t e = img->payload[i];
      const std::uint64_t s = e & kStateMask;
      if (s == 4 || s == 5) bad_state = true;  // reserved values (§2.5.1)
      if (!present(e)) continue;
      highest = static_cast<std::int64_t>(i);
      offsets.push_back(e >> kOffsetShift);
    }
    if (bad_state) {
      ctx.anomaly("vhdx.bad_block_state", Severity::medium, img->bat_offset,
                  "BAT entries with a reserved payload block state");
    }
    std::sort(offsets.begin(), offsets.end());
    if (std::adjacent_find(offsets.begin(), offsets.end()) != offsets.end()) {
      ctx.anomaly("vhdx.bat_overlap", Severity::medium, img->bat_offset,
                  "several BAT entries point at the same file offset");
    }
    ctx.meta("vhdx.present_blocks", static_cast<std::int64_t>(offsets.size()));
    if (highest < 0) {
      ctx.emit_owned({}, "disk", {});
      return {};
    }
    bool capped = false;
    const std::uint64_t size = ctx.bounded_size(
        std::min(img->virtual_size, (static_cast<std::uint64_t>(highest) + 1) * bs), file.size(),
        "virtual disk", capped);
    std::vector<std::uint8_t> disk(static_cast<std::size_t>(size), 0);
    bool past_end = false;
    for (std::size_t i = 0; i < img->payload.size(); ++i) {
      const std::uint64_t dst = static_cast<std::uint64_t>(i) * bs;
      if (dst >= size) break;
      if (!present(img->payload[i])) continue;  // zero, unmapped, not present: reads as zeros
      if (ctx.budget().expired()) {
        ctx.limit_hit(LimitKind::deadline, "VHDX assembly interrupted");
        capped = true;
        break;
      }
      // Offsets are in MiB (bits 20-63), so this cannot overflow 64 bits.
      const std::uint64_t src_at = (img->payload[i] >> kOffsetShift) * kMiB;
      const std::uint64_t want = std::min(bs, size - dst);
      const ByteView src = file.clamp(src_at, want);
      if (src.size() < want) past_end = true;
      std::copy(src.data(), src.data() + src.size(), disk.begin() + static_cast<std::ptrdiff_t>(dst));
    }
    if (past_end) {
      ctx.anomaly("vhdx.block_out_of_range", Severity::medium, img->bat_offset,
                  "a BAT entry points past the end of the file; its sectors read as zeros");
    }
    ctx.budget().charge_decoded(disk.size());
    ctx.emit_owned(std::move(disk), "disk", {}, capped);
    return {};
  }

 private:
  static constexpr std::array kTypes{FileType::vhdx};
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<VhdxUnpacker>()); }

}  // namespace sluice::formats::vhdx
