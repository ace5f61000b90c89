// MBR / GPT disk → one child per partition, each a zero-copy view of its
// sectors. The engine sniffs each partition (FAT, NTFS, ...) and recurses.
// A protective MBR hands over to the GPT, as Windows does; the MBR's own
// entries are then not partitions (the 0xEE entry only reserves the disk).
#include <array>

#include "core/checked.hpp"
#include "core/unpacker.hpp"
#include "formats/partition/layout.hpp"
#include "formats/partition/parser.hpp"
#include "meta/partition.hpp"

namespace sluice::formats::partition {
namespace {

std::string hex_byte(std::uint8_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string{'0', 'x', kHex[v >> 4], kHex[v & 15]};
}

class PartitionUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "partition"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    const ByteView disk = ctx.bytes();
    auto parsed = parse(disk, ctx.limits());
    if (!parsed) return std::unexpected(parsed.error());
    const PartitionTable* table = &parsed->model;
    const std::string_view scheme = table->gpt ? "gpt" : "mbr";
    ctx.meta(meta::partition::scheme, std::string(scheme));
    if (scheme == "gpt") {
      ctx.meta(meta::gpt::disk_guid, table->disk_guid);
    } else {
      ctx.meta(meta::mbr::disk_signature, static_cast<std::int64_t>(table->disk_signature));
    }
    for (const auto& i : parsed->anomalies) ctx.anomaly(i.id, i.severity, i.offset, i.message);

    const std::uint64_t ss = table->sector_size;
    for (const auto& p : table->partitions) {
      if (ctx.budget().expired()) {
        ctx.limit_hit(LimitKind::deadline, "partition table walk interrupted");
        break;
      }
      if (p.sectors == 0) continue;
      const auto off = core::checked_mul(p.start_lba, ss);
      const auto len = core::checked_mul(p.sectors, ss);
      if (!off || !len) continue;
      // Past-the-end partitions are reported by the parser; keep what exists.
      const ByteView bytes = disk.clamp(*off, *len);
      if (bytes.empty()) continue;
      std::vector<Name> names{{std::string(scheme), "partition" + std::to_string(p.index)}};
      if (!p.name.empty()) names.push_back({"gpt-name", ctx.clean_name(p.name)});
      auto child = ctx.emit(bytes, "partition[" + std::to_string(p.index) + "]", std::move(names));
      if (!child) break;
      ctx.meta_on(*child, meta::partition::start_lba, static_cast<std::int64_t>(p.start_lba));
      ctx.meta_on(*child, meta::partition::sectors, static_cast<std::int64_t>(p.sectors));
      if (scheme == "gpt") {
        ctx.meta_on(*child, meta::gpt::type_guid, p.type_guid);
        ctx.meta_on(*child, meta::gpt::unique_guid, p.unique_guid);
        if (p.attributes != 0) ctx.meta_on(*child, meta::gpt::attributes, static_cast<std::int64_t>(p.attributes));
      } else {
        ctx.meta_on(*child, meta::mbr::type, hex_byte(p.mbr_type));
        if (p.bootable) ctx.meta_on(*child, meta::mbr::bootable, true);
        if (p.logical) ctx.meta_on(*child, meta::mbr::logical, true);
      }
    }
    return {};
  }

 private:
  static constexpr std::array kTypes{FileType::mbr, FileType::gpt};
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<PartitionUnpacker>()); }

}  // namespace sluice::formats::partition
