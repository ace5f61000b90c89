#include "formats/partition/parser.hpp"

#include <zlib.h>

#include <algorithm>
#include <set>

#include "core/checked.hpp"
#include "core/reader.hpp"
#include "core/text.hpp"
#include "formats/partition/layout.hpp"

namespace sluice::formats::partition {
namespace {

using core::load_le;

std::uint32_t crc32_of(ByteView b) {
  // zlib's crc32 takes a uInt length; every caller passes at most 1 MiB.
  return static_cast<std::uint32_t>(crc32(0L, b.data(), static_cast<uInt>(b.size())));
}

bool is_extended(std::uint8_t type) {
  return type == kTypeExtendedChs || type == kTypeExtendedLba || type == kTypeExtendedLinux;
}

std::string utf16le_to_utf8(ByteView b) {
  return core::utf16_to_utf8(b, std::endian::little, core::Utf16Stop::at_nul);
}

struct RawEntry {
  std::uint8_t status = 0;
  std::uint8_t type = 0;
  std::uint32_t lba = 0;
  std::uint32_t count = 0;
};

RawEntry read_entry(ByteView sector, std::uint64_t i) {
  const std::uint64_t e = kMbrTableOffset + i * kMbrEntrySize;
  // value_or: in bounds, callers pass a whole 512-byte sector whose 55 AA
  // signature (at 510) was matched, and the four entries end at 510.
  return RawEntry{load_le<std::uint8_t>(sector, e).value_or(0),
                  load_le<std::uint8_t>(sector, e + 4).value_or(0),
                  load_le<std::uint32_t>(sector, e + 8).value_or(0),
                  load_le<std::uint32_t>(sector, e + 12).value_or(0)};
}

// A partition's sectors against the disk: the part past the end is what a
// reader of the real (longer) disk would see and we cannot.
void check_extent(const Partition& p, std::uint64_t disk_sectors, std::uint64_t table_off,
                  std::string_view id, std::vector<Anomaly>& issues) {
  const auto end = core::checked_add(p.start_lba, p.sectors);
  if (!end || *end > disk_sectors) {
    issues.push_back({std::string(id), Severity::low, table_off,
                      "partition " + std::to_string(p.index) + " (LBA " +
                          std::to_string(p.start_lba) + " + " + std::to_string(p.sectors) +
                          ") ends past the image (" + std::to_string(disk_sectors) + " sectors)"});
  }
}

// Overlap check over partitions sorted by start: O(n log n), never pairwise.
void check_overlaps(std::vector<Partition> parts, std::string_view id, std::vector<Anomaly>& issues) {
  std::sort(parts.begin(), parts.end(),
            [](const Partition& a, const Partition& b) { return a.start_lba < b.start_lba; });
  std::uint64_t reach = 0;
  std::uint32_t reach_index = 0;
  for (const auto& p : parts) {
    if (p.sectors == 0) continue;
    if (reach_index != 0 && p.start_lba < reach) {
      issues.push_back({std::string(id), Severity::medium, 0,
                        "partitions " + std::to_string(reach_index) + " and " +
                            std::to_string(p.index) + " share sectors"});
    }
    const std::uint64_t end = core::checked_add(p.start_lba, p.sectors).value_or(UINT64_MAX);
    if (end > reach) {
      reach = end;
      reach_index = p.index;
    }
  }
}

}  // namespace

std::string guid_string(ByteView g) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  // Data1..Data3 little-endian, Data4 as stored (UEFI Appendix A).
  static constexpr std::array<int, 16> kOrder{3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
  std::string s;
  for (std::size_t i = 0; i < kOrder.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    std::uint8_t b = 0;
    (void)g.byte_at(static_cast<std::uint64_t>(kOrder[i]), b);
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 15]);
  }
  return s;
}

static Result<Parsed<PartitionTable>> parse_mbr(ByteView disk, const Limits& limits) {
  if (!disk.matches_at(kMbrSignatureOffset, "\x55\xAA")) {
    return fail(Errc::malformed, kMbrSignatureOffset, "no 55 AA boot signature");
  }
  Parsed<PartitionTable> out;
  PartitionTable& t = out.model;
  // value_or: in bounds, the signature at 510 was matched above.
  t.disk_signature = load_le<std::uint32_t>(disk, 440).value_or(0);
  const std::uint64_t disk_sectors = disk.size() / kSectorSize;
  std::vector<Partition> primaries;
  std::optional<RawEntry> extended;
  std::uint32_t extended_count = 0;
  for (std::uint64_t i = 0; i < kMbrEntries; ++i) {
    const RawEntry e = read_entry(disk, i);
    if (e.type == kTypeEmpty) continue;
    if (e.status != 0 && e.status != 0x80) {
      out.anomalies.push_back({"mbr.bad_status", Severity::low, kMbrTableOffset + i * kMbrEntrySize,
                          "entry " + std::to_string(i + 1) + " has boot flag " +
                              std::to_string(e.status) + " (only 0x00 and 0x80 are valid)"});
    }
    if (e.type == kTypeGptProtective) t.protective = true;
    if (is_extended(e.type)) {
      if (++extended_count == 1) extended = e;
      continue;
    }
    Partition p;
    p.index = static_cast<std::uint32_t>(i + 1);
    p.start_lba = e.lba;
    p.sectors = e.count;
    p.mbr_type = e.type;
    p.bootable = e.status == 0x80;
    check_extent(p, disk_sectors, kMbrTableOffset + i * kMbrEntrySize, "mbr.beyond_end", out.anomalies);
    primaries.push_back(p);
  }
  if (extended_count > 1) {
    out.anomalies.push_back({"mbr.multiple_extended", Severity::medium, kMbrTableOffset,
                        "more than one extended partition: Windows and Linux follow different ones"});
  }
  // Logical partitions: a linked list of EBRs, each entry 1 relative to this
  // EBR, entry 2 relative to the extended partition's start. A loop or a chain
  // that never ends is hostile; visited sectors and limits.partition.max_logical bound the walk.
  if (extended) {
    const std::uint64_t ext_base = extended->lba;
    std::uint64_t ebr_lba = ext_base;
    std::set<std::uint64_t> visited;
    std::uint32_t number = 5;  // Linux and Windows both number logicals from 5
    while (true) {
      if (!visited.insert(ebr_lba).second) {
        out.anomalies.push_back({"mbr.ebr_loop", Severity::medium, ebr_lba * kSectorSize,
                            "the extended-partition chain loops back to LBA " + std::to_string(ebr_lba)});
        break;
      }
      if (visited.size() > limits.partition.max_logical) {
        out.anomalies.push_back({"mbr.ebr_loop", Severity::medium, ebr_lba * kSectorSize,
                            "more than " + std::to_string(limits.partition.max_logical) + " logical partitions"});
        break;
      }
      const auto off = core::checked_mul(ebr_lba, kSectorSize);
      auto ebr = off ? disk.subview(*off, kSectorSize) : fail(Errc::out_of_bounds, 0, "");
      if (!ebr || !ebr->matches_at(kMbrSignatureOffset, "\x55\xAA")) {
        // value_or(0): an EBR LBA whose byte offset overflows is reported at 0.
        out.anomalies.push_back({"mbr.ebr_invalid", Severity::low, off.value_or(0),
                            "extended boot record at LBA " + std::to_string(ebr_lba) +
                                " is missing or has no signature"});
        break;
      }
      const RawEntry data = read_entry(*ebr, 0);
      const RawEntry next = read_entry(*ebr, 1);
      if (data.type != kTypeEmpty && data.count != 0) {
        Partition p;
        p.index = number++;
        p.start_lba = ebr_lba + data.lba;  // both < 2^33: cannot overflow
        p.sectors = data.count;
        p.mbr_type = data.type;
        p.logical = true;
        check_extent(p, disk_sectors, *off + kMbrTableOffset, "mbr.beyond_end", out.anomalies);
        primaries.push_back(p);
      }
      // A link of type extended at relative LBA 0 points back at the first EBR:
      // a loop (caught by `visited`), not the end of the chain, which fdisk and
      // Windows write as an empty entry.
      if (!is_extended(next.type)) break;
      ebr_lba = ext_base + next.lba;
      if (ebr_lba > disk_sectors + 0xFFFFFFFFull) break;
    }
  }
  check_overlaps(primaries, "mbr.overlap", out.anomalies);
  t.partitions = std::move(primaries);
  return out;
}

namespace {

struct GptHeader {
  std::uint64_t my_lba = 0;
  std::uint64_t alternate_lba = 0;
  std::uint64_t first_usable = 0;
  std::uint64_t last_usable = 0;
  std::uint64_t entries_lba = 0;
  std::uint32_t entry_count = 0;
  std::uint32_t entry_size = 0;
  std::uint32_t entries_crc = 0;
  std::string disk_guid;
  bool header_crc_ok = false;
};

Result<GptHeader> read_gpt_header(ByteView disk, std::uint64_t off, std::uint64_t ss) {
  auto sec = disk.subview(off, ss);
  if (!sec) return std::unexpected(sec.error());
  if (!sec->matches_at(kGptSignatureOffset, "EFI PART")) {
    return fail(Errc::malformed, off, "no EFI PART signature");
  }
  // value_or: in bounds here and below, the whole sector (>= 512 bytes) was
  // taken by subview above and the header's fields end before byte 92.
  const std::uint32_t hsize = load_le<std::uint32_t>(*sec, kGptHeaderSizeOffset).value_or(0);
  if (hsize < kGptMinHeaderSize || hsize > ss) {
    return fail(Errc::malformed, off + kGptHeaderSizeOffset, "GPT header size " + std::to_string(hsize));
  }
  GptHeader h;
  // The CRC covers HeaderSize bytes with the CRC field itself zeroed.
  // value_or: in bounds (the sector).
  const std::uint32_t stored = load_le<std::uint32_t>(*sec, kGptHeaderCrcOffset).value_or(0);
  const ByteView covered = sec->clamp(0, hsize);
  uLong crc = crc32(0L, covered.data(), static_cast<uInt>(kGptHeaderCrcOffset));
  static constexpr std::array<std::uint8_t, 4> kZero{};
  crc = crc32(crc, kZero.data(), 4);
  const ByteView rest = covered.tail(kGptHeaderCrcOffset + 4);
  crc = crc32(crc, rest.data(), static_cast<uInt>(rest.size()));
  h.header_crc_ok = static_cast<std::uint32_t>(crc) == stored;
  // value_or: in bounds (the sector).
  h.my_lba = load_le<std::uint64_t>(*sec, kGptMyLbaOffset).value_or(0);
  h.alternate_lba = load_le<std::uint64_t>(*sec, kGptAlternateLbaOffset).value_or(0);
  h.first_usable = load_le<std::uint64_t>(*sec, kGptFirstUsableOffset).value_or(0);
  h.last_usable = load_le<std::uint64_t>(*sec, kGptLastUsableOffset).value_or(0);
  h.entries_lba = load_le<std::uint64_t>(*sec, kGptEntriesLbaOffset).value_or(0);
  h.entry_count = load_le<std::uint32_t>(*sec, kGptEntryCountOffset).value_or(0);
  h.entry_size = load_le<std::uint32_t>(*sec, kGptEntrySizeOffset).value_or(0);
  h.entries_crc = load_le<std::uint32_t>(*sec, kGptEntriesCrcOffset).value_or(0);
  h.disk_guid = guid_string(sec->clamp(kGptDiskGuidOffset, 16));
  return h;
}

// The entry array of a header, if its geometry is sane and inside the image.
Result<ByteView> entry_array(ByteView disk, const GptHeader& h, std::uint64_t ss) {
  if (h.entry_size < kGptEntryMinSize || h.entry_size % 8 != 0) {
    return fail(Errc::malformed, 0, "GPT entry size " + std::to_string(h.entry_size));
  }
  const auto bytes = core::checked_mul(h.entry_count, h.entry_size);
  if (!bytes || *bytes > kGptMaxEntryBytes) {
    return fail(Errc::malformed, 0, "GPT entry array of " + std::to_string(h.entry_count) + " entries");
  }
  const auto off = core::checked_mul(h.entries_lba, ss);
  if (!off) return fail(Errc::out_of_bounds, 0, "GPT entry LBA overflows");
  return disk.subview(*off, *bytes);
}

}  // namespace

static Result<Parsed<PartitionTable>> parse_gpt(ByteView disk, const Limits& limits) {
  std::uint64_t ss = kSectorSize;
  if (!disk.matches_at(512, "EFI PART")) {
    if (!disk.matches_at(4096, "EFI PART")) return fail(Errc::malformed, 512, "no GPT header at LBA 1");
    ss = 4096;
  }
  auto primary = read_gpt_header(disk, ss, ss);
  if (!primary) return std::unexpected(primary.error());
  Parsed<PartitionTable> out;
  PartitionTable& t = out.model;
  t.gpt = true;
  t.sector_size = ss;
  t.disk_guid = primary->disk_guid;
  const std::uint64_t disk_sectors = disk.size() / ss;

  const auto mbr = disk.matches_at(kMbrSignatureOffset, "\x55\xAA") ? parse_mbr(disk, limits)
                                                                   : fail(Errc::malformed, 0, "");
  if (!mbr || !mbr->model.protective) {
    out.anomalies.push_back({"gpt.no_protective_mbr", Severity::low, 0,
                        "LBA 0 holds no protective MBR (type 0xEE): MBR-only tools see another disk"});
  }
  if (!primary->header_crc_ok) {
    out.anomalies.push_back({"gpt.header_crc_mismatch", Severity::medium, ss,
                        "primary GPT header CRC32 does not match; firmware falls back to the backup"});
  }
  if (primary->my_lba != 1) {
    out.anomalies.push_back({"gpt.bad_header", Severity::low, ss + kGptMyLbaOffset,
                        "primary GPT header says it lives at LBA " + std::to_string(primary->my_lba)});
  }
  auto entries = entry_array(disk, *primary, ss);
  if (!entries) return std::unexpected(entries.error());
  if (crc32_of(*entries) != primary->entries_crc) {
    out.anomalies.push_back({"gpt.entries_crc_mismatch", Severity::medium, primary->entries_lba * ss,
                        "partition entry array CRC32 does not match the header"});
  }

  // The backup header (UEFI §5.3.2: at AlternateLBA, normally the last LBA).
  // A differing backup is a second partition table a repair tool would restore.
  const auto alt_off = core::checked_mul(primary->alternate_lba, ss);
  auto backup = alt_off ? read_gpt_header(disk, *alt_off, ss) : fail(Errc::out_of_bounds, 0, "");
  if (!backup) {
    // value_or(0): an AlternateLBA whose byte offset overflows is reported at 0.
    out.anomalies.push_back({"gpt.backup_missing", Severity::low, alt_off.value_or(0),
                        "no valid backup GPT header at LBA " + std::to_string(primary->alternate_lba)});
  } else {
    auto bentries = entry_array(disk, *backup, ss);
    const bool same = backup->header_crc_ok && bentries && bentries->size() == entries->size() &&
                      std::equal(bentries->data(), bentries->data() + bentries->size(), entries->data()) &&
                      backup->disk_guid == primary->disk_guid;
    if (!same) {
      out.anomalies.push_back({"gpt.backup_mismatch", Severity::medium, *alt_off,
                          "the backup GPT (header or entries) differs from the primary"});
    }
  }

  for (std::uint32_t i = 0; i < primary->entry_count; ++i) {
    const std::uint64_t eoff = static_cast<std::uint64_t>(i) * primary->entry_size;
    const ByteView e = entries->clamp(eoff, primary->entry_size);
    bool used = false;
    for (std::uint64_t k = 0; k < 16; ++k) {
      std::uint8_t b = 0;
      if (e.byte_at(k, b) && b != 0) used = true;
    }
    if (!used) continue;
    Partition p;
    p.index = i + 1;
    p.type_guid = guid_string(e.clamp(0, 16));
    p.unique_guid = guid_string(e.clamp(16, 16));
    // value_or: in bounds, entry_size >= kGptEntryMinSize (128) was checked by
    // entry_array and the array was taken whole.
    p.start_lba = load_le<std::uint64_t>(e, 32).value_or(0);
    const std::uint64_t last = load_le<std::uint64_t>(e, 40).value_or(0);
    p.attributes = load_le<std::uint64_t>(e, 48).value_or(0);
    p.name = utf16le_to_utf8(e.clamp(kGptNameOffset, kGptNameBytes));
    if (last < p.start_lba) {
      out.anomalies.push_back({"gpt.bad_entry", Severity::low, primary->entries_lba * ss + eoff,
                          "partition " + std::to_string(p.index) + " ends before it starts"});
      continue;
    }
    p.sectors = last - p.start_lba + 1;
    if (p.start_lba < primary->first_usable || last > primary->last_usable) {
      out.anomalies.push_back({"gpt.bad_entry", Severity::low, primary->entries_lba * ss + eoff,
                          "partition " + std::to_string(p.index) + " lies outside the usable LBAs"});
    }
    check_extent(p, disk_sectors, primary->entries_lba * ss + eoff, "gpt.beyond_end", out.anomalies);
    t.partitions.push_back(std::move(p));
  }
  check_overlaps(t.partitions, "gpt.overlap", out.anomalies);
  return out;
}

Result<Parsed<PartitionTable>> parse(ByteView disk, const Limits& limits) {
  // A GPT header at LBA 1 (512- or 4096-byte sectors) is what the sniffer
  // calls a GPT disk: it is read as one, its protective MBR aside.
  if (disk.matches_at(512, "EFI PART") || disk.matches_at(4096, "EFI PART")) return parse_gpt(disk, limits);
  auto mbr = parse_mbr(disk, limits);
  if (!mbr || !mbr->model.protective) return mbr;
  // A protective MBR announces a GPT that is not there (no header at LBA 1):
  // the MBR is what is left to read.
  auto gpt = parse_gpt(disk, limits);
  if (gpt) return gpt;
  mbr->anomalies.insert(mbr->anomalies.begin(),
                        Anomaly{"gpt.bad_header", Severity::low, 512,
                                "protective MBR but no readable GPT: " + gpt.error().what});
  return mbr;
}

}  // namespace sluice::formats::partition
