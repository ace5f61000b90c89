#include "codecs/cfb/cfb.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <unordered_set>

#include "core/checked.hpp"
#include "core/reader.hpp"
#include "core/text.hpp"
#include "codecs/cfb/layout.hpp"

namespace sluice::codecs::cfb {
namespace {

std::uint32_t u32_at(ByteView b, std::uint64_t off) { return core::load_le<std::uint32_t>(b, off).value_or(kFreeSect); }

}  // namespace

std::vector<std::uint32_t> CompoundFile::chain(const std::vector<std::uint32_t>& table, std::uint32_t start,
                                               std::uint64_t max_steps, const char* what,
                                               std::vector<Anomaly>& issues) const {
  std::vector<std::uint32_t> out;
  // Visited set: a bitmap over the table for long walks, a hash set for short
  // ones, so thousands of small streams in a large file cost their own length,
  // not the table's size each.
  const bool small = max_steps < table.size() / 64;
  std::vector<bool> seen(small ? 0 : table.size(), false);
  std::unordered_set<std::uint32_t> seen_small;
  std::uint32_t cur = start;
  // At most one step per table entry: the walk ends even on a hostile table.
  while (cur != kEndOfChain && out.size() < max_steps) {
    if (cur >= table.size()) {
      if (cur != kFreeSect) {
        issues.push_back({"cfb.chain_invalid", Severity::medium, 0,
                          std::string(what) + " chain points at sector " + std::to_string(cur) +
                              " past the end of its table"});
      }
      break;
    }
    const bool again = small ? !seen_small.insert(cur).second : seen[cur];
    if (again) {
      issues.push_back({"cfb.chain_cycle", Severity::medium, 0,
                        std::string(what) + " chain loops back to sector " + std::to_string(cur)});
      break;
    }
    if (!small) seen[cur] = true;
    out.push_back(cur);
    cur = table[cur];
  }
  return out;
}

std::vector<std::uint32_t> CompoundFile::read_table(const std::vector<std::uint32_t>& sectors) const {
  std::vector<std::uint32_t> table;
  const std::uint64_t per = sector_size_ / 4;
  table.reserve(sectors.size() * per);
  for (std::uint32_t s : sectors) {
    const std::uint64_t base = sector_offset(s);
    for (std::uint64_t i = 0; i < per; ++i) table.push_back(u32_at(bytes_, base + i * 4));
  }
  return table;
}

Result<CompoundFile> CompoundFile::parse(ByteView bytes, std::vector<Anomaly>& issues) {
  if (!bytes.starts_with(kCfbSignature)) return fail(Errc::malformed, 0, "no compound file signature");
  if (bytes.size() < kCfbHeaderSize) return fail(Errc::truncated, 0, "compound file header cut short");
  CompoundFile f;
  f.bytes_ = bytes;
  // value_or: in bounds, the 512-byte header was checked above.
  const auto major = core::load_le<std::uint16_t>(bytes, kOffMajorVersion).value_or(0);
  const auto shift = core::load_le<std::uint16_t>(bytes, kOffSectorShift).value_or(0);
  const auto mini_shift = core::load_le<std::uint16_t>(bytes, kOffMiniSectorShift).value_or(0);
  if (shift != 9 && shift != 12) return fail(Errc::malformed, kOffSectorShift, "sector shift " + std::to_string(shift));
  if ((major == 3 && shift != 9) || (major == 4 && shift != 12) || mini_shift != 6) {
    issues.push_back({"cfb.header_malformed", Severity::low, kOffMajorVersion,
                      "version " + std::to_string(major) + " with sector shift " + std::to_string(shift) +
                          " and mini sector shift " + std::to_string(mini_shift)});
  }
  f.shift_ = shift;
  f.sector_size_ = 1ull << shift;
  // The mini sector size is fixed at 64 by MS-CFB; readers ignore other values.
  f.mini_size_ = 64;
  f.mini_cutoff_ = u32_at(bytes, kOffMiniCutoff);
  if (f.mini_cutoff_ != 4096) {
    issues.push_back({"cfb.header_malformed", Severity::low, kOffMiniCutoff,
                      "mini stream cutoff " + std::to_string(f.mini_cutoff_)});
  }
  // Sectors that start inside the file (a last partial sector is kept).
  f.sectors_in_file_ = (bytes.size() - 1) / f.sector_size_;  // minus the header sector

  // FAT sector list: 109 in the header, then the DIFAT chain.
  const std::uint32_t fat_count = u32_at(bytes, kOffFatSectors);
  if (fat_count > f.sectors_in_file_) {
    issues.push_back({"cfb.header_malformed", Severity::medium, kOffFatSectors,
                      std::to_string(fat_count) + " FAT sectors in a file of " +
                          std::to_string(f.sectors_in_file_) + " sectors"});
  }
  std::vector<std::uint32_t> fat_sectors;
  auto take_fat = [&](std::uint32_t s) {
    if (s < f.sectors_in_file_ && fat_sectors.size() < f.sectors_in_file_) fat_sectors.push_back(s);
  };
  for (std::uint32_t i = 0; i < kHeaderDifatEntries; ++i) {
    const std::uint32_t s = u32_at(bytes, kOffDifat + 4ull * i);
    if (s <= kMaxRegSect) take_fat(s);
  }
  std::uint32_t difat = u32_at(bytes, kOffFirstDifat);
  std::vector<bool> difat_seen(f.sectors_in_file_, false);
  const std::uint64_t per = f.sector_size_ / 4;
  while (difat <= kMaxRegSect) {
    if (difat >= f.sectors_in_file_) {
      issues.push_back({"cfb.chain_invalid", Severity::medium, kOffFirstDifat,
                        "DIFAT sector " + std::to_string(difat) + " past the end of the file"});
      break;
    }
    if (difat_seen[difat]) {
      issues.push_back({"cfb.chain_cycle", Severity::medium, kOffFirstDifat, "DIFAT chain loops"});
      break;
    }
    difat_seen[difat] = true;
    const std::uint64_t base = f.sector_offset(difat);
    for (std::uint64_t i = 0; i + 1 < per; ++i) {
      const std::uint32_t s = u32_at(bytes, base + i * 4);
      if (s <= kMaxRegSect) take_fat(s);
    }
    difat = u32_at(bytes, base + (per - 1) * 4);
  }
  f.fat_ = f.read_table(fat_sectors);
  // Entries past the file's sectors can never be read: cut them so every chain
  // walk is bounded by the file, not by a lying FAT.
  if (f.fat_.size() > f.sectors_in_file_) f.fat_.resize(f.sectors_in_file_);

  // Directory.
  const auto dir_sectors = f.chain(f.fat_, u32_at(bytes, kOffFirstDirSector), f.fat_.size(), "directory", issues);
  const std::uint64_t per_sector = f.sector_size_ / kDirEntrySize;
  for (std::uint32_t s : dir_sectors) {
    for (std::uint64_t i = 0; i < per_sector; ++i) {
      const std::uint64_t at = f.sector_offset(s) + i * kDirEntrySize;
      const ByteView e = bytes.clamp(at, kDirEntrySize);
      if (e.size() < kDirEntrySize) break;
      DirEntry d;
      // value_or: in bounds here and below, `e` is a whole 128-byte entry.
      const auto name_len = core::load_le<std::uint16_t>(e, kDirNameLen).value_or(0);
      const std::uint64_t nbytes = std::min<std::uint64_t>(name_len, kDirNameLen);
      d.name = core::utf16_to_utf8(e.clamp(0, nbytes), std::endian::little, core::Utf16Stop::at_nul);
      d.type = e.byte_at(kDirType, d.type) ? d.type : 0;
      d.left = u32_at(e, kDirLeft);
      d.right = u32_at(e, kDirRight);
      d.child = u32_at(e, kDirChild);
      d.start = u32_at(e, kDirStart);
      d.size = core::load_le<std::uint64_t>(e, kDirSize).value_or(0);  // value_or: in bounds, as above
      // Version 3 files may leave garbage in the high half (MS-CFB 2.6.3).
      if (shift == 9) d.size &= 0xFFFFFFFFull;
      f.entries_.push_back(std::move(d));
    }
  }
  if (f.entries_.empty() || f.entries_[0].type != kTypeRoot) {
    return fail(Errc::malformed, kOffFirstDirSector, "no root directory entry");
  }
  f.dir_seen_.assign(f.entries_.size(), false);
  f.dir_seen_[0] = true;
  f.claimed_.assign(f.fat_.size(), false);

  // Mini FAT and the mini stream container (the root entry's stream).
  const auto minifat_sectors =
      f.chain(f.fat_, u32_at(bytes, kOffFirstMiniFat), f.fat_.size(), "mini FAT", issues);
  f.minifat_ = f.read_table(minifat_sectors);
  f.ministream_ = f.chain(f.fat_, f.entries_[0].start, f.fat_.size(), "mini stream", issues);
  const std::uint64_t mini_capacity = f.ministream_.size() * (f.sector_size_ / f.mini_size_);
  if (f.minifat_.size() > mini_capacity) f.minifat_.resize(mini_capacity);
  f.mini_claimed_.assign(f.minifat_.size(), false);
  for (std::uint32_t s : dir_sectors) f.claimed_[s] = true;
  for (std::uint32_t s : minifat_sectors) f.claimed_[s] = true;
  for (std::uint32_t s : f.ministream_) f.claimed_[s] = true;
  return f;
}

std::vector<std::uint32_t> CompoundFile::children(std::uint32_t storage, std::vector<Anomaly>& issues) {
  std::vector<std::uint32_t> out;
  if (storage >= entries_.size()) return out;
  if (const auto it = expanded_.find(storage); it != expanded_.end()) return it->second;
  // In-order walk of the red-black tree with an explicit stack; every entry is
  // pushed at most once over the whole file (dir_seen_), so the stack and the
  // loop are bounded by the directory size.
  std::vector<std::uint32_t> stack;
  auto push = [&](std::uint32_t id) {
    if (id == kNoStream) return;
    if (id >= entries_.size()) {
      issues.push_back({"cfb.directory_invalid", Severity::medium, 0,
                        "directory link to entry " + std::to_string(id) + " of " + std::to_string(entries_.size())});
      return;
    }
    if (dir_seen_[id]) {
      issues.push_back({"cfb.directory_cycle", Severity::medium, 0,
                        "directory entry " + std::to_string(id) + " is reached twice"});
      return;
    }
    dir_seen_[id] = true;
    stack.push_back(id);
  };
  push(entries_[storage].child);
  while (!stack.empty()) {
    const std::uint32_t id = stack.back();
    stack.pop_back();
    out.push_back(id);
    push(entries_[id].right);
    push(entries_[id].left);
  }
  // The tree's order is by name length then name; callers want a stable order.
  std::sort(out.begin(), out.end(), [&](std::uint32_t a, std::uint32_t b) { return entries_[a].name < entries_[b].name; });
  expanded_[storage] = out;
  return out;
}

StreamBytes CompoundFile::read(std::uint32_t entry, std::uint64_t max_bytes, std::vector<Anomaly>& issues) {
  StreamBytes sb;
  if (entry >= entries_.size()) return sb;
  const DirEntry& d = entries_[entry];
  const std::uint64_t want = std::min(d.size, max_bytes);
  std::vector<Extent> extents;
  std::uint64_t got = 0;
  const bool mini = d.size < mini_cutoff_;
  const std::uint64_t unit = mini ? mini_size_ : sector_size_;
  const auto sectors = chain(mini ? minifat_ : fat_, d.start, (want + unit - 1) / unit, d.name.c_str(), issues);
  std::vector<bool>& claims = mini ? mini_claimed_ : claimed_;
  bool crossed = false;
  for (std::uint32_t s : sectors) {
    if (got >= want) break;
    if (claims[s] && !crossed) {
      crossed = true;
      issues.push_back({"cfb.cross_linked", Severity::medium, 0,
                        "stream \"" + d.name + "\" shares sector " + std::to_string(s) + " with another"});
    }
    claims[s] = true;
    std::uint64_t off = 0;
    if (mini) {
      const std::uint64_t pos = static_cast<std::uint64_t>(s) * mini_size_;
      const std::uint64_t container = pos / sector_size_;
      if (container >= ministream_.size()) break;
      off = sector_offset(ministream_[container]) + pos % sector_size_;
    } else {
      off = sector_offset(s);
    }
    const std::uint64_t need = std::min(unit, want - got);
    const ByteView piece = bytes_.clamp(off, need);
    if (piece.empty()) break;
    if (!extents.empty() && extents.back().offset + extents.back().length == off) {
      extents.back().length += piece.size();
    } else {
      extents.push_back({off, piece.size()});
    }
    got += piece.size();
    if (piece.size() < need) break;  // the file ends mid-sector
  }
  if (got < want) {
    sb.short_chain = true;
    issues.push_back({"cfb.chain_invalid", Severity::medium, 0,
                      "stream \"" + d.name + "\" declares " + std::to_string(d.size) + " bytes, its chain holds " +
                          std::to_string(got)});
  }
  if (extents.size() <= 1) {
    sb.is_view = true;
    if (!extents.empty()) sb.view = bytes_.clamp(extents[0].offset, extents[0].length);
    return sb;
  }
  sb.is_view = false;
  sb.owned.reserve(got);
  for (const Extent& e : extents) {
    const ByteView v = bytes_.clamp(e.offset, e.length);
    sb.owned.insert(sb.owned.end(), v.data(), v.data() + v.size());
  }
  return sb;
}

}  // namespace sluice::codecs::cfb
