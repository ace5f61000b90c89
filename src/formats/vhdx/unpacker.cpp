// VHDX → the virtual disk at its full virtual size, as a sparse buffer that
// only the present blocks' data occupies (docs/adr/0009). The engine sniffs it
// (MBR/GPT/FAT/NTFS) and recurses.
//
// When the header names a log (§2.3), Hyper-V and qemu replay it before they
// read anything else, so the disk the victim mounts is built from a replayed
// copy of the file (log.hpp). When that disk differs from the one the stored
// bytes describe, the stored one is a second child, "disk@stored": a reader
// that ignores the log sees it, so both are scanned (as ISO 9660 and Joliet).
#include <algorithm>
#include <array>
#include <optional>

#include "core/block_copy.hpp"
#include "core/checked.hpp"
#include "core/unpacker.hpp"
#include "formats/vhdx/layout.hpp"
#include "formats/vhdx/log.hpp"
#include "formats/vhdx/parser.hpp"
#include "meta/vhdx.hpp"

namespace sluice::formats::vhdx {
namespace {

bool present(std::uint64_t entry) {
  const std::uint64_t s = entry & kStateMask;
  return s == kPayloadFullyPresent || s == kPayloadPartiallyPresent;
}

// BAT facts reported once, for the disk the victim sees.
void report_bat(core::UnpackContext& ctx, const Image& img) {
  std::vector<std::uint64_t> offsets;
  bool bad_state = false;
  for (const std::uint64_t e : img.payload) {
    const std::uint64_t s = e & kStateMask;
    if (s == 4 || s == 5) bad_state = true;  // reserved values (§2.5.1)
    if (present(e)) offsets.push_back(e >> kOffsetShift);
  }
  if (bad_state) {
    ctx.anomaly("vhdx.bad_block_state", Severity::medium, img.bat_offset,
                "BAT entries with a reserved payload block state");
  }
  std::sort(offsets.begin(), offsets.end());
  if (std::adjacent_find(offsets.begin(), offsets.end()) != offsets.end()) {
    ctx.anomaly("vhdx.bat_overlap", Severity::medium, img.bat_offset,
                "several BAT entries point at the same file offset");
  }
  ctx.meta(meta::vhdx::present_blocks, static_cast<std::int64_t>(offsets.size()));
}

struct Assembled {
  SparseBuffer disk;
  std::uint64_t copied = 0;  // bytes copied in, to charge when the disk is kept
  bool capped = false;
  bool past_end = false;
};

// Copies the present blocks of `img`, read from `file`, into a sparse disk,
// within one BlockCopy budget; the caller charges what it keeps.
Result<Assembled> assemble(core::UnpackContext& ctx, ByteView file, const Image& img,
                           std::string_view what) {
  const std::uint64_t bs = img.block_size;
  std::uint64_t mapped_end = 0;
  for (std::size_t i = 0; i < img.payload.size(); ++i) {
    if (present(img.payload[i])) {
      mapped_end = std::min(img.virtual_size, (static_cast<std::uint64_t>(i) + 1) * bs);
    }
  }
  Assembled out;
  auto disk = ctx.reserve_sparse(img.virtual_size, mapped_end, what, out.capped);
  if (!disk) return std::unexpected(disk.error());
  out.disk = std::move(*disk);
  core::BlockCopy copy(ctx, ctx.bytes().size(), std::string(what));
  for (std::size_t i = 0; i < img.payload.size(); ++i) {
    const std::uint64_t dst = static_cast<std::uint64_t>(i) * bs;
    if (dst >= out.disk.size()) break;
    if (!present(img.payload[i])) continue;  // zero, unmapped, not present: reads as zeros
    // Offsets are in MiB (bits 20-63), so this cannot overflow 64 bits.
    const std::uint64_t src_at = (img.payload[i] >> kOffsetShift) * kMiB;
    const std::uint64_t want = std::min(bs, out.disk.size() - dst);
    const ByteView src = file.clamp(src_at, want);
    if (src.size() < want) out.past_end = true;
    // At a cut, the part of this block the allowance covers is still copied.
    (void)out.disk.write(dst, src.clamp(0, copy.take(src.size())));  // in range: dst + want <= size
    if (copy.stopped()) {
      out.capped = true;
      break;
    }
  }
  out.copied = copy.copied();
  return out;
}

// Equal content ⇔ equal size, equal present ranges (they follow the content:
// all-zero pages are never present) and equal bytes inside them.
bool same_disk(const SparseBuffer& a, const SparseBuffer& b) {
  if (a.size() != b.size()) return false;
  const auto pa = a.present();
  const auto pb = b.present();
  if (!std::equal(pa.begin(), pa.end(), pb.begin(), pb.end())) return false;
  return std::all_of(pa.begin(), pa.end(), [&](const Extent& e) {
    const ByteView x = a.view().clamp(e.offset, e.length);
    const ByteView y = b.view().clamp(e.offset, e.length);
    return std::equal(x.data(), x.data() + x.size(), y.data(), y.data() + y.size());
  });
}

std::string what_changed(const Image& stored, const Image& mounted) {
  if (stored.virtual_size != mounted.virtual_size || stored.block_size != mounted.block_size ||
      stored.logical_sector_size != mounted.logical_sector_size || stored.has_parent != mounted.has_parent) {
    return "the disk's metadata (size, block or sector size, parent)";
  }
  if (stored.payload != mounted.payload) return "the block allocation table";
  return "payload sectors";
}

// Finds and applies the active log sequence to a copy of `file` (§2.3.3).
// Nothing is replayed when the log is unusable: the spec says to ignore it.
std::optional<std::vector<std::uint8_t>> replay(core::UnpackContext& ctx, ByteView file, const Header& h) {
  const std::uint64_t at = h.offset + kHdrLogGuid;
  // §2.2.2: LogVersion 0 only; the log sits 1 MiB-aligned past the header
  // section with a 1 MiB-multiple length. qemu refuses anything else.
  auto region = file.subview(h.log_offset, h.log_length);
  if (h.log_version != 0 || h.log_offset < kLogAlign || h.log_offset % kLogAlign != 0 ||
      h.log_length % kLogAlign != 0 || !region) {
    ctx.anomaly("vhdx.log_invalid", Severity::medium, at,
                "the header's log (version " + std::to_string(h.log_version) + ", offset " +
                    std::to_string(h.log_offset) + ", length " + std::to_string(h.log_length) +
                    ") is misplaced or past the end of the file; it is ignored, qemu refuses the disk");
    return std::nullopt;
  }
  const LogScan scan = scan_log(*region, h.log_guid);
  ctx.meta(meta::vhdx::log_valid_entries, static_cast<std::int64_t>(scan.valid_entries));
  if (scan.active.empty()) {
    ctx.anomaly("vhdx.log_invalid", Severity::medium, h.log_offset,
                "LogGuid is set but the log holds no active sequence (" + scan.why_none +
                    "): it is ignored, as [MS-VHDX] 2.3.3 says");
    return std::nullopt;
  }
  for (const LogEntry& e : scan.active) {
    if (e.flushed_file_offset > file.size()) {
      ctx.anomaly("vhdx.log_invalid", Severity::medium, h.log_offset + e.offset,
                  "a log entry's FlushedFileOffset (" + std::to_string(e.flushed_file_offset) +
                      ") is past the end of the file: it was cut after the log was written. qemu "
                      "refuses it; replayed anyway");
      break;
    }
  }

  bool capped = false;
  const std::uint64_t size =
      ctx.bounded_size(replayed_size(file.size(), scan.active), file.size(), "VHDX log replay", capped);
  const ByteView keep = file.clamp(0, size);
  std::vector<std::uint8_t> out(keep.data(), keep.data() + keep.size());
  out.resize(static_cast<std::size_t>(size), 0);
  ctx.budget().charge_decoded(size);
  // Real logs rewrite a few sectors; more than twice the image plus the log
  // is a zero-descriptor bomb.
  const std::uint64_t write_cap =
      core::checked_mul_add(size, 2, h.log_length).value_or(UINT64_MAX);
  const ReplayStats st = replay_log(*region, scan.active, out, write_cap);
  if (st.clipped && !capped) {
    ctx.limit_hit(LimitKind::total_bytes,
                  "VHDX log replay stopped after writing " + std::to_string(st.written) + " bytes");
  }
  std::uint64_t descriptors = 0;
  for (const LogEntry& e : scan.active) descriptors += e.descriptors.size();
  ctx.meta(meta::vhdx::log_entries, static_cast<std::int64_t>(scan.active.size()));
  ctx.meta(meta::vhdx::log_descriptors, static_cast<std::int64_t>(descriptors));
  ctx.anomaly("vhdx.log_replayed", Severity::info, h.log_offset + scan.active.front().offset,
              "replayed " + std::to_string(scan.active.size()) + " log entries (sequence " +
                  std::to_string(scan.active.front().sequence) + " to " +
                  std::to_string(scan.active.back().sequence) + "), " + std::to_string(st.descriptors) +
                  " of " + std::to_string(descriptors) + " descriptors applied; file of " +
                  std::to_string(file.size()) + " bytes read as " + std::to_string(size));
  return out;
}

class VhdxUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "vhdx"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    const ByteView file = ctx.bytes();
    std::vector<Anomaly> header_issues;  // reported again by parse
    auto header = current_header(file, header_issues);
    if (!header) return std::unexpected(header.error());

    std::optional<std::vector<std::uint8_t>> replayed;
    if (log_in_use(*header) && header->version == 1) replayed = replay(ctx, file, *header);
    auto stored = parse(file, ctx.limits());
    std::optional<Parsed<Image>> mounted;
    if (replayed) {
      const ByteView r(replayed->data(), replayed->size());
      if (auto m = parse(r, ctx.limits())) {
        mounted = std::move(*m);
      } else {
        ctx.anomaly("vhdx.log_invalid", Severity::medium, header->log_offset,
                    "after the log is replayed the image no longer parses (" + m.error().what +
                        "): Windows cannot mount it; the stored file is scanned");
        replayed.reset();
      }
    }
    if (!mounted && !stored) return std::unexpected(stored.error());
    const Parsed<Image>& parsed = mounted ? *mounted : *stored;
    const Image& img = parsed.model;
    const ByteView source = replayed ? ByteView(replayed->data(), replayed->size()) : file;

    ctx.meta(meta::vhdx::creator, ctx.clean_name(img.creator));
    ctx.meta(meta::vhdx::virtual_size, static_cast<std::int64_t>(img.virtual_size));
    ctx.meta(meta::vhdx::block_size, static_cast<std::int64_t>(img.block_size));
    ctx.meta(meta::vhdx::logical_sector_size, static_cast<std::int64_t>(img.logical_sector_size));
    ctx.meta(meta::vhdx::sequence, static_cast<std::int64_t>(img.header.sequence));
    for (const auto& i : parsed.anomalies) ctx.anomaly(i.id, i.severity, i.offset, i.message);
    if (mounted && stored) {
      // What only the stored file shows (a region-table mismatch the log
      // repairs, say) still describes a disk some reader sees.
      for (const auto& i : stored->anomalies) {
        const bool seen = std::any_of(parsed.anomalies.begin(), parsed.anomalies.end(),
                                      [&](const Anomaly& m) { return m.id == i.id && m.offset == i.offset; });
        if (!seen) ctx.anomaly(i.id, i.severity, i.offset, "without the log: " + i.message);
      }
    }
    if (img.has_parent) {
      ctx.anomaly("vhdx.parent_missing", Severity::medium, 0,
                  "differencing disk (AVHDX): the parent is not in the message, so sectors it "
                  "provides read as zeros here");
    }
    report_bat(ctx, img);

    auto disk = assemble(ctx, source, img, "virtual disk");
    if (!disk) return std::unexpected(disk.error());
    if (disk->past_end) {
      ctx.anomaly("vhdx.block_out_of_range", Severity::medium, img.bat_offset,
                  "a BAT entry points past the end of the file; its sectors read as zeros");
    }

    // Charged before the stored view is built, so both share one allowance.
    ctx.budget().charge_decoded(disk->copied);
    std::optional<Assembled> stored_disk;
    if (mounted) stored_disk = stored_view(ctx, file, *replayed, stored, mounted->model, *disk);

    const bool capped = disk->capped;
    ctx.emit_sparse(std::move(disk->disk), "disk", {}, capped);
    if (stored_disk) {
      ctx.budget().charge_decoded(stored_disk->copied);
      const bool stored_capped = stored_disk->capped;
      ctx.emit_sparse(std::move(stored_disk->disk), "disk@stored", {}, stored_capped);
    }
    return {};
  }

 private:
  // The disk a reader that ignores the log sees, when it differs from the
  // mounted one (then also a finding); nothing when the replay changed no
  // byte the disk reads.
  static std::optional<Assembled> stored_view(core::UnpackContext& ctx, ByteView file,
                                              const std::vector<std::uint8_t>& replayed,
                                              const Result<Parsed<Image>>& stored, const Image& mounted,
                                              const Assembled& disk) {
    // Cheap first: a replay that rewrote sectors with what they already held
    // (the log of a disk closed cleanly after its last write) changes nothing.
    if (replayed.size() == file.size() && std::equal(replayed.begin(), replayed.end(), file.data())) {
      return std::nullopt;
    }
    std::string what;
    std::optional<Assembled> out;
    if (!stored) {
      what = "the stored file does not even parse without the log (" + stored.error().what + ")";
    } else {
      auto sd = assemble(ctx, file, stored->model, "stored virtual disk");
      if (sd && same_disk(sd->disk, disk.disk)) return std::nullopt;
      what = what_changed(stored->model, mounted) + " differs";
      if (sd) out = std::move(*sd);
    }
    ctx.anomaly("vhdx.log_changes_disk", Severity::high, mounted.header.log_offset,
                "replaying the log changes the disk Windows mounts: " + what +
                    ". A reader that ignores the log sees another disk; both are scanned "
                    "(disk, disk@stored)");
    return out;
  }

  static constexpr std::array kTypes{FileType::vhdx};
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<VhdxUnpacker>()); }

}  // namespace sluice::formats::vhdx
