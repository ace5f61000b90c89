#include "formats/vhdx/parser.hpp"

#include <algorithm>
#include <optional>

#include "core/checked.hpp"
#include "core/reader.hpp"
#include "formats/vhdx/crc32c.hpp"

namespace sluice::formats::vhdx {
namespace {

using core::load_le;

Guid read_guid(ByteView b, std::uint64_t off) {
  Guid g{};
  for (std::size_t i = 0; i < g.size(); ++i) (void)b.byte_at(off + i, g[i]);
  return g;
}

bool is_zero(const Guid& g) { return ByteView(g.data(), g.size()).all_zero(); }

std::optional<Header> read_header(ByteView file, std::uint64_t at) {
  auto h = file.subview(at, kHeaderSize);
  if (!h || !h->starts_with("head")) return std::nullopt;
  // value_or: in bounds here and below, the 4 KiB header was taken by subview.
  if (load_le<std::uint32_t>(*h, kHdrChecksum).value_or(0) != crc32c_skip(*h, kHdrChecksum)) {
    return std::nullopt;
  }
  Header out;
  out.offset = at;
  // value_or: in bounds (the header, above).
  out.sequence = load_le<std::uint64_t>(*h, kHdrSequence).value_or(0);
  out.log_guid = read_guid(*h, kHdrLogGuid);
  out.log_version = load_le<std::uint16_t>(*h, kHdrLogVersion).value_or(0);
  out.version = load_le<std::uint16_t>(*h, kHdrVersion).value_or(0);
  out.log_length = load_le<std::uint32_t>(*h, kHdrLogLength).value_or(0);
  out.log_offset = load_le<std::uint64_t>(*h, kHdrLogOffset).value_or(0);
  return out;
}

std::optional<ByteView> read_region_table(ByteView file, std::uint64_t at) {
  auto t = file.subview(at, kRegionTableSize);
  if (!t || !t->starts_with("regi")) return std::nullopt;
  // value_or: in bounds, the 64 KiB table was taken by subview above.
  if (load_le<std::uint32_t>(*t, kRtChecksum).value_or(0) != crc32c_skip(*t, kRtChecksum)) {
    return std::nullopt;
  }
  return *t;
}

std::string utf16le_ascii_ish(ByteView b) {
  std::string out;
  for (std::uint64_t i = 0; i + 1 < b.size(); i += 2) {
    // value_or: in bounds, i + 1 < size is the loop's guard.
    const std::uint16_t u = load_le<std::uint16_t>(b, i).value_or(0);
    if (u == 0) break;
    out.push_back(u >= 0x20 && u < 0x7F ? static_cast<char>(u) : '?');
  }
  return out;
}

struct Regions {
  std::optional<std::pair<std::uint64_t, std::uint32_t>> bat, metadata;
};

Result<Regions> parse_regions(ByteView table, Parsed<Image>& out) {
  Regions r;
  // value_or: in bounds, the table is 64 KiB (read_region_table) and holds
  // kRtMaxEntries entries after its header; count is checked against that.
  const std::uint32_t count = load_le<std::uint32_t>(table, kRtEntryCount).value_or(0);
  if (count > kRtMaxEntries) return fail(Errc::malformed, kRegion1Offset + kRtEntryCount, "region count");
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint64_t e = kRtEntries + static_cast<std::uint64_t>(i) * kRtEntrySize;
    const Guid g = read_guid(table, e);
    // value_or: in bounds (count <= kRtMaxEntries, above).
    const std::uint64_t off = load_le<std::uint64_t>(table, e + 16).value_or(0);
    const std::uint32_t len = load_le<std::uint32_t>(table, e + 24).value_or(0);
    const std::uint32_t required = load_le<std::uint32_t>(table, e + 28).value_or(0);
    if (g == kBatGuid) {
      r.bat = {off, len};
    } else if (g == kMetadataGuid) {
      r.metadata = {off, len};
    } else if (required & 1) {
      // §2.2.3.2: a reader MUST refuse a file with an unknown required
      // region, so Hyper-V will not open what a lenient parser reads.
      out.anomalies.push_back({"vhdx.unknown_region", Severity::medium, kRegion1Offset + e,
                            "a required region of unknown type: Windows refuses to open this disk"});
    }
  }
  if (!r.bat || !r.metadata) return fail(Errc::malformed, kRegion1Offset, "no BAT or metadata region");
  return r;
}

Status parse_metadata(ByteView file, std::uint64_t off, std::uint32_t len, Parsed<Image>& out) {
  Image& img = out.model;
  auto md = file.subview(off, len);
  if (!md || !md->starts_with("metadata")) return fail(Errc::malformed, off, "no metadata table");
  // value_or(0): a region shorter than its header has no entries, and the
  // required items are then reported missing below.
  const std::uint16_t count = load_le<std::uint16_t>(*md, kMdEntryCount).value_or(0);
  if (count > kMdMaxEntries) return fail(Errc::malformed, off + kMdEntryCount, "metadata entry count");
  bool have_params = false, have_size = false, have_sector = false;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint64_t e = kMdEntries + static_cast<std::uint64_t>(i) * kMdEntrySize;
    const Guid g = read_guid(*md, e);
    // value_or(0): an entry cut off by the region's end points at offset 0
    // with length 0, an empty item whose fields read as absent below.
    const std::uint32_t item_off = load_le<std::uint32_t>(*md, e + 16).value_or(0);
    const std::uint32_t item_len = load_le<std::uint32_t>(*md, e + 20).value_or(0);
    auto item = md->subview(item_off, item_len);
    if (!item) {
      out.anomalies.push_back({"vhdx.bad_metadata", Severity::medium, off + e,
                            "metadata item points outside the metadata region"});
      continue;
    }
    // value_or(0): an item shorter than its field reads 0, which the checks
    // after the loop refuse (block size, sector size, disk size).
    if (g == kFileParametersGuid) {
      img.block_size = load_le<std::uint32_t>(*item, 0).value_or(0);
      img.has_parent = (load_le<std::uint32_t>(*item, 4).value_or(0) & 2) != 0;
      have_params = true;
    } else if (g == kVirtualDiskSizeGuid) {
      // value_or(0): as above, refused after the loop.
      img.virtual_size = load_le<std::uint64_t>(*item, 0).value_or(0);
      have_size = true;
    } else if (g == kLogicalSectorSizeGuid) {
      // value_or(0): as above, refused after the loop.
      img.logical_sector_size = load_le<std::uint32_t>(*item, 0).value_or(0);
      have_sector = true;
    }
  }
  if (!have_params || !have_size || !have_sector) {
    return fail(Errc::malformed, off, "required metadata item missing");
  }
  const std::uint64_t bs = img.block_size;
  if (bs < kMinBlockSize || bs > kMaxBlockSize || (bs & (bs - 1)) != 0) {
    return fail(Errc::malformed, off, "block size " + std::to_string(bs));
  }
  if (img.logical_sector_size != 512 && img.logical_sector_size != 4096) {
    return fail(Errc::malformed, off, "logical sector size " + std::to_string(img.logical_sector_size));
  }
  // §2.6.2.4: at most 64 TiB.
  if (img.virtual_size == 0 || img.virtual_size > (64ull << 40)) {
    return fail(Errc::malformed, off, "virtual disk size " + std::to_string(img.virtual_size));
  }
  return {};
}

}  // namespace

Result<Header> current_header(ByteView file, std::vector<Anomaly>& issues) {
  if (!file.starts_with("vhdxfile")) return fail(Errc::malformed, 0, "no vhdxfile identifier");
  // §2.2.2: the header with the greater sequence number among the valid ones
  // is current. Either may be damaged after a crash; both damaged is fatal.
  const auto h1 = read_header(file, kHeader1Offset);
  const auto h2 = read_header(file, kHeader2Offset);
  if (!h1 && !h2) return fail(Errc::malformed, kHeader1Offset, "no valid VHDX header");
  if (!h1 || !h2) {
    issues.push_back({"vhdx.header_invalid", Severity::low, h1 ? kHeader2Offset : kHeader1Offset,
                      "one of the two headers is missing or fails its CRC-32C"});
  }
  if (h1 && h2 && h1->sequence == h2->sequence) {
    issues.push_back({"vhdx.header_invalid", Severity::low, kHeader1Offset,
                      "both headers carry the same sequence number; readers may pick either"});
  }
  return (h1 && (!h2 || h1->sequence >= h2->sequence)) ? *h1 : *h2;
}

bool log_in_use(const Header& h) noexcept { return !is_zero(h.log_guid) && h.log_length != 0; }

Result<Parsed<Image>> parse(ByteView file, const Limits& /*limits*/) {
  // An image cannot hold more present blocks than it has 8-byte BAT entries;
  // the disk the unpacker assembles is bounded by max_virtual_bytes there.
  const std::uint64_t max_blocks = file.size() / 8 + 1;
  Parsed<Image> out;
  Image& img = out.model;
  auto header = current_header(file, out.anomalies);
  if (!header) return std::unexpected(header.error());
  img.header = *header;
  img.creator = utf16le_ascii_ish(file.clamp(8, 512));
  if (img.header.version != 1) {
    return fail(Errc::unsupported, img.header.offset + kHdrVersion, "VHDX version " + std::to_string(img.header.version));
  }
  // §2.3: a non-zero LogGuid means log entries must be replayed before the
  // file is read; Hyper-V and qemu replay them on open. The unpacker replays
  // them too (log.hpp) and parses the result; this finding stays because a
  // mailed image with a pending log is odd in itself. qemu (block/vhdx-log.c)
  // treats a zero LogGuid or a zero LogLength as "no log"; so do we.
  if (log_in_use(img.header)) {
    out.anomalies.push_back({"vhdx.log_pending", Severity::medium, img.header.offset + kHdrLogGuid,
                          "the log holds writes that Windows applies on mount (LogGuid set)"});
  }

  auto t1 = read_region_table(file, kRegion1Offset);
  auto t2 = read_region_table(file, kRegion2Offset);
  if (!t1 && !t2) return fail(Errc::malformed, kRegion1Offset, "no valid region table");
  if (!t1 || !t2) {
    out.anomalies.push_back({"vhdx.header_invalid", Severity::low, t1 ? kRegion2Offset : kRegion1Offset,
                          "one of the two region tables is missing or fails its CRC-32C"});
  } else if (!std::equal(t1->data(), t1->data() + t1->size(), t2->data())) {
    out.anomalies.push_back({"vhdx.region_mismatch", Severity::medium, kRegion2Offset,
                          "the two region tables differ; readers that pick the other see another layout"});
  }
  auto regions = parse_regions(t1 ? *t1 : *t2, out);
  if (!regions) return std::unexpected(regions.error());
  if (auto s = parse_metadata(file, regions->metadata->first, regions->metadata->second, out); !s) {
    return std::unexpected(s.error());
  }

  // §2.5: payload entries interleave with one sector-bitmap entry after
  // every chunk_ratio of them.
  const std::uint64_t chunk_ratio =
      kSectorsPerBitmap * img.logical_sector_size / img.block_size;  // >= 16 with the checks above
  const std::uint64_t blocks = (img.virtual_size + img.block_size - 1) / img.block_size;
  img.bat_offset = regions->bat->first;
  auto bat = file.subview(regions->bat->first, regions->bat->second);
  if (!bat) return fail(Errc::truncated, regions->bat->first, "BAT region past the end of the file");
  const std::uint64_t keep = std::min(blocks, max_blocks);
  img.payload.reserve(static_cast<std::size_t>(keep));
  for (std::uint64_t i = 0; i < keep; ++i) {
    const std::uint64_t index = i + i / chunk_ratio;
    auto entry = load_le<std::uint64_t>(*bat, index * 8);
    if (!entry) {
      out.anomalies.push_back({"vhdx.bad_metadata", Severity::medium, regions->bat->first,
                            "the BAT region is too small for the virtual disk size"});
      break;
    }
    img.payload.push_back(*entry);
  }
  return out;
}

}  // namespace sluice::formats::vhdx
