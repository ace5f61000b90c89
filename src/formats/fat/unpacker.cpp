// FAT volume → one child per file (live, and deleted ones whose clusters are
// intact). A file in one run of clusters is a view of the image; a fragmented
// file is assembled into an owned buffer charged to the budget. Names: the one
// Windows shows first (LFN when it is valid), then the 8.3 path.
#include <array>

#include "core/unpacker.hpp"
#include "formats/fat/layout.hpp"
#include "formats/fat/parser.hpp"
#include "meta/fat.hpp"

namespace sluice::formats::fat {
namespace {

std::string_view kind_name(FatKind k) {
  switch (k) {
    case FatKind::fat12: return "FAT12";
    case FatKind::fat16: return "FAT16";
    case FatKind::fat32: return "FAT32";
  }
  return "FAT";
}

std::string serial_text(std::uint32_t s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (int shift = 28; shift >= 0; shift -= 4) {
    if (shift == 12) out.push_back('-');
    out.push_back(kHex[(s >> shift) & 15]);
  }
  return out;
}

class FatUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "fat"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    const ByteView image = ctx.bytes();
    auto parsed = parse(image, ctx.budget());
    if (!parsed) return std::unexpected(parsed.error());
    const Volume* vol = &parsed->model;
    const Geometry& g = vol->geometry;
    ctx.meta(meta::fat::type, std::string(kind_name(g.kind)));
    ctx.meta(meta::fat::oem_name, ctx.clean_name(g.oem_name));
    ctx.meta(meta::fat::serial, serial_text(g.serial));
    const std::string label = vol->label.empty() ? g.bpb_label : vol->label;
    if (!label.empty()) ctx.meta(meta::fat::volume_label, ctx.clean_name(label));
    for (const auto& i : parsed->anomalies) ctx.anomaly(i.id, i.severity, i.offset, i.message);
    if (vol->deadline_hit) ctx.limit_hit(LimitKind::deadline, "FAT directory walk interrupted");
    if (vol->entries_capped) {
      ctx.limit_hit(LimitKind::children, "FAT volume has more than " +
                                             std::to_string(ctx.limits().max_children) + " entries");
    }

    std::int64_t lost = 0;
    for (const Entry& e : vol->entries) {
      if (e.directory) continue;
      if (e.deleted && e.runs.empty()) {
        ++lost;
        continue;
      }
      if (!emit_entry(ctx, image, e)) break;
    }
    if (lost != 0) ctx.meta(meta::fat::deleted_unrecoverable, lost);

    // Bytes past the last sector the BPB claims: no driver shows them, so a
    // payload parked there is seen only by tools that carve.
    if (vol->trailing.length != 0) {
      const ByteView rest = image.clamp(vol->trailing.offset, vol->trailing.length);
      // On a sparse virtual disk the rest may be terabytes of hole: only its
      // present ranges are read.
      if (!ctx.all_zero(rest)) {
        ctx.anomaly("fat.trailing_data", Severity::medium, vol->trailing.offset,
                    std::to_string(rest.size()) + " non-zero bytes after the end of the volume");
        ctx.emit(rest, "trailing@" + std::to_string(vol->trailing.offset), {});
      }
    }
    return {};
  }

 private:
  static constexpr std::array kTypes{FileType::fat};

  static bool emit_entry(core::UnpackContext& ctx, ByteView image, const Entry& e) {
    std::vector<Name> names;
    names.push_back({e.path == e.short_path ? "fat-8.3" : "fat-lfn", ctx.clean_name(e.path)});
    if (e.path != e.short_path) names.push_back({"fat-8.3", ctx.clean_name(e.short_path)});
    if (!e.long_path.empty() && e.long_path != e.path) {
      names.push_back({"fat-lfn-ignored", ctx.clean_name(e.long_path)});
    }
    std::optional<ArtifactId> child;
    const bool short_chain = e.run_bytes < e.size;
    if (e.runs.size() <= 1) {
      const ByteView bytes = e.runs.empty() ? ByteView{} : image.clamp(e.runs[0].offset, e.runs[0].length);
      child = ctx.emit(bytes, "", std::move(names));
    } else {
      const auto allowance = ctx.budget().decode_allowance(image.size());
      std::vector<std::uint8_t> buf;
      const std::uint64_t want = std::min<std::uint64_t>(e.run_bytes, allowance.bytes);
      buf.reserve(static_cast<std::size_t>(want));
      for (const Run& r : e.runs) {
        const ByteView part = image.clamp(r.offset, std::min<std::uint64_t>(r.length, want - buf.size()));
        buf.insert(buf.end(), part.data(), part.data() + part.size());
        if (buf.size() >= want) break;
      }
      const bool capped = want < e.run_bytes;
      if (capped) ctx.limit_hit(allowance.binding, "fragmented FAT file \"" + e.path + "\" cut");
      ctx.budget().charge_decoded(buf.size());
      child = ctx.emit_owned(std::move(buf), "", std::move(names), capped || short_chain);
    }
    if (!child) return false;
    if (e.runs.size() > 1) ctx.meta_on(*child, meta::fat::fragments, static_cast<std::int64_t>(e.runs.size()));
    if (e.attributes & kAttrHidden) ctx.meta_on(*child, meta::fat::hidden, true);
    if (e.attributes & kAttrSystem) ctx.meta_on(*child, meta::fat::system, true);
    if (e.attributes & kAttrReadOnly) ctx.meta_on(*child, meta::fat::read_only, true);
    if (e.attributes & kAttrArchive) ctx.meta_on(*child, meta::fat::archive, true);
    if (e.deleted) ctx.meta_on(*child, meta::fat::deleted, true);
    ctx.meta_on(*child, meta::fat::first_cluster, static_cast<std::int64_t>(e.first_cluster));
    if (short_chain) ctx.meta_on(*child, meta::fat::declared_size, static_cast<std::int64_t>(e.size));
    return true;
  }
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<FatUnpacker>()); }

}  // namespace sluice::formats::fat
