// Disc image → one child per distinct file extent, carrying every name each view
// gives it (UDF, Joliet, ISO 9660, Rock Ridge, El Torito, earlier sessions).
// One unpacker handles ISO 9660 and UDF so a bridge disc's views are compared.
#include <array>

#include "core/checked.hpp"
#include "core/unpacker.hpp"
#include "formats/iso9660/layout.hpp"
#include "formats/iso9660/parser.hpp"
#include "formats/iso9660/views.hpp"
#include "formats/iso9660/zisofs.hpp"
#include "meta/iso9660.hpp"

namespace sluice::formats::iso9660 {
namespace {

// Raw CD images (.bin, 2352-byte sectors) carry 16 bytes of sync/header (mode 1)
// or 24 (mode 2 form 1) before each 2048-byte payload; 0 when not raw.
std::uint64_t raw_header(ByteView b) {
  if (b.matches_at(kFirstDescriptor * kSector + 1, "CD001")) return 0;
  for (const std::uint64_t h : {16u, 24u}) {
    if (b.matches_at(kFirstDescriptor * kRawSector + h + 1, "CD001")) return h;
  }
  return 0;
}

class DiscUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "iso9660"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    const ByteView img = ctx.bytes();
    if (const std::uint64_t h = raw_header(img); h != 0) return cook(ctx, img, h);

    auto parsed = parse(img, ctx.budget());
    if (!parsed) return std::unexpected(parsed.error());
    Image& model = parsed->model;
    for (Anomaly& a : parsed->anomalies) {
      ctx.anomaly(std::move(a.id), a.severity, a.offset, std::move(a.message));
    }
    // Volume texts are the image's own words: cleaned as names are, and an
    // empty one is no fact. Numbers are recorded as they are.
    for (Meta& m : model.meta) {
      if (auto* text = std::get_if<std::string>(&m.value)) {
        if (text->empty()) continue;
        *text = ctx.clean_name(*text);
      }
      ctx.record(std::move(m));
    }
    if (!model.iso && !model.udf) {
      return fail(Errc::malformed, kFirstDescriptor * kSector,
                  "no ISO 9660 primary volume descriptor and no readable UDF volume");
    }
    if (model.limit_reached) {
      ctx.limit_hit(LimitKind::children, "disc image lists more entries than the artifact limit");
    }
    if (model.deadline) ctx.limit_hit(LimitKind::deadline, "disc image directory walk interrupted");

    std::vector<MergedFile> files = merge_views(model.views, img.size());
    for (MergedFile& f : files) {
      if (ctx.budget().expired()) {
        ctx.limit_hit(LimitKind::deadline, "disc image members not all emitted");
        break;
      }
      if (!emit_file(ctx, img, f)) break;
    }
    return {};
  }

 private:
  static constexpr std::array kTypes{FileType::iso9660, FileType::udf};

  static bool contiguous(const MergedFile& f) {
    for (std::size_t i = 0; i < f.extents.size(); ++i) {
      if (f.extents[i].sparse) return false;
      if (i > 0 && core::checked_add(f.extents[i - 1].offset, f.extents[i - 1].length) !=
                       std::optional<std::uint64_t>{f.extents[i].offset}) {
        return false;
      }
    }
    return true;
  }

  static bool emit_file(core::UnpackContext& ctx, ByteView img, MergedFile& f) {
    std::vector<Name> names;
    for (const Name& n : f.names) names.push_back(Name{n.view, ctx.clean_name(n.value)});
    std::optional<ArtifactId> child;
    if (f.zisofs && f.size > 0 && contiguous(f)) {
      child = emit_zisofs(ctx, img.clamp(f.extents.front().offset, f.size), f, names);
    } else if (f.extents.empty() || contiguous(f)) {
      const std::uint64_t at = f.extents.empty() ? 0 : f.extents.front().offset;
      const ByteView bytes = f.size == 0 ? ByteView{} : img.clamp(at, f.size);
      child = ctx.emit(bytes, "", std::move(names));
      // A clamped view is a prefix: the extent_past_end anomaly says why.
    } else {
      // Split multi-extent files and UDF files with sparse extents are decoded
      // into one buffer, charged to the scan's budget like any decoder output.
      const auto allowance = ctx.budget().decode_allowance(f.size);
      std::vector<std::uint8_t> buf;
      bool truncated = false;
      for (const Extent& e : f.extents) {
        const std::uint64_t room = allowance.bytes - std::min<std::uint64_t>(allowance.bytes, buf.size());
        const std::uint64_t want = std::min(e.length, room);
        if (e.sparse) {
          buf.resize(buf.size() + want, 0);
        } else {
          const ByteView part = img.clamp(e.offset, want);
          buf.insert(buf.end(), part.data(), part.data() + part.size());
        }
        if (want < e.length) {
          ctx.limit_hit(allowance.binding, "disc image file of " + std::to_string(f.size) +
                                               " bytes cut at " + std::to_string(buf.size()));
          truncated = true;
          break;
        }
      }
      ctx.budget().charge_decoded(buf.size());
      child = ctx.emit_owned(std::move(buf), "", std::move(names), truncated);
    }
    if (!child) return false;
    for (Meta& m : f.meta) {
      if (auto* text = std::get_if<std::string>(&m.value)) *text = ctx.clean_name(*text);
      ctx.record_on(*child, std::move(m));
    }
    if (f.hidden) {
      ctx.anomaly_on(*child, "iso.hidden_file", Severity::medium, f.record_offset,
                     "the ISO 9660 hidden (existence) flag is set: Explorer does not list it");
    }
    for (Anomaly& a : f.issues.list) {
      ctx.anomaly_on(*child, std::move(a.id), a.severity, a.offset, std::move(a.message));
    }
    return true;
  }

  // RRIP ZF: Rock Ridge readers (Linux, bsdtar) see the inflated file, so that
  // is the child; the stored extent stays described by meta. A stream that is
  // not zisofs after all is emitted as stored, with the anomaly saying why.
  static std::optional<ArtifactId> emit_zisofs(core::UnpackContext& ctx, ByteView stored,
                                               const MergedFile& f, std::vector<Name>& names) {
    bool capped = false;
    const std::uint64_t cap = ctx.bounded_size(f.zisofs->size, stored.size(), "zisofs file", capped);
    ZisofsOutcome z = zisofs_decode(stored, f.zisofs->size, cap, ctx.budget());
    std::optional<ArtifactId> child;
    if (!z.header_ok) {
      child = ctx.emit(stored, "", std::move(names));
    } else {
      ctx.budget().charge_decoded(z.data.size());
      if (z.deadline) ctx.limit_hit(LimitKind::deadline, "zisofs file not fully inflated");
      const bool cut = capped || z.capped || z.deadline || !z.problem.empty();
      child = ctx.emit_owned(std::move(z.data), "zisofs", std::move(names), cut);
    }
    if (!child) return child;
    ctx.meta_on(*child, meta::iso::zisofs_stored_size, static_cast<std::int64_t>(stored.size()));
    ctx.meta_on(*child, meta::iso::zisofs_offset, static_cast<std::int64_t>(f.extents.front().offset));
    if (z.block_size != 0) {
      ctx.meta_on(*child, meta::iso::zisofs_block_size, static_cast<std::int64_t>(z.block_size));
    }
    if (!z.header_ok && z.problem.empty()) {
      z.problem = "the Rock Ridge ZF entry names a file without the zisofs magic";
    }
    if (!z.problem.empty()) {
      ctx.anomaly_on(*child, "iso.zisofs_corrupt", Severity::medium, f.extents.front().offset,
                     z.problem);
    }
    return child;
  }

  // A raw-sector image becomes its 2048-byte "cooked" form, a child the engine
  // sniffs and unpacks like any ISO (the file views then point into it).
  static Status cook(core::UnpackContext& ctx, ByteView img, std::uint64_t header) {
    ctx.anomaly("iso.raw_sectors", Severity::info, kFirstDescriptor * kRawSector,
                "raw " + std::to_string(kRawSector) + "-byte sectors (mode " +
                    (header == 16 ? "1" : "2 form 1") + "); the 2048-byte payloads are read");
    const std::uint64_t sectors = img.size() / kRawSector;
    const auto allowance = ctx.budget().decode_allowance(img.size());
    std::vector<std::uint8_t> buf;
    bool truncated = false;
    for (std::uint64_t s = 0; s < sectors; ++s) {
      if (buf.size() + kSector > allowance.bytes) {
        ctx.limit_hit(allowance.binding, "raw disc image cut at " + std::to_string(buf.size()));
        truncated = true;
        break;
      }
      const ByteView payload = img.clamp(s * kRawSector + header, kSector);
      buf.insert(buf.end(), payload.data(), payload.data() + payload.size());
    }
    ctx.budget().charge_decoded(buf.size());
    ctx.emit_owned(std::move(buf), "cooked", {Name{"raw", ctx.clean_name(ctx.name() + ".iso")}},
                   truncated);
    return {};
  }
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<DiscUnpacker>()); }

}  // namespace sluice::formats::iso9660
