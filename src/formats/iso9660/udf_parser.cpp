// UDF (ECMA-167 parts 3 and 4 as profiled by OSTA UDF 1.02-2.60): volume
// recognition, anchors, the volume descriptor sequence, partition maps (type 1,
// sparable read as physical, the 2.50 metadata partition), the file set, file
// entries with short/long/extended/embedded allocation descriptors, and file
// identifier descriptors.
#include <cstdio>
#include <set>

#include "core/checked.hpp"
#include "core/text.hpp"
#include "formats/iso9660/bytes.hpp"
#include "formats/iso9660/layout.hpp"
#include "formats/iso9660/parser.hpp"
#include "formats/iso9660/readers.hpp"
#include "meta/iso9660.hpp"

namespace sluice::formats::iso9660 {
namespace {


struct Partition {
  std::uint16_t number = 0;
  std::uint64_t start = 0;   // blocks
  std::uint64_t length = 0;  // blocks
};

struct PartitionMap {
  bool metadata = false;
  std::uint16_t partition = 0;
  std::uint32_t metadata_file = 0;
  std::vector<Extent> metadata_extents;  // absolute, when `metadata`
  std::uint32_t metadata_mirror = 0;
  bool virt = false;                     // UDF 2.2.8 virtual partition: blocks map through the VAT
  std::vector<std::uint32_t> vat;        // virtual block -> block of the physical partition
};

// UDF 2.2.11: the VAT's file entry is in the last written block; writers may
// leave run-out and link blocks after it, so a few blocks before are tried too.
constexpr std::uint64_t kVatSearchBlocks = 64;
// UDF 2.00 2.2.11 file type of the VAT; 1.50 used type 0 and a trailing regid.
constexpr std::uint8_t kIcbVat = 248;

PartitionMap map_of(std::uint16_t partition, bool virt = false) {
  PartitionMap m;
  m.partition = partition;
  m.virt = virt;
  return m;
}
constexpr std::uint32_t kVatUnused = 0xFFFFFFFF;

struct LongAd {
  std::uint32_t length = 0;
  std::uint32_t lbn = 0;
  std::uint16_t part = 0;
};

struct FileEntry {
  std::uint8_t type = 0;
  std::uint64_t size = 0;
  std::vector<Extent> extents;
  std::optional<LongAd> streams;  // ECMA-167 4/14.17 Stream Directory ICB (extended entries only)
};

std::string dstring(ByteView v, std::uint64_t off, std::uint64_t len) {
  // ECMA-167 1/7.2.12: the last byte holds the used length.
  const ByteView field = v.clamp(off, len);
  std::uint8_t used = 0;
  if (len == 0 || !field.byte_at(len - 1, used) || used == 0 || used >= len) return {};
  bool ok = true;
  return osta_cs0_to_utf8(field.clamp(0, used), ok);
}

class UdfReader {
 public:
  UdfReader(ByteView img, const core::Budget& budget, Image& out, Issues& issues)
      : img_(img), budget_(budget), out_(out), issues_(issues) {}
  void run();

 private:
  bool recognised() const;
  bool find_anchor();
  bool tag_ok(ByteView d, std::uint16_t id, std::uint64_t at);
  std::optional<UdfBlock> descriptor(std::uint64_t at, const char* what);
  bool read_vds(std::uint64_t loc, std::uint64_t len);
  void read_partition_maps(const UdfBlock& lvd_head, ByteView lvd, std::uint64_t at);
  std::optional<std::uint64_t> resolve(std::uint16_t part, std::uint64_t lbn) const;
  std::optional<FileEntry> read_file_entry(const LongAd& icb);
  std::optional<FileEntry> read_file_entry_at(std::uint64_t at, std::uint16_t part);
  std::optional<std::uint64_t> physical(std::uint16_t number, std::uint64_t lbn) const;
  void read_vat(PartitionMap& map);
  void read_metadata_file(std::size_t index);
  std::vector<std::uint8_t> gather(const FileEntry& fe, std::uint64_t cap) const;
  struct Ad {
    std::uint32_t raw = 0;  // type (top 2 bits) and length
    std::uint32_t lbn = 0;
    std::uint16_t ref = 0;  // partition reference
  };
  static std::optional<Ad> allocation_descriptor(ByteView ads, std::uint64_t pos, std::uint8_t kind,
                                                 std::uint16_t part);
  void read_ads(ByteView ads, std::uint64_t ads_at, std::uint8_t kind, std::uint16_t part,
                std::uint64_t size, FileEntry& fe);
  void walk(const LongAd& root);
  class TreeWalk;
  bool stop() {
    if (out_.limit_reached || out_.deadline) return true;
    if (budget_.expired()) out_.deadline = true;
    return out_.deadline;
  }

  ByteView img_;
  const core::Budget& budget_;
  Image& out_;
  Issues& issues_;
  std::uint64_t bs_ = kSector;
  std::uint64_t anchor_ = 0;
  std::vector<Partition> partitions_;
  std::vector<PartitionMap> maps_;
  std::optional<LongAd> fsd_;
  bool have_lvd_ = false;
  bool tag_reported_ = false;
};

bool UdfReader::recognised() const {
  // ECMA-167 2/8.3: the recognition sequence starts at byte 32768 in 2048-byte
  // (or block-size, if larger) units; NSR02/NSR03 declare the UDF file system.
  for (std::uint64_t off = 32768; off < 32768 + 64 * 2048; off += 2048) {
    if (img_.matches_at(off + 1, "NSR02") || img_.matches_at(off + 1, "NSR03")) return true;
  }
  return false;
}

bool UdfReader::tag_ok(ByteView d, std::uint16_t id, std::uint64_t at) {
  const auto tag = core::Fixed<kUdfTagSize>::at(d);
  if (!tag || tag->le16<0>() != id) return false;
  // ECMA-167 3/7.2.3: the sum of the tag's bytes but the checksum itself.
  std::uint8_t sum = 0;
  const std::string_view bytes = tag->view().chars();
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i != 4) sum = static_cast<std::uint8_t>(sum + static_cast<std::uint8_t>(bytes[i]));
  }
  if (sum != tag->u8<4>()) {
    if (!tag_reported_) {
      issues_.anomaly("udf.bad_tag", Severity::low, at,
                          "descriptor tag " + std::to_string(id) + " has a wrong checksum");
      tag_reported_ = true;
    }
    return false;
  }
  return true;
}

bool UdfReader::find_anchor() {
  // ECMA-167 3/8.4.2.1: an anchor at sector 256, or N-256, or N-1. The block
  // size is not recorded before the anchor, so each plausible one is tried.
  for (const std::uint64_t bs : {2048u, 512u, 4096u, 1024u}) {
    const std::uint64_t n = img_.size() / bs;
    for (const std::uint64_t s : {kAnchorSector, n > 256 ? n - 256 : 0, n > 0 ? n - 1 : 0}) {
      if (s == 0) continue;
      const auto d = UdfBlock::at(img_, s * bs);
      if (d && tag_ok(d->view(), kTagAnchor, s * bs) && d->le32<12>() == s) {
        bs_ = bs;
        anchor_ = s * bs;
        if (s != kAnchorSector) {
          issues_.anomaly("udf.no_anchor", Severity::low, anchor_,
                              "no anchor at sector 256; only a backup anchor was found");
        }
        return true;
      }
    }
  }
  return false;
}

// A descriptor block's fixed fields, or nothing (reported) when the image ends
// before them.
std::optional<UdfBlock> UdfReader::descriptor(std::uint64_t at, const char* what) {
  auto d = UdfBlock::at(img_, at);
  if (!d) {
    issues_.anomaly("udf.bad_descriptor", Severity::low, at,
                    std::string(what) + " at offset " + std::to_string(at) + " is cut by the end of the image");
  }
  return d;
}

bool UdfReader::read_vds(std::uint64_t loc, std::uint64_t len) {
  std::set<std::uint64_t> seen;
  for (std::uint32_t hop = 0; hop < budget_.limits().iso9660.max_udf_chain && seen.insert(loc).second; ++hop) {
    std::optional<std::pair<std::uint64_t, std::uint64_t>> next;
    const std::uint64_t blocks = std::min(len / bs_, budget_.limits().iso9660.max_vds_blocks);
    for (std::uint64_t i = 0; i < blocks; ++i) {
      const auto at = core::checked_mul(loc + i, bs_);
      if (!at) break;
      const auto head = descriptor(*at, "a volume descriptor");
      if (!head) break;
      const ByteView d = img_.clamp(*at, bs_);  // the whole block: partition maps may pass 512
      const std::uint16_t id = head->le16<0>();
      if (!tag_ok(d, id, *at)) break;
      if (id == kTagTerminating) break;
      if (id == kTagVdp) {
        next = std::pair{std::uint64_t{head->le32<24>()}, std::uint64_t{head->le32<20>()}};
        break;
      }
      if (id == kTagPvd) {
        out_.meta.push_back(meta::udf::volume_id(dstring(d, 24, 32)));
        out_.meta.push_back(meta::udf::volume_set_id(dstring(d, 72, 128)));
      } else if (id == kTagPartition) {
        partitions_.push_back(Partition{head->le16<22>(), head->le32<188>(), head->le32<192>()});
      } else if (id == kTagLvd && !have_lvd_) {
        have_lvd_ = true;
        if (head->le32<212>() != bs_) {
          issues_.anomaly("udf.bad_descriptor", Severity::low, *at + 212,
                              "logical block size differs from the anchor's sector size");
        }
        out_.meta.push_back(meta::udf::logical_volume_id(dstring(d, 84, 128)));
        out_.meta.push_back(meta::udf::domain(trimmed(d, 217, 23)));
        const std::uint16_t rev = head->le16<240>();
        if (rev != 0) {
          char buf[16];
          std::snprintf(buf, sizeof buf, "%x.%02x", rev >> 8, rev & 0xFF);
          out_.meta.push_back(meta::udf::revision(buf));
        }
        fsd_ = LongAd{head->le32<248>(), head->le32<252>(), head->le16<256>()};
        read_partition_maps(*head, d, *at);
      }
    }
    if (!next) break;
    loc = next->first;
    len = next->second;
  }
  return have_lvd_ && !partitions_.empty();
}

void UdfReader::read_partition_maps(const UdfBlock& lvd_head, ByteView lvd, std::uint64_t at) {
  const std::uint32_t count = lvd_head.le32<268>();
  std::uint64_t pos = 440;
  for (std::uint32_t i = 0; i < count; ++i) {
    const auto head = core::Fixed<2>::at(lvd, pos);
    if (!head) break;
    const std::uint8_t type = head->u8<0>();
    const std::uint8_t len = head->u8<1>();
    if (len < 6 || !lvd.contains(pos, len)) break;
    const ByteView m = lvd.clamp(pos, len);
    // ECMA-167 3/10.7.2-3: a type 1 map is 6 bytes, a type 2 map 64; UDF's
    // type 2 maps keep their partition number at 38 and their own fields after.
    const auto type1 = core::Fixed<6>::at(m);
    const auto type2 = core::Fixed<64>::at(m);
    if (type == 1 && type1) {
      maps_.push_back(map_of(type1->le16<4>()));
    } else if (type == 2 && !type2) {
      issues_.anomaly("udf.bad_descriptor", Severity::low, at + pos,
                      "a type 2 partition map of " + std::to_string(len) + " bytes (64 expected) is not read");
      maps_.push_back(map_of(0xFFFF));
    } else if (type == 2 && m.matches_at(5, "*UDF Metadata Partition")) {
      PartitionMap meta = map_of(type2->le16<38>());
      meta.metadata = true;
      meta.metadata_file = type2->le32<40>();
      meta.metadata_mirror = type2->le32<44>();
      maps_.push_back(std::move(meta));
    } else if (type == 2 && m.matches_at(5, "*UDF Sparable Partition")) {
      // Sparing only remaps defective packets on rewritable media; an image
      // reads correctly through the physical partition.
      maps_.push_back(map_of(type2->le16<38>()));
    } else if (type == 2 && m.matches_at(5, "*UDF Virtual Partition")) {
      maps_.push_back(map_of(type2->le16<38>(), true));
    } else {
      issues_.anomaly("udf.unsupported", Severity::low, at + pos,
                          "partition map type " + std::to_string(type) + " (" +
                              trimmed(m, 5, 23) + ") is not read");
      maps_.push_back(map_of(0xFFFF));
    }
    pos += len;
  }
}

std::optional<std::uint64_t> UdfReader::resolve(std::uint16_t ref, std::uint64_t lbn) const {
  if (ref >= maps_.size()) return std::nullopt;
  const PartitionMap& m = maps_[ref];
  if (m.metadata) {
    // UDF 2.50 2.2.10: metadata partition blocks are the metadata file's bytes.
    auto pos = core::checked_mul(lbn, bs_);
    if (!pos) return std::nullopt;
    for (const Extent& e : m.metadata_extents) {
      if (*pos < e.length) return e.sparse ? std::nullopt : core::checked_add(e.offset, *pos);
      *pos -= e.length;
    }
    return std::nullopt;
  }
  if (m.virt) {
    if (lbn >= m.vat.size() || m.vat[lbn] == kVatUnused) return std::nullopt;
    return physical(m.partition, m.vat[lbn]);
  }
  return physical(m.partition, lbn);
}

std::optional<std::uint64_t> UdfReader::physical(std::uint16_t number, std::uint64_t lbn) const {
  for (const Partition& p : partitions_) {
    if (p.number == number) {
      return core::checked_add(p.start, lbn).and_then(
          [&](std::uint64_t block) { return core::checked_mul(block, bs_); });
    }
  }
  return std::nullopt;
}

std::vector<std::uint8_t> UdfReader::gather(const FileEntry& fe, std::uint64_t cap) const {
  std::vector<std::uint8_t> buf;
  for (const Extent& e : fe.extents) {
    const std::uint64_t want = std::min(e.length, cap - std::min(cap, buf.size()));
    if (e.sparse) {
      buf.resize(buf.size() + want, 0);
    } else {
      const ByteView part = img_.clamp(e.offset, want);
      buf.insert(buf.end(), part.data(), part.data() + part.size());
    }
  }
  return buf;
}

// UDF 2.2.11 (2.00+) / 2.2.10 (1.50): a write-once disc records its file
// entries anywhere and lists them in the Virtual Allocation Table, rewritten at
// the end of every session. The last VAT written is the one in force.
void UdfReader::read_vat(PartitionMap& map) {
  std::uint16_t phys_ref = 0xFFFF;
  for (std::size_t i = 0; i < maps_.size(); ++i) {
    if (!maps_[i].virt && !maps_[i].metadata && maps_[i].partition == map.partition) {
      phys_ref = static_cast<std::uint16_t>(i);
    }
  }
  const std::uint64_t blocks = img_.size() / bs_;
  for (std::uint64_t k = 0; k < kVatSearchBlocks && k < blocks && phys_ref != 0xFFFF; ++k) {
    const std::uint64_t at = (blocks - 1 - k) * bs_;
    const auto tag = core::Fixed<kUdfTagSize>::at(img_, at);  // a whole block of the image
    if (!tag || (tag->le16<0>() != kTagFileEntry && tag->le16<0>() != kTagExtendedFileEntry)) continue;
    const auto fe = read_file_entry_at(at, phys_ref);
    if (!fe || (fe->type != kIcbVat && fe->type != 0)) continue;
    // Each entry is 4 bytes; a table larger than the image maps nothing real.
    const std::vector<std::uint8_t> vat = gather(*fe, std::min(fe->size, img_.size()));
    const ByteView v(vat.data(), vat.size());
    std::uint64_t first = 0, end = v.size();
    if (fe->type == kIcbVat) {
      const auto header = core::Fixed<2>::at(v);
      if (!header) {
        issues_.anomaly("udf.bad_descriptor", Severity::low, at,
                        "the Virtual Allocation Table is too short for its header");
        return;
      }
      first = header->le16<0>();  // L_HD: header length, entries follow it
    } else if (v.size() >= 36 && v.matches_at(v.size() - 35, "*UDF Virtual Alloc Tbl")) {
      end = v.size() - 36;  // 1.50: entries, then the regid and the previous VAT's location
    } else {
      continue;
    }
    for (std::uint64_t pos = first; pos + 4 <= end; pos += 4) {
      const auto entry = core::Fixed<4>::at(v, pos);  // end <= v.size()
      if (!entry) break;
      map.vat.push_back(entry->le32<0>());
    }
    out_.meta.push_back(meta::udf::vat_entries(static_cast<std::int64_t>(map.vat.size())));
    return;
  }
  issues_.anomaly("udf.bad_descriptor", Severity::low, img_.size(),
                      "a virtual partition map but no Virtual Allocation Table in the last " +
                          std::to_string(kVatSearchBlocks) + " blocks");
}

// ECMA-167 4/14.14: short (8 bytes: length, position), long (16: length,
// position, partition) and extended (20: length, recorded and information
// lengths, position, partition) allocation descriptors, as one shape.
std::optional<UdfReader::Ad> UdfReader::allocation_descriptor(ByteView ads, std::uint64_t pos, std::uint8_t kind,
                                                              std::uint16_t part) {
  if (kind == 0) {
    const auto a = core::Fixed<8>::at(ads, pos);
    if (!a) return std::nullopt;
    return Ad{a->le32<0>(), a->le32<4>(), part};
  }
  if (kind == 1) {
    const auto a = core::Fixed<16>::at(ads, pos);
    if (!a) return std::nullopt;
    return Ad{a->le32<0>(), a->le32<4>(), a->le16<8>()};
  }
  const auto a = core::Fixed<20>::at(ads, pos);
  if (!a) return std::nullopt;
  return Ad{a->le32<0>(), a->le32<12>(), a->le16<16>()};
}

void UdfReader::read_ads(ByteView ads, std::uint64_t ads_at, std::uint8_t kind, std::uint16_t part,
                         std::uint64_t size, FileEntry& fe) {
  const std::uint64_t step = kind == 0 ? 8 : kind == 1 ? 16 : 20;
  std::uint64_t total = 0;
  std::set<std::uint64_t> seen;
  const std::uint32_t max_chain = budget_.limits().iso9660.max_udf_chain;
  for (std::uint32_t hop = 0; hop <= max_chain; ++hop) {
    std::optional<std::pair<std::uint64_t, std::uint64_t>> next;
    for (std::uint64_t pos = 0;; pos += step) {
      const auto ad = allocation_descriptor(ads, pos, kind, part);
      if (!ad) break;
      const std::uint32_t len = ad->raw & 0x3FFFFFFF;
      const std::uint32_t type = ad->raw >> 30;
      if (len == 0) break;
      const auto abs = resolve(ad->ref, ad->lbn);
      if (type == 3) {  // ECMA-167 4/14.6: the next extent holds more descriptors
        if (abs) next = std::pair{*abs, std::uint64_t{len}};
        break;
      }
      const bool sparse = type != 0 || !abs;
      if (!abs && type == 0) {
        issues_.anomaly("udf.bad_descriptor", Severity::low, ads_at + pos,
                            "allocation descriptor names a partition that does not exist");
      }
      const std::uint64_t take = std::min<std::uint64_t>(len, size > total ? size - total : 0);
      // value_or(0): an extent in no partition is sparse (above): it reads as
      // zeros, and its offset 0 only enters the key views are compared by.
      if (take > 0) fe.extents.push_back(Extent{abs.value_or(0), take, sparse});
      total += take;
      if (total >= size) return;
    }
    if (!next) return;
    if (hop == max_chain || !seen.insert(next->first).second) {
      issues_.anomaly("udf.ad_loop", Severity::medium, next->first,
                          "allocation descriptor continuation extents loop or chain too long");
      return;
    }
    // The continuation is an Allocation Extent Descriptor (4/14.5): its
    // descriptors follow a 24-byte header, L_AD bytes of them.
    const ByteView aed = img_.clamp(next->first, next->second);
    const auto aed_head = core::Fixed<kAedHeaderSize>::at(aed);
    if (!tag_ok(aed, kTagAllocationExtent, next->first) || !aed_head) {
      issues_.anomaly("udf.bad_descriptor", Severity::low, next->first,
                          "an allocation continuation extent is not an Allocation Extent Descriptor");
      return;
    }
    const std::uint64_t l_ad = aed_head->le32<20>();
    if (l_ad > aed.size() - kAedHeaderSize) {
      issues_.anomaly("udf.bad_descriptor", Severity::low, next->first + 20,
                          "an Allocation Extent Descriptor claims more descriptors than its extent holds");
    }
    ads = aed.clamp(kAedHeaderSize, l_ad);
    ads_at = next->first + kAedHeaderSize;
  }
}

std::optional<FileEntry> UdfReader::read_file_entry(const LongAd& icb) {
  const auto at = resolve(icb.part, icb.lbn);
  if (!at) return std::nullopt;
  return read_file_entry_at(*at, icb.part);
}

std::optional<FileEntry> UdfReader::read_file_entry_at(std::uint64_t at_value, std::uint16_t part) {
  const std::optional<std::uint64_t> at = at_value;
  const LongAd icb{0, 0, part};
  const auto head = descriptor(*at, "a file entry");
  if (!head) return std::nullopt;
  const ByteView d = img_.clamp(*at, bs_);
  const std::uint16_t id = head->le16<0>();
  if (id != kTagFileEntry && id != kTagExtendedFileEntry) {
    issues_.anomaly("udf.bad_descriptor", Severity::low, *at,
                        "expected a file entry, found tag " + std::to_string(id));
    return std::nullopt;
  }
  if (!tag_ok(d, id, *at)) return std::nullopt;
  FileEntry fe;
  // ECMA-167 4/14.9 and 4/14.17: the ICB tag's file type, the information
  // length, then the extended attribute and allocation descriptor lengths.
  fe.type = head->u8<27>();
  fe.size = head->le64<56>();
  const bool extended = id == kTagExtendedFileEntry;
  if (extended && (head->le32<kEfeStreamIcb>() & 0x3FFFFFFF) != 0) {
    fe.streams = LongAd{head->le32<kEfeStreamIcb>(), head->le32<kEfeStreamIcb + 4>(),
                        head->le16<kEfeStreamIcb + 8>()};
  }
  const std::uint64_t l_ea = extended ? head->le32<208>() : head->le32<168>();
  const std::uint64_t l_ad = extended ? head->le32<212>() : head->le32<172>();
  const std::uint64_t ad_start = (extended ? 216 : 176) + l_ea;
  if (ad_start + l_ad > d.size()) {
    issues_.anomaly("udf.bad_descriptor", Severity::low, *at,
                        "extended attributes and allocation descriptors overrun the file entry");
    return std::nullopt;
  }
  const std::uint8_t kind = head->le16<34>() & 0x07;
  if (kind == 3) {  // ECMA-167 4/14.6.8: data embedded in the entry itself
    fe.extents.push_back(Extent{*at + ad_start, std::min(fe.size, l_ad), false});
    if (fe.size > l_ad) {
      issues_.anomaly("udf.bad_descriptor", Severity::low, *at,
                          "embedded file data is shorter than the file's length");
      fe.size = l_ad;
    }
    return fe;
  }
  if (kind > 3) {
    issues_.anomaly("udf.unsupported", Severity::low, *at,
                        "allocation descriptor type " + std::to_string(kind));
    return fe;
  }
  read_ads(d.clamp(ad_start, l_ad), *at + ad_start, kind, icb.part, fe.size, fe);
  return fe;
}

// The file tree from the FSD's root: directories of FIDs, and the stream
// directories of their entries. UDF 2.60 3.3.5: named streams (NTFS-style
// alternate data streams) of a file or directory are listed by its stream
// directory, a directory of FIDs. They are their own view, "/dir/file:stream",
// not compared with the ISO 9660 and Joliet trees: those have no streams, and a
// reader listing a file's main data only (Explorer, most tools) never shows them.
class UdfReader::TreeWalk {
 public:
  explicit TreeWalk(UdfReader& reader)
      : r_(reader), cap_(reader.budget_.limits().max_artifacts) {}

  void run(const LongAd& root) {
    stack_.push_back(Dir{root, "", false});
    if (auto at = r_.resolve(root.part, root.lbn)) visited_.insert(*at);
    while (!stack_.empty() && !r_.stop()) {
      const Dir d = std::move(stack_.back());
      stack_.pop_back();
      read_directory(d);
    }
    r_.out_.views.push_back(std::move(files_));
    if (!streams_.files.empty()) r_.out_.views.push_back(std::move(streams_));
  }

 private:
  struct Dir {
    LongAd icb;
    std::string path;
    bool streams = false;  // a stream directory: `path` is its owner's
  };
  enum class Next : unsigned char { read_on, stop };

  // Streams are read for entries of the ordinary tree only: a stream has no
  // streams of its own (UDF 2.60 3.3.5), so none is followed from one.
  void queue_streams(const FileEntry& fe, const std::string& owner) {
    if (!fe.streams) return;
    const auto at = r_.resolve(fe.streams->part, fe.streams->lbn);
    if (!at || !visited_.insert(*at).second) return;
    stack_.push_back(Dir{*fe.streams, owner.empty() ? "/" : owner, true});
  }

  // A directory's bytes may be split over extents: gather them, bounded by
  // the image size in total so many directories sharing one huge extent
  // cannot make the walk quadratic.
  std::vector<std::uint8_t> gather_directory(const FileEntry& fe) {
    std::vector<std::uint8_t> buf;
    for (const Extent& e : fe.extents) {
      if (e.sparse) continue;
      const ByteView part = r_.img_.clamp(e.offset, e.length);
      dir_bytes_ += part.size();
      if (dir_bytes_ > 2 * r_.img_.size() + (1u << 20)) {
        r_.out_.limit_reached = true;
        break;
      }
      buf.insert(buf.end(), part.data(), part.data() + part.size());
    }
    return buf;
  }

  void read_directory(const Dir& d) {
    const auto fe = r_.read_file_entry(d.icb);
    if (!fe) return;
    if (!d.streams) queue_streams(*fe, d.path);
    const std::vector<std::uint8_t> buf = gather_directory(*fe);
    const ByteView dir(buf.data(), buf.size());
    std::uint64_t pos = 0;
    while (pos + 38 <= dir.size()) {
      const std::uint64_t fid_at = fe->extents.empty() ? 0 : fe->extents.front().offset + pos;
      if (read_fid(d, dir.tail(pos), fid_at, pos) == Next::stop) break;
    }
  }

  // One File Identifier Descriptor (ECMA-167 4/14.4); advances `pos` past it.
  Next read_fid(const Dir& d, ByteView f, std::uint64_t fid_at, std::uint64_t& pos) {
    auto& issues = r_.issues_;
    // ECMA-167 4/14.4: 38 fixed bytes (the caller's loop keeps that many).
    const auto fid = core::Fixed<38>::at(f);
    if (!fid) return Next::stop;
    if (fid->le16<0>() != kTagFid) {
      if (fid->le16<0>() != 0) {
        issues.anomaly("udf.bad_descriptor", Severity::low, fid_at,
                       "directory '" + d.path + "/' holds a non-FID descriptor");
      }
      return Next::stop;
    }
    const std::uint8_t chars = fid->u8<18>();
    const std::uint8_t l_fi = fid->u8<19>();
    const std::uint16_t l_iu = fid->le16<36>();
    const std::uint64_t total = (38 + std::uint64_t{l_iu} + l_fi + 3) & ~std::uint64_t{3};
    if (total > f.size()) {
      issues.anomaly("udf.bad_descriptor", Severity::low, fid_at,
                     "file identifier descriptor runs past its directory");
      return Next::stop;
    }
    pos += total;
    if ((chars & (kFidParent | kFidDeleted)) != 0) return Next::read_on;
    bool ok = true;
    const std::string name = osta_cs0_to_utf8(f.clamp(38 + std::uint64_t{l_iu}, l_fi), ok);
    if (!ok) {
      issues.anomaly("udf.unsupported", Severity::low, fid_at, "file identifier with an unknown compression id");
    }
    const std::string path = d.path + (d.streams ? ":" : "/") + name;
    const LongAd icb{fid->le32<20>(), fid->le32<24>(), fid->le16<28>()};
    if (++entries_ > cap_) {
      r_.out_.limit_reached = true;
      return Next::stop;
    }
    const bool hidden = (chars & kFidHidden) != 0;
    if (hidden) {
      issues.anomaly("udf.hidden_file", Severity::medium, fid_at, "'" + path + "' has the UDF hidden characteristic");
    }
    if ((chars & kFidDirectory) != 0) {
      directory_fid(d, icb, path, fid_at);
      return Next::read_on;
    }
    auto file = r_.read_file_entry(icb);
    if (!file || (file->type != kIcbFile && file->type != 0)) return Next::read_on;
    if (d.streams) {
      FileRecord s{"udf-stream", path, std::move(file->extents), file->size, hidden, fid_at, {}, std::nullopt, {}};
      s.anomalies.push_back(Anomaly{"udf.named_stream", Severity::low, fid_at,
                                    "named stream '" + name + "' of '" + d.path +
                                        "': hidden beside the file's data, Explorer never lists it"});
      streams_.files.push_back(std::move(s));
      return Next::read_on;
    }
    queue_streams(*file, path);
    files_.files.push_back(FileRecord{"udf", path, std::move(file->extents), file->size, hidden, fid_at, {},
                                      std::nullopt, {}});
    return Next::read_on;
  }

  void directory_fid(const Dir& d, const LongAd& icb, const std::string& path, std::uint64_t fid_at) {
    if (d.streams) {
      r_.issues_.anomaly("udf.bad_descriptor", Severity::low, fid_at,
                             "stream directory of '" + d.path + "' lists a directory");
      return;
    }
    const auto at = r_.resolve(icb.part, icb.lbn);
    if (!at) return;
    if (!visited_.insert(*at).second) {
      r_.issues_.anomaly("udf.directory_cycle", Severity::medium, fid_at,
                             "directory '" + path + "' points at a directory already read");
      return;
    }
    stack_.push_back(Dir{icb, path});
  }

  UdfReader& r_;
  const std::uint64_t cap_;
  View files_{"udf", true, {}};
  View streams_{"udf-stream", false, {}};
  std::vector<Dir> stack_;
  std::set<std::uint64_t> visited_;  // directory and stream directory ICBs
  std::uint64_t entries_ = 0;
  std::uint64_t dir_bytes_ = 0;
};

void UdfReader::walk(const LongAd& root) { TreeWalk(*this).run(root); }

// UDF 2.50 2.2.13: the metadata partition's blocks are the bytes of the
// metadata file; its mirror holds the same and is what readers (Linux udf)
// fall back to when the main file is damaged.
void UdfReader::read_metadata_file(std::size_t i) {
  auto read = [&](std::uint32_t lbn) {
    // The file entry lives in the physical partition the map names.
    std::vector<PartitionMap> saved = maps_;
    maps_ = {map_of(saved[i].partition)};
    auto fe = read_file_entry(LongAd{static_cast<std::uint32_t>(bs_), lbn, 0});
    maps_ = std::move(saved);
    return fe;
  };
  if (auto fe = read(maps_[i].metadata_file)) {
    maps_[i].metadata_extents = std::move(fe->extents);
    return;
  }
  if (auto fe = read(maps_[i].metadata_mirror)) {
    issues_.anomaly("udf.metadata_mirror_used", Severity::medium, anchor_,
                        "the UDF metadata file is damaged; its mirror (block " +
                            std::to_string(maps_[i].metadata_mirror) + ") was read instead");
    maps_[i].metadata_extents = std::move(fe->extents);
    return;
  }
  issues_.anomaly("udf.bad_descriptor", Severity::low, anchor_,
                      "neither the UDF 2.50 metadata file nor its mirror could be read");
}

void UdfReader::run() {
  // Without NSR02/NSR03 a sector-256 "anchor" is just file data of an ISO image.
  if (!recognised()) return;
  if (!find_anchor()) {
    issues_.anomaly("udf.no_anchor", Severity::low, kAnchorSector * kSector,
                        "UDF recognition sequence present but no anchor volume descriptor");
    return;
  }
  // ECMA-167 3/10.2: the main and reserve sequences' extents (length, location).
  const auto a = UdfBlock::at(img_, anchor_);  // find_anchor took it whole
  if (!a) return;
  if (!read_vds(a->le32<20>(), a->le32<16>())) {
    partitions_.clear();
    maps_.clear();
    have_lvd_ = false;
    if (!read_vds(a->le32<28>(), a->le32<24>())) {
      issues_.anomaly("udf.bad_descriptor", Severity::low, anchor_,
                          "no usable partition and logical volume descriptors");
      return;
    }
  }
  out_.udf = true;
  for (std::size_t i = 0; i < maps_.size(); ++i) {
    if (maps_[i].metadata) read_metadata_file(i);
  }
  for (PartitionMap& m : maps_) {
    if (m.virt) read_vat(m);
  }
  if (!fsd_) return;
  const auto fsd_at = resolve(fsd_->part, fsd_->lbn);
  const auto fsd = fsd_at ? UdfBlock::at(img_, *fsd_at) : std::nullopt;
  if (!fsd || !tag_ok(fsd->view(), kTagFsd, *fsd_at)) {
    // value_or(0): a descriptor in no partition is reported at 0.
    issues_.anomaly("udf.bad_descriptor", Severity::low, fsd_at.value_or(0),
                        "the file set descriptor is missing or damaged");
    return;
  }
  // ECMA-167 4/14.1: the file set identifier, then the root directory's ICB.
  out_.meta.push_back(meta::udf::file_set_id(dstring(fsd->view(), 304, 32)));
  walk(LongAd{fsd->le32<400>(), fsd->le32<404>(), fsd->le16<408>()});
}

}  // namespace

namespace detail {
void read_udf(ByteView image, const core::Budget& budget, Image& out, Issues& issues) {
  UdfReader(image, budget, out, issues).run();
}
}  // namespace detail

std::string osta_cs0_to_utf8(ByteView bytes, bool& ok) {
  // OSTA UDF 2.1.1: compression id 8 = one byte per code point (Latin-1),
  // 16 = UTF-16BE; 254/255 are the UDF 2.50 spellings of the same.
  std::uint8_t id = 0;
  ok = true;
  if (!bytes.byte_at(0, id)) return {};
  const ByteView rest = bytes.tail(1);
  if (id == 16 || id == 255) return utf16be_to_utf8(rest);
  if (id != 8 && id != 254) ok = false;
  return core::latin1_to_utf8(rest.chars());
}

}  // namespace sluice::formats::iso9660
