#include "formats/fat/parser.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <set>

#include "core/checked.hpp"
#include "core/zero_pages.hpp"
#include "core/reader.hpp"
#include "core/text.hpp"
#include "formats/fat/layout.hpp"

namespace sluice::formats::fat {
namespace {

using core::load_le;

bool is_pow2(std::uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

using core::append_utf8;

std::string utf16_to_utf8(const std::vector<std::uint16_t>& units) { return core::utf16_to_utf8(units); }

// 8.3 bytes are in the OEM code page, which the image does not record. ASCII is
// exact; other bytes are mapped as Latin-1 so they stay visible (not U+FFFD).
std::string oem_to_utf8(ByteView b) { return core::latin1_to_utf8(b.chars()); }

std::string trim_right(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

// fatgen103 §7: the one-byte rotate-and-add checksum of the 11-byte 8.3 name.
std::uint8_t sfn_checksum(ByteView name11) {
  std::uint8_t sum = 0;
  for (char c : name11.chars()) {
    sum = static_cast<std::uint8_t>(((sum & 1) << 7) + (sum >> 1) + static_cast<std::uint8_t>(c));
  }
  return sum;
}

// 8.3 name as Windows displays it, honouring the NT lower-case flags. The
// first byte is fixed up on the raw bytes (0x05 means 0xE5; a deleted entry's
// lost byte is '_' unless the LFN checksum restored it).
std::string short_name(ByteView e, bool deleted, char restored_first) {
  std::array<std::uint8_t, 11> raw{};
  for (std::uint64_t i = 0; i < raw.size(); ++i) (void)e.byte_at(i, raw[i]);
  if (deleted) {
    raw[0] = restored_first != 0 ? static_cast<std::uint8_t>(restored_first) : '_';
  } else if (raw[0] == kKanjiE5) {
    raw[0] = kDeleted;
  }
  const ByteView name(raw.data(), raw.size());
  std::string base = trim_right(oem_to_utf8(name.clamp(0, 8)));
  std::string ext = trim_right(oem_to_utf8(name.clamp(8, 3)));
  std::uint8_t nt = 0;
  (void)e.byte_at(kEntryNtCase, nt);
  if (nt & kNtLowerBase) base = core::ascii_lower(base);
  if (nt & kNtLowerExt) ext = core::ascii_lower(ext);
  return ext.empty() ? base : base + "." + ext;
}

bool bad_sfn_char(std::uint8_t c) {
  if (c < 0x20) return true;
  static constexpr std::string_view kBad = "\"*+,./:;<=>?[\\]|";
  return kBad.find(static_cast<char>(c)) != std::string_view::npos || (c >= 'a' && c <= 'z');
}

class Walker {
 public:
  // The per-cluster tables are zero pages: a volume on a sparse virtual disk
  // may claim 2^28 clusters, and only the clusters a chain visits cost memory.
  Walker(ByteView image, const Geometry& g, const core::Budget& budget, Parsed<Volume>& out,
         core::ZeroedArray<std::uint32_t> seen, core::ZeroedArray<std::uint32_t> owner)
      : image_(image), g_(g), budget_(budget), vol_(out.model), anomalies_(out.anomalies),
        fat_(image.clamp(g.fat_offset, g.fat_bytes)),
        seen_(std::move(seen)), owner_(std::move(owner)) {}

  void run();

 private:
  struct Dir {
    std::vector<Run> runs;
    std::string path, short_path, long_path;
  };
  struct Lfn {
    std::array<std::vector<std::uint16_t>, kLfnMaxOrd + 1> parts;
    std::uint32_t expect = 0;  // next ordinal wanted; 0: none pending
    std::uint32_t count = 0;
    std::uint8_t checksum = 0;
    std::uint64_t offset = 0;
    bool complete() const { return count != 0 && expect == 0; }
    void reset() { *this = Lfn{}; }
  };

  enum class Next : std::uint8_t { cluster, end, free, bad, out_of_range };
  Next next(std::uint32_t c, std::uint32_t& out) const;
  std::uint64_t cluster_offset(std::uint32_t c) const {
    return g_.data_offset + static_cast<std::uint64_t>(c - 2) * g_.cluster_size;
  }
  bool valid_cluster(std::uint32_t c) const { return c >= 2 && c <= g_.cluster_count + 1; }
  // Follows a chain from `first`. `want` bytes (files) or until the end
  // (directories, want = 0). `owner_id` marks clusters to see cross-links.
  std::vector<Run> chain(std::uint32_t first, std::uint64_t want, std::uint32_t owner_id,
                         std::uint64_t entry_off, const std::string& what, std::uint64_t& got);
  void walk_dir(const Dir& d, std::vector<Dir>& work);
  void entry(ByteView e, std::uint64_t off, const Dir& d, Lfn& lfn, Lfn& deleted_lfn,
             std::set<std::string>& names, std::vector<Dir>& work);
  void recover_deleted();
  void issue(std::string id, Severity s, std::uint64_t off, std::string msg) {
    anomalies_.push_back({std::move(id), s, off, std::move(msg)});
  }
  bool lfn_add(Lfn& lfn, ByteView e, std::uint64_t off, bool deleted);

  ByteView image_;
  const Geometry& g_;
  const core::Budget& budget_;
  Volume& vol_;
  std::vector<Anomaly>& anomalies_;
  ByteView fat_;
  core::ZeroedArray<std::uint32_t> seen_;   // chain generation that last visited a cluster
  core::ZeroedArray<std::uint32_t> owner_;  // 1 + index of the entry owning a cluster
  std::uint32_t generation_ = 0;
  std::set<std::uint32_t> dir_clusters_;
  std::vector<std::size_t> deleted_;  // indices into vol_.entries awaiting recovery
  std::uint64_t steps_ = 0;
};

Walker::Next Walker::next(std::uint32_t c, std::uint32_t& out) const {
  std::uint32_t v = 0;
  switch (g_.kind) {
    case FatKind::fat12: {
      const std::uint64_t off = static_cast<std::uint64_t>(c) + c / 2;
      auto r = load_le<std::uint16_t>(fat_, off);
      if (!r) return Next::out_of_range;
      v = (c & 1) ? (*r >> 4) : (*r & 0x0FFF);
      if (v >= 0xFF8) return Next::end;
      if (v == 0xFF7) return Next::bad;
      break;
    }
    case FatKind::fat16: {
      auto r = load_le<std::uint16_t>(fat_, static_cast<std::uint64_t>(c) * 2);
      if (!r) return Next::out_of_range;
      v = *r;
      if (v >= 0xFFF8) return Next::end;
      if (v == 0xFFF7) return Next::bad;
      break;
    }
    case FatKind::fat32: {
      auto r = load_le<std::uint32_t>(fat_, static_cast<std::uint64_t>(c) * 4);
      if (!r) return Next::out_of_range;
      v = *r & 0x0FFFFFFF;  // the top 4 bits are reserved (fatgen103 §4)
      if (v >= 0x0FFFFFF8) return Next::end;
      if (v == 0x0FFFFFF7) return Next::bad;
      break;
    }
  }
  if (v == 0) return Next::free;
  out = v;
  return valid_cluster(v) ? Next::cluster : Next::out_of_range;
}

std::vector<Run> Walker::chain(std::uint32_t first, std::uint64_t want, std::uint32_t owner_id,
                               std::uint64_t entry_off, const std::string& what, std::uint64_t& got) {
  std::vector<Run> runs;
  got = 0;
  if (!valid_cluster(first)) {
    issue("fat.chain_out_of_range", Severity::medium, entry_off,
          what + ": first cluster " + std::to_string(first) + " is not a data cluster");
    return runs;
  }
  ++generation_;
  std::uint32_t c = first;
  bool cross_reported = false;
  while (true) {
    if ((++steps_ & 0xFFF) == 0 && budget_.expired()) {
      vol_.deadline_hit = true;
      return runs;
    }
    if (seen_[c] == generation_) {
      issue("fat.chain_cycle", Severity::medium, entry_off,
            what + ": the cluster chain loops back to cluster " + std::to_string(c));
      return runs;
    }
    seen_[c] = generation_;
    if (owner_[c] != 0 && owner_[c] != owner_id) {
      if (!cross_reported) {
        issue("fat.cross_linked", Severity::medium, entry_off,
              what + ": cluster " + std::to_string(c) + " also belongs to another file");
        cross_reported = true;
      }
      // Shared tails are read again for each file (Windows shows them in
      // each), until the walk has cost a few times the cluster count: then
      // many files aimed at one long chain stop at the junction instead of
      // costing files x clusters.
      if (steps_ > 4 * static_cast<std::uint64_t>(g_.cluster_count) + 65536) return runs;
    } else if (owner_[c] == 0) {
      owner_[c] = owner_id;
    }
    const std::uint64_t off = cluster_offset(c);
    std::uint64_t take = g_.cluster_size;
    if (want != 0) take = std::min(take, want - got);
    if (!image_.contains(off, take)) {
      issue("fat.chain_past_end", Severity::medium, entry_off,
            what + ": cluster " + std::to_string(c) + " lies past the end of the image");
      return runs;
    }
    if (!runs.empty() && runs.back().offset + runs.back().length == off &&
        runs.back().length % g_.cluster_size == 0) {
      runs.back().length += take;
    } else {
      runs.push_back({off, take});
    }
    got += take;
    std::uint32_t n = 0;
    const Next kind = next(c, n);
    if (want != 0 && got >= want) {
      if (kind != Next::end) {
        issue("fat.chain_too_long", Severity::low, entry_off,
              what + ": the cluster chain continues past the file size");
      }
      return runs;
    }
    switch (kind) {
      case Next::cluster: c = n; continue;
      case Next::end:
        if (want != 0) {
          issue("fat.chain_short", Severity::medium, entry_off,
                what + ": the chain ends after " + std::to_string(got) + " of " +
                    std::to_string(want) + " bytes");
        }
        return runs;
      case Next::free:
      case Next::bad:
      case Next::out_of_range:
        issue(kind == Next::out_of_range ? "fat.chain_out_of_range" : "fat.chain_short",
              Severity::medium, entry_off,
              what + ": cluster " + std::to_string(c) + " links to a " +
                  (kind == Next::free ? "free" : kind == Next::bad ? "bad" : "non-existent") +
                  " cluster");
        return runs;
    }
  }
}

bool Walker::lfn_add(Lfn& lfn, ByteView e, std::uint64_t off, bool deleted) {
  std::uint8_t seq = 0, sum = 0;
  (void)e.byte_at(0, seq);
  (void)e.byte_at(kLfnChecksum, sum);
  std::uint32_t ord = seq & kLfnOrdMask;
  const bool last = (seq & kLfnLast) != 0;
  if (deleted) {
    // The ordinal was overwritten by 0xE5; entries still run from last to
    // first, so count down from what we have (undelete tools do the same).
    if (lfn.expect == 0 || lfn.checksum != sum) {
      lfn.reset();
      lfn.checksum = sum;
      lfn.offset = off;
    }
    ord = ++lfn.count;
    if (ord > kLfnMaxOrd) {
      lfn.reset();
      return false;
    }
    lfn.expect = 1;  // "pending": completed by the SFN that follows
  } else {
    if (last) {
      if (lfn.expect != 0) {
        issue("fat.lfn_orphan", Severity::low, lfn.offset, "a long-name sequence is cut short");
      }
      lfn.reset();
      if (ord == 0 || ord > kLfnMaxOrd) {
        issue("fat.lfn_orphan", Severity::low, off, "long-name entry with ordinal " + std::to_string(ord));
        return false;
      }
      lfn.count = ord;
      lfn.checksum = sum;
      lfn.offset = off;
    } else if (lfn.expect == 0 || ord != lfn.expect || sum != lfn.checksum) {
      issue("fat.lfn_orphan", Severity::low, off, "long-name entry out of sequence");
      lfn.reset();
      return false;
    }
    lfn.expect = ord - 1;
  }
  auto& part = lfn.parts[ord];
  part.clear();
  for (auto [from, n] : {std::pair<std::uint64_t, int>{1, 5}, {14, 6}, {28, 2}}) {
    // value_or: in bounds, a directory entry is a 32-byte view and the name
    // pieces end at byte 32.
    for (int i = 0; i < n; ++i) part.push_back(load_le<std::uint16_t>(e, from + 2 * i).value_or(0));
  }
  return true;
}

std::string lfn_text(const std::array<std::vector<std::uint16_t>, kLfnMaxOrd + 1>& parts,
                     std::uint32_t count, bool reverse) {
  std::vector<std::uint16_t> units;
  bool ended = false;
  for (std::uint32_t i = 1; i <= count && !ended; ++i) {
    // Live entries are stored by ordinal; deleted ones in the order met
    // (last part first), so they read back-to-front.
    for (std::uint16_t u : parts[reverse ? count + 1 - i : i]) {
      if (u == 0x0000) {  // fatgen103 §7: NUL ends the name, 0xFFFF pads
        ended = true;
        break;
      }
      units.push_back(u);
    }
  }
  return utf16_to_utf8(units);
}

void Walker::entry(ByteView e, std::uint64_t off, const Dir& d, Lfn& lfn, Lfn& deleted_lfn,
                   std::set<std::string>& names, std::vector<Dir>& work) {
  std::uint8_t first = 0, attr = 0;
  (void)e.byte_at(0, first);
  (void)e.byte_at(kEntryAttr, attr);
  const bool deleted = first == kDeleted;
  if ((attr & kAttrLongNameMask) == kAttrLongName) {
    lfn_add(deleted ? deleted_lfn : lfn, e, off, deleted);
    if (deleted) lfn.reset();
    return;
  }
  Lfn& pending = deleted ? deleted_lfn : lfn;
  std::string long_name;
  bool lfn_ok = false;
  char restored_first = 0;
  if (pending.count != 0) {
    const bool sum_ok = pending.checksum == sfn_checksum(e.clamp(0, 11));
    if (deleted) {
      long_name = lfn_text(pending.parts, pending.count, true);
      // The checksum covered the first name byte that 0xE5 replaced: the byte
      // that makes it match again is the lost one (how undelete tools restore it).
      std::array<std::uint8_t, 11> name{};
      for (std::uint64_t i = 0; i < 11; ++i) (void)e.byte_at(i, name[i]);
      for (unsigned b = 0x21; b < 0x80 && !lfn_ok; ++b) {
        name[0] = static_cast<std::uint8_t>(b);
        if (sfn_checksum(ByteView(name.data(), name.size())) == pending.checksum) {
          lfn_ok = true;
          restored_first = static_cast<char>(b);
        }
      }
    } else if (!pending.complete()) {
      issue("fat.lfn_orphan", Severity::low, pending.offset, "a long-name sequence is cut short");
    } else {
      long_name = lfn_text(pending.parts, pending.count, false);
      lfn_ok = sum_ok;
      if (!sum_ok) {
        // Windows drops a long name whose checksum does not match and shows
        // the 8.3 name; Linux's vfat does the same, but naive tools show the LFN.
        issue("fat.lfn_checksum_mismatch", Severity::medium, off,
              "long name \"" + long_name + "\" does not belong to its 8.3 entry (checksum)");
      }
    }
  }
  lfn.reset();
  deleted_lfn.reset();

  if (attr & kAttrVolumeId) {
    if (!deleted && d.path.empty() && vol_.label.empty()) {
      vol_.label = trim_right(oem_to_utf8(e.clamp(0, 11)));
    }
    return;
  }
  const std::string sfn = short_name(e, deleted, restored_first);
  if (sfn == "." || sfn == "..") return;
  if (!deleted) {
    for (std::uint64_t i = 0; i < 11; ++i) {
      std::uint8_t c = 0;
      (void)e.byte_at(i, c);
      if (c == ' ' && i != 0) continue;
      if ((i == 0 && c == kKanjiE5) || c >= 0x80) continue;
      if (bad_sfn_char(c)) {
        issue("fat.bad_name", Severity::low, off, "8.3 name \"" + sfn + "\" has characters DOS forbids");
        break;
      }
    }
  }

  Entry out;
  out.attributes = attr;
  out.deleted = deleted;
  out.directory = (attr & kAttrDirectory) != 0;
  out.entry_offset = off;
  // value_or: in bounds, `e` is one whole 32-byte directory entry.
  std::uint32_t hi = load_le<std::uint16_t>(e, kEntryClusterHi).value_or(0);
  if (g_.kind != FatKind::fat32) hi = 0;  // FAT12/16: that word is EA handle / unused
  out.first_cluster = (hi << 16) | load_le<std::uint16_t>(e, kEntryClusterLo).value_or(0);
  out.size = load_le<std::uint32_t>(e, kEntrySize32).value_or(0);
  const std::string visible = lfn_ok ? long_name : sfn;
  out.path = d.path + "/" + visible;
  out.short_path = d.short_path + "/" + sfn;
  out.long_path = long_name.empty() ? std::string{} : d.long_path + "/" + long_name;
  if (out.long_path.empty() && !d.long_path.empty()) out.long_path = d.long_path + "/" + sfn;

  if (!deleted && !names.insert(core::ascii_lower(visible)).second) {
    issue("fat.duplicate_name", Severity::medium, off,
          "\"" + out.path + "\" appears twice in one directory; which one opens depends on the reader");
  }
  if (vol_.entries.size() >= budget_.limits().max_children) {
    vol_.entries_capped = true;
    return;
  }
  const auto index = static_cast<std::uint32_t>(vol_.entries.size() + 1);
  if (deleted) {
    if (!out.directory) deleted_.push_back(vol_.entries.size());
    vol_.entries.push_back(std::move(out));
    return;
  }
  if (out.directory) {
    if (out.first_cluster == 0 || !valid_cluster(out.first_cluster)) {
      issue("fat.chain_out_of_range", Severity::medium, off,
            "directory \"" + out.path + "\" points at cluster " + std::to_string(out.first_cluster));
    } else if (!dir_clusters_.insert(out.first_cluster).second) {
      issue("fat.directory_loop", Severity::medium, off,
            "directory \"" + out.path + "\" reuses an earlier directory's clusters");
    } else {
      Dir sub;
      std::uint64_t got = 0;
      sub.runs = chain(out.first_cluster, 0, index, off, "directory \"" + out.path + "\"", got);
      sub.path = out.path;
      sub.short_path = out.short_path;
      sub.long_path = out.long_path.empty() ? out.path : out.long_path;
      work.push_back(std::move(sub));
    }
  } else if (out.size != 0) {
    out.runs = chain(out.first_cluster, out.size, index, off, "\"" + out.path + "\"", out.run_bytes);
  }
  vol_.entries.push_back(std::move(out));
}

void Walker::walk_dir(const Dir& d, std::vector<Dir>& work) {
  Lfn lfn, deleted_lfn;
  std::set<std::string> names;
  for (const Run& r : d.runs) {
    const ByteView bytes = image_.clamp(r.offset, r.length);
    for (std::uint64_t pos = 0; pos + kDirEntrySize <= bytes.size(); pos += kDirEntrySize) {
      const ByteView e = bytes.clamp(pos, kDirEntrySize);
      std::uint8_t first = 0;
      (void)e.byte_at(0, first);
      // fatgen103 §6: 0x00 ends the directory; readers stop there.
      if (first == 0x00) return;
      if ((++steps_ & 0xFFF) == 0 && budget_.expired()) {
        vol_.deadline_hit = true;
        return;
      }
      entry(e, r.offset + pos, d, lfn, deleted_lfn, names, work);
      if (vol_.entries_capped) return;
    }
  }
}

// Undelete as the classic tools do (fatgen103 gives no more): the entry keeps
// its first cluster and size; assume the file was contiguous and recover it
// only if every one of those clusters is still free and unclaimed.
void Walker::recover_deleted() {
  if (deleted_.empty()) return;
  // free_before[c]: clusters below c that are free and unclaimed. One pass,
  // then each entry is checked in O(1): many deleted entries claiming huge
  // sizes cannot turn this into entries x clusters work.
  std::vector<std::uint32_t> free_before;
  free_before.reserve(static_cast<std::size_t>(g_.cluster_count) + 3);
  free_before.push_back(0);
  free_before.push_back(0);
  free_before.push_back(0);
  for (std::uint32_t c = 2; c <= g_.cluster_count + 1; ++c) {
    std::uint32_t dummy = 0;
    const bool free = owner_[c] == 0 && next(c, dummy) == Next::free;
    free_before.push_back(free_before.back() + (free ? 1 : 0));
  }
  for (std::size_t i : deleted_) {
    Entry& e = vol_.entries[i];
    if (e.size == 0 || !valid_cluster(e.first_cluster)) continue;
    const std::uint64_t n = (e.size + g_.cluster_size - 1) / g_.cluster_size;
    if (n > static_cast<std::uint64_t>(g_.cluster_count) + 2 - e.first_cluster) continue;
    const std::uint64_t last = e.first_cluster + n;  // one past, <= cluster_count + 2
    if (free_before[last] - free_before[e.first_cluster] != n) continue;
    const std::uint64_t off = cluster_offset(e.first_cluster);
    if (!image_.contains(off, e.size)) continue;
    e.runs.push_back({off, e.size});
    e.run_bytes = e.size;
  }
}

void Walker::run() {
  Dir root;
  if (g_.kind == FatKind::fat32) {
    std::uint64_t got = 0;
    dir_clusters_.insert(g_.root_cluster);
    root.runs = chain(g_.root_cluster, 0, UINT32_MAX, 0, "root directory", got);
  } else {
    if (!image_.contains(g_.root_offset, g_.root_bytes)) {
      issue("fat.truncated", Severity::info, g_.root_offset, "the root directory lies past the end of the image");
    }
    root.runs.push_back({g_.root_offset, g_.root_bytes});
  }
  // An explicit worklist: directory depth is attacker-chosen.
  std::vector<Dir> work;
  work.push_back(std::move(root));
  while (!work.empty() && !vol_.entries_capped && !vol_.deadline_hit) {
    Dir d = std::move(work.back());
    work.pop_back();
    walk_dir(d, work);
  }
  recover_deleted();
}

}  // namespace

Result<Geometry> parse_boot_sector(ByteView image, std::vector<Anomaly>& issues) {
  auto boot = image.subview(0, 512);
  if (!boot) return fail(Errc::truncated, 0, "no boot sector");
  Geometry g;
  // value_or: in bounds here and below, the 512-byte boot sector was taken by
  // subview above and every BPB field lies inside it.
  const std::uint32_t bps = load_le<std::uint16_t>(*boot, kBytesPerSector).value_or(0);
  const std::uint32_t spc = load_le<std::uint8_t>(*boot, kSectorsPerCluster).value_or(0);
  const std::uint32_t reserved = load_le<std::uint16_t>(*boot, kReservedSectors).value_or(0);
  const std::uint32_t fats = load_le<std::uint8_t>(*boot, kNumFats).value_or(0);
  const std::uint32_t root_entries = load_le<std::uint16_t>(*boot, kRootEntries).value_or(0);
  const std::uint32_t total16 = load_le<std::uint16_t>(*boot, kTotalSectors16).value_or(0);
  const std::uint32_t fatsz16 = load_le<std::uint16_t>(*boot, kFatSize16).value_or(0);
  const std::uint32_t total32 = load_le<std::uint32_t>(*boot, kTotalSectors32).value_or(0);
  const std::uint32_t fatsz32 = load_le<std::uint32_t>(*boot, kFat32FatSize).value_or(0);
  if (bps < 512 || bps > 4096 || !is_pow2(bps)) {
    return fail(Errc::malformed, kBytesPerSector, "bytes per sector " + std::to_string(bps));
  }
  if (spc == 0 || !is_pow2(spc)) {
    return fail(Errc::malformed, kSectorsPerCluster, "sectors per cluster " + std::to_string(spc));
  }
  if (reserved == 0 || fats == 0) return fail(Errc::malformed, kReservedSectors, "no reserved sectors or FATs");
  const std::uint64_t fat_sectors = fatsz16 != 0 ? fatsz16 : fatsz32;
  const std::uint64_t total = total16 != 0 ? total16 : total32;
  if (fat_sectors == 0 || total == 0) return fail(Errc::malformed, kFatSize16, "FAT size or sector count is zero");
  if (total16 != 0 && total32 != 0 && total16 != total32) {
    issues.push_back({"fat.bpb_inconsistent", Severity::medium, kTotalSectors16,
                      "16- and 32-bit sector counts disagree; drivers pick different ones"});
  }
  g.bytes_per_sector = bps;
  g.sectors_per_cluster = spc;
  g.num_fats = fats;
  g.cluster_size = static_cast<std::uint64_t>(bps) * spc;
  const std::uint64_t root_sectors = (static_cast<std::uint64_t>(root_entries) * 32 + bps - 1) / bps;
  const std::uint64_t meta_sectors = reserved + fats * fat_sectors + root_sectors;  // < 2^40
  if (meta_sectors >= total) return fail(Errc::malformed, kTotalSectors16, "no room for a data region");
  const std::uint64_t clusters = (total - meta_sectors) / spc;
  g.kind = clusters <= kMaxFat12Clusters   ? FatKind::fat12
           : clusters <= kMaxFat16Clusters ? FatKind::fat16
                                           : FatKind::fat32;
  if (clusters > kMaxFat32Clusters) return fail(Errc::malformed, kTotalSectors32, "too many clusters");
  g.volume_bytes = total * bps;
  g.fat_bytes = fat_sectors * bps;
  g.fat_offset = static_cast<std::uint64_t>(reserved) * bps;
  g.root_offset = g.fat_offset + fats * g.fat_bytes;
  g.root_bytes = root_sectors * bps;
  g.data_offset = g.root_offset + g.root_bytes;
  // The FAT must hold an entry for every cluster; a short FAT caps the count
  // (what Linux does too) and is reported.
  const std::uint64_t bits = g.kind == FatKind::fat12 ? 12 : g.kind == FatKind::fat16 ? 16 : 32;
  const std::uint64_t fat_entries = g.fat_bytes * 8 / bits;
  std::uint64_t usable = clusters;
  if (fat_entries < clusters + 2) {
    issues.push_back({"fat.bpb_inconsistent", Severity::medium, kFatSize16,
                      "the FAT has room for " + std::to_string(fat_entries) + " entries, the volume has " +
                          std::to_string(clusters) + " clusters"});
    usable = fat_entries >= 2 ? fat_entries - 2 : 0;
  }
  // Clusters past the image cannot be read; keeping the map to what exists
  // bounds memory by the image size, whatever the BPB claims.
  if (image.size() > g.data_offset) {
    usable = std::min<std::uint64_t>(usable, (image.size() - g.data_offset) / g.cluster_size + 1);
  } else {
    usable = 0;
  }
  g.cluster_count = static_cast<std::uint32_t>(usable);
  if (g.kind == FatKind::fat32) {
    if (root_entries != 0 || fatsz16 != 0) {
      issues.push_back({"fat.bpb_inconsistent", Severity::medium, kRootEntries,
                        "FAT32 volume with FAT12/16 root-entry or FAT-size fields set"});
    }
    // value_or: in bounds (the boot sector).
    const std::uint16_t ext = load_le<std::uint16_t>(*boot, kFat32ExtFlags).value_or(0);
    // Bit 7: mirroring off, bits 0-3 name the one active FAT (fatgen103 §3.3).
    if ((ext & 0x80) != 0 && (ext & 0x0F) < fats) g.fat_offset += (ext & 0x0F) * g.fat_bytes;
    // value_or: in bounds (the boot sector).
    g.root_cluster = load_le<std::uint32_t>(*boot, kFat32RootCluster).value_or(0);
    g.serial = load_le<std::uint32_t>(*boot, kSerial32).value_or(0);
    g.bpb_label = trim_right(oem_to_utf8(boot->clamp(kLabel32, 11)));
    // value_or: in bounds (the boot sector).
    const std::uint32_t backup = load_le<std::uint16_t>(*boot, kFat32BackupBoot).value_or(0);
    if (backup != 0 && backup != 0xFFFF && backup < reserved) {
      auto copy = image.subview(static_cast<std::uint64_t>(backup) * bps, kBpbCompareBytes);
      if (copy && !std::equal(copy->data(), copy->data() + kBpbCompareBytes, boot->data())) {
        issues.push_back({"fat.backup_boot_mismatch", Severity::medium, static_cast<std::uint64_t>(backup) * bps,
                          "the backup boot sector's BPB differs from the primary; repair tools restore the backup"});
      }
    }
  } else {
    // value_or: in bounds (the boot sector).
    g.serial = load_le<std::uint32_t>(*boot, kSerial16).value_or(0);
    std::uint8_t sig = 0;
    if (boot->byte_at(38, sig) && sig == 0x29) g.bpb_label = trim_right(oem_to_utf8(boot->clamp(kLabel16, 11)));
  }
  g.oem_name = trim_right(oem_to_utf8(boot->clamp(kOemName, 8)));
  if (!boot->matches_at(kBootSignature, "\x55\xAA")) {
    issues.push_back({"fat.no_boot_signature", Severity::low, kBootSignature,
                      "boot sector lacks the 55 AA signature Windows requires to mount it"});
  }
  return g;
}

// Equal bytes, compared in slices with a deadline check between them: the
// FAT copies of a large volume are hundreds of MiB.
bool equal_within(ByteView a, ByteView b, const core::Budget& budget, bool& expired) {
  constexpr std::uint64_t kSlice = 1 << 20;
  for (std::uint64_t off = 0; off < a.size(); off += kSlice) {
    if (budget.expired()) {
      expired = true;  // undecided, and reported as the deadline
      return true;
    }
    const ByteView x = a.clamp(off, kSlice), y = b.clamp(off, kSlice);
    if (x.size() != y.size() || std::memcmp(x.data(), y.data(), x.size()) != 0) return false;
  }
  return true;
}

Result<Parsed<Volume>> parse(ByteView image, const core::Budget& budget) {
  Parsed<Volume> out;
  Volume& vol = out.model;
  auto g = parse_boot_sector(image, out.anomalies);
  if (!g) return std::unexpected(g.error());
  vol.geometry = *g;
  if (g->num_fats >= 2) {
    // Only the entries of clusters that exist: a BPB may claim a FAT far
    // larger than the volume, and on a sparse disk that claim costs a page
    // fault per 4 KiB compared.
    const std::uint64_t bits = g->kind == FatKind::fat12 ? 12 : g->kind == FatKind::fat16 ? 16 : 32;
    const std::uint64_t used = std::min<std::uint64_t>(g->fat_bytes, ((g->cluster_count + 2ull) * bits + 7) / 8);
    auto a = image.subview(g->fat_offset, used);
    auto b = image.subview(g->fat_offset + g->fat_bytes, used);
    if (a && b && !equal_within(*a, *b, budget, vol.deadline_hit)) {
      out.anomalies.push_back({"fat.fats_differ", Severity::low, g->fat_offset + g->fat_bytes,
                            "the FAT copies disagree; which one a driver reads decides what files contain"});
    }
  }
  if (g->kind == FatKind::fat32 && (g->root_cluster < 2 || g->root_cluster > g->cluster_count + 1)) {
    return fail(Errc::malformed, kFat32RootCluster, "root cluster " + std::to_string(g->root_cluster));
  }
  auto seen = core::ZeroedArray<std::uint32_t>::make(static_cast<std::size_t>(g->cluster_count) + 2);
  auto owner = core::ZeroedArray<std::uint32_t>::make(static_cast<std::size_t>(g->cluster_count) + 2);
  if (!seen || !owner) return std::unexpected(!seen ? seen.error() : owner.error());
  Walker w(image, vol.geometry, budget, out, std::move(*seen), std::move(*owner));
  w.run();
  if (image.size() > g->volume_bytes) {
    vol.trailing = {g->volume_bytes, image.size() - g->volume_bytes};
  } else if (image.size() < g->volume_bytes) {
    // Info only: the cut itself says little (a partition entry shorter than
    // its volume is common); files that lose clusters to it are reported as
    // fat.chain_past_end.
    out.anomalies.push_back({"fat.truncated", Severity::info, image.size(),
                          "the image ends " + std::to_string(g->volume_bytes - image.size()) +
                              " bytes before the volume does"});
  }
  return out;
}

}  // namespace sluice::formats::fat
