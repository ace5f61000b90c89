#include "formats/vhd/parser.hpp"

#include <algorithm>

#include "core/checked.hpp"
#include "core/reader.hpp"
#include "core/text.hpp"
#include "formats/vhd/layout.hpp"

namespace sluice::formats::vhd {
namespace {

using core::load_be;

// The spec's checksum: one's complement of the byte sum, skipping the field.
std::uint32_t byte_sum_checksum(ByteView b, std::uint64_t field) {
  std::uint32_t sum = 0;
  for (std::uint64_t i = 0; i < b.size(); ++i) {
    if (i >= field && i < field + 4) continue;
    std::uint8_t v = 0;
    (void)b.byte_at(i, v);
    sum += v;
  }
  return ~sum;
}

Result<Footer> read_footer(ByteView file, std::uint64_t at, std::uint64_t size) {
  auto f = file.subview(at, size);
  if (!f || !f->starts_with("conectix")) return fail(Errc::malformed, at, "no conectix footer");
  Footer out;
  out.offset = at;
  // value_or: in bounds, the whole footer was taken by subview above.
  out.data_offset = load_be<std::uint64_t>(*f, kFtDataOffset).value_or(0);
  out.current_size = load_be<std::uint64_t>(*f, kFtCurrentSize).value_or(0);
  out.disk_type = load_be<std::uint32_t>(*f, kFtDiskType).value_or(0);
  out.checksum = load_be<std::uint32_t>(*f, kFtChecksum).value_or(0);
  out.computed = byte_sum_checksum(*f, kFtChecksum);
  std::string creator;
  for (char c : f->clamp(kFtCreatorApp, 4).chars()) {
    creator.push_back(c >= 0x20 && c < 0x7F ? c : '?');
  }
  out.creator = creator;
  out.raw = f->clamp(0, kFtChecksummed);
  return out;
}

std::string utf16be_to_utf8(ByteView b) {
  return core::utf16_to_utf8(b, std::endian::big, core::Utf16Stop::at_nul);
}

Status read_dynamic(ByteView file, Parsed<Image>& out, std::uint64_t max_bat_entries) {
  Image& img = out.model;
  const std::uint64_t at = img.footer.data_offset;
  auto h = file.subview(at, kDynHeaderSize);
  if (!h || !h->starts_with("cxsparse")) {
    return fail(Errc::malformed, at, "no cxsparse dynamic header at the footer's data offset");
  }
  // value_or: in bounds here and below, the 1,024-byte header was taken by
  // subview above.
  if (load_be<std::uint32_t>(*h, kDhChecksum).value_or(0) != byte_sum_checksum(*h, kDhChecksum)) {
    out.anomalies.push_back({"vhd.checksum_mismatch", Severity::low, at + kDhChecksum,
                          "dynamic disk header checksum does not match"});
  }
  Dynamic& d = img.dynamic;
  // value_or: in bounds (the header, above).
  d.table_offset = load_be<std::uint64_t>(*h, kDhTableOffset).value_or(0);
  d.max_entries = load_be<std::uint32_t>(*h, kDhMaxTableEntries).value_or(0);
  d.block_size = load_be<std::uint32_t>(*h, kDhBlockSize).value_or(0);
  const std::uint64_t bs = d.block_size;
  if (bs < kSectorSize || (bs & (bs - 1)) != 0 || bs > kMaxBlockSize) {
    return fail(Errc::malformed, at + kDhBlockSize, "block size " + std::to_string(bs));
  }
  // One bit per sector, padded to whole sectors (spec: "Block Bitmap").
  const std::uint64_t bits = bs / kSectorSize;
  d.bitmap_bytes = ((bits + 7) / 8 + kSectorSize - 1) / kSectorSize * kSectorSize;
  const std::uint64_t needed = (img.footer.current_size + bs - 1) / bs;
  if (d.max_entries < needed) {
    out.anomalies.push_back({"vhd.size_mismatch", Severity::low, at + kDhMaxTableEntries,
                          "the BAT has " + std::to_string(d.max_entries) + " entries, the disk needs " +
                              std::to_string(needed)});
  }
  // Entries past what the disk size needs map nothing a reader would show.
  const std::uint64_t entries = std::min<std::uint64_t>({d.max_entries, needed, max_bat_entries});
  auto table = file.subview(d.table_offset, entries * 4);
  if (!table) return fail(Errc::truncated, d.table_offset, "block allocation table past the end of the file");
  d.bat.reserve(static_cast<std::size_t>(entries));
  for (std::uint64_t i = 0; i < entries; ++i) d.bat.push_back(load_be<std::uint32_t>(*table, i * 4).value_or(kBatUnused));

  if (img.footer.disk_type == kDiskDifferencing) {
    d.parent_name = utf16be_to_utf8(h->clamp(kDhParentName, kDhParentNameBytes));
    for (std::uint32_t i = 0; i < kDhLocatorCount; ++i) {
      const ByteView loc = h->clamp(kDhParentLocators + i * kDhLocatorSize, kDhLocatorSize);
      // value_or: in bounds, the locator table lies inside the header.
      const std::uint32_t code = load_be<std::uint32_t>(loc, 0).value_or(0);
      if (code == 0) continue;
      std::string s;
      for (char c : loc.clamp(0, 4).chars()) s.push_back(c >= 0x20 && c < 0x7F ? c : '?');
      d.parent_locators.push_back(s);
    }
  }
  return {};
}

}  // namespace

Result<Parsed<Image>> parse(ByteView file, const Limits& /*limits*/) {
  if (file.size() < kFooterSize) return fail(Errc::truncated, 0, "shorter than a VHD footer");
  // Each BAT entry takes 4 bytes of the file, so the file bounds the table.
  // (Not its sector count: unused entries map nothing, and a 2 TB disk
  // with a few blocks written has far more entries than sectors.) The disk
  // the unpacker assembles is bounded by max_virtual_bytes there.
  const std::uint64_t max_bat_entries = file.size() / 4 + 1;
  Parsed<Image> out;
  Image& img = out.model;
  auto tail = read_footer(file, file.size() - kFooterSize, kFooterSize);
  if (!tail) tail = read_footer(file, file.size() - kLegacyFooterSize, kLegacyFooterSize);
  auto head = read_footer(file, 0, kFooterSize);
  if (tail) {
    img.footer = *tail;
  } else if (head) {
    // Dynamic disks keep a footer copy at offset 0 (spec: "a copy of the hard
    // disk footer"); the end copy is the authoritative one, but a damaged end
    // leaves the copy as the only way in (what libvhdi and qemu do too).
    out.anomalies.push_back({"vhd.footer_missing", Severity::medium, file.size() - kFooterSize,
                          "no footer at the end of the file; using the copy at offset 0"});
    img.footer = *head;
  } else {
    return fail(Errc::malformed, file.size() - kFooterSize, "no VHD footer");
  }
  if (img.footer.checksum != img.footer.computed) {
    out.anomalies.push_back({"vhd.checksum_mismatch", Severity::low, img.footer.offset + kFtChecksum,
                          "footer checksum does not match; Windows refuses to attach such a disk"});
  }
  if (tail && head && head->offset != tail->offset) {
    const bool same = head->raw.size() == tail->raw.size() &&
                      std::equal(head->raw.data(), head->raw.data() + head->raw.size(), tail->raw.data());
    if (!same) {
      out.anomalies.push_back({"vhd.footer_mismatch", Severity::medium, 0,
                            "the footer copy at offset 0 differs from the footer at the end"});
    }
  }
  img.data_end = img.footer.offset;
  switch (img.footer.disk_type) {
    case kDiskFixed:
      return out;
    case kDiskDynamic:
    case kDiskDifferencing:
      if (auto s = read_dynamic(file, out, max_bat_entries); !s) return std::unexpected(s.error());
      img.has_dynamic = true;
      return out;
    default:
      return fail(Errc::unsupported, img.footer.offset + kFtDiskType,
                  "disk type " + std::to_string(img.footer.disk_type));
  }
}

}  // namespace sluice::formats::vhd
