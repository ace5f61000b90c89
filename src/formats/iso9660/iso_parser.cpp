// ECMA-119 volume descriptors, directory hierarchies (primary with Rock Ridge,
// each supplementary: Joliet levels 1-3 or ISO 9660:1999), path tables, the El
// Torito catalog and primary descriptors of earlier sessions.
#include "core/text.hpp"
#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>

#include "core/checked.hpp"
#include "formats/iso9660/bytes.hpp"
#include "formats/iso9660/layout.hpp"
#include "formats/iso9660/parser.hpp"
#include "formats/iso9660/readers.hpp"
#include "formats/iso9660/rock_ridge.hpp"
#include "meta/iso9660.hpp"

namespace sluice::formats::iso9660 {
namespace {


struct Dir {
  std::uint32_t lba = 0;
  std::uint32_t size = 0;
  std::string iso_path;
  std::string rr_path;
  bool iso_listed = true;  // false: reached only through a Rock Ridge CL
};

// RRIP 4.1.5: a directory deeper than ECMA-119's 8 levels is moved (usually
// under /rr_moved) and marked RE; a CL placeholder file stands at its real
// place. Both halves are collected, in whichever order the walk meets them.
struct Relocation {
  std::optional<Dir> moved;            // the RE directory: LBA, size, ISO 9660 path
  std::optional<std::string> rr_path;  // the CL placeholder's Rock Ridge path
  std::uint64_t cl_at = 0;
  bool done = false;
};

std::string strip_version(std::string s) {
  const auto semi = s.rfind(';');
  if (semi != std::string::npos) s.erase(semi);
  return s;
}

std::string dec_datetime(ByteView v, std::uint64_t off) {
  // ECMA-119 8.4.26.1: 16 digits + GMT offset; all zeros or spaces means "not specified".
  const std::string s(v.clamp(off, 16).chars());
  if (s.size() != 16 || s.find_first_not_of("0123456789") != std::string::npos ||
      s.find_first_not_of('0') == std::string::npos) {
    return {};
  }
  return s.substr(0, 4) + "-" + s.substr(4, 2) + "-" + s.substr(6, 2) + "T" + s.substr(8, 2) +
         ":" + s.substr(10, 2) + ":" + s.substr(12, 2);
}

class IsoReader {
 public:
  IsoReader(ByteView img, const core::Budget& budget, Image& out, Issues& issues)
      : img_(img), budget_(budget), out_(out), issues_(issues) {}

  void run();

 private:
  struct WalkSpec {
    std::string view;
    std::string rr_view;  // empty: no Rock Ridge
    bool joliet = false;
    bool primary = false;
    bool report_cycles = true;
  };

  void read_metadata(ByteView pvd);
  void check_both_endian(const VolumeDescriptor& pvd, std::uint64_t at);
  void walk(const DirRecord& root, std::uint64_t root_at, const WalkSpec& spec,
            std::unordered_set<std::uint32_t>& visited);
  class TreeWalk;
  void parse_susp(ByteView sua, std::uint64_t at, RockRidge& rr);
  void short_entry(ByteView e, std::uint64_t at);
  bool detect_susp(ByteView root_dir);
  void check_path_tables(const VolumeDescriptor& pvd, std::uint64_t at,
                         const std::unordered_set<std::uint32_t>& dirs);
  void read_el_torito(const VolumeDescriptor& boot, std::uint64_t at);
  void scan_sessions(std::uint64_t vd_end, std::unordered_set<std::uint32_t>& visited);
  void add_file(View& v, FileRecord f);
  std::vector<Extent> file_extents(const RecordHead& rec, std::uint64_t rec_at, std::uint32_t lba,
                                   std::uint32_t size, FileRecord& notes);
  bool stop();

  std::optional<std::uint64_t> block_offset(std::uint64_t lba) const {
    return core::checked_mul(lba, block_);
  }

  ByteView img_;
  const core::Budget& budget_;
  Image& out_;
  Issues& issues_;
  std::uint64_t block_ = kSector;
  bool susp_ = false;
  std::uint8_t susp_skip_ = 0;
  std::uint64_t entries_ = 0;
  std::uint64_t interleave_blocks_ = 0;  // blocks mapped for interleaved files, all records
};

bool IsoReader::stop() {
  if (out_.limit_reached || out_.deadline) return true;
  if (budget_.expired()) {
    out_.deadline = true;
    return true;
  }
  return false;
}

void IsoReader::add_file(View& v, FileRecord f) {
  // Entries, not artifacts, are counted: a directory of a million names that all
  // point at one extent would otherwise cost memory without emitting anything.
  const std::uint64_t cap = budget_.limits().max_artifacts;
  if (++entries_ > cap) {
    out_.limit_reached = true;
    return;
  }
  v.files.push_back(std::move(f));
}

// ECMA-119 9.1.7/9.1.8 and 6.4.3: an interleaved file section is recorded in
// units of `unit` logical blocks, each followed by `gap` blocks of something
// else. Reading it as contiguous returns the gaps' bytes, so the file is mapped
// unit by unit (extended attribute blocks count as the section's first blocks).
// The blocks mapped over all records are capped at twice the image's blocks, as
// a directory of records each interleaving over the whole image would otherwise
// cost memory quadratic in the image; the cap is a children limit hit.
std::vector<Extent> IsoReader::file_extents(const RecordHead& rec, std::uint64_t rec_at, std::uint32_t lba,
                                            std::uint32_t size, FileRecord& notes) {
  const std::uint64_t ear = rec.u8<kDrEarLength>();
  const std::uint64_t unit = rec.u8<kDrUnitSize>();
  const std::uint64_t gap = rec.u8<kDrGapSize>();
  // value_or(0): lba and ear are a u32 and a u8, so the sum cannot overflow;
  // the product's overflow is kept as UINT64_MAX, an extent past any image.
  const auto data_at = core::checked_mul(core::checked_add(lba, ear).value_or(0), block_);
  const Extent whole{data_at.value_or(UINT64_MAX), size, false};
  if (unit == 0 && gap == 0) return size > 0 ? std::vector<Extent>{whole} : std::vector<Extent>{};
  if (unit == 0) {
    notes.anomalies.push_back(Anomaly{"iso.interleave_invalid", Severity::low, rec_at,
                                      "interleave gap of " + std::to_string(gap) +
                                          " blocks with a file unit size of 0; read as contiguous"});
    return size > 0 ? std::vector<Extent>{whole} : std::vector<Extent>{};
  }
  const std::string layout = "unit " + std::to_string(unit) + ", gap " + std::to_string(gap);
  notes.meta.push_back(meta::iso::interleaved(layout));
  // Units without gaps are back to back: the same bytes as a contiguous read.
  if (gap == 0) return size > 0 ? std::vector<Extent>{whole} : std::vector<Extent>{};
  notes.anomalies.push_back(Anomaly{
      "iso.interleaved", Severity::info, rec_at,
      "recorded interleaved (" + layout + " blocks): the units are assembled in order; "
      "ClamAV skips such files and Linux isofs reads them as empty"});
  std::vector<Extent> out;
  const std::uint64_t cap = core::checked_mul(img_.size() / block_ + 1, 2).value_or(UINT64_MAX);
  std::uint64_t left = size;
  // Logical block k of the section lies in unit k / unit, at k % unit within it.
  for (std::uint64_t k = ear; left > 0; ++k) {
    if (++interleave_blocks_ > cap) {
      out_.limit_reached = true;
      notes.size = size - left;  // what was mapped; the rest is beyond the limit
      return out;
    }
    const std::uint64_t block = lba + (k / unit) * (unit + gap) + k % unit;  // < 2^41: no overflow
    const std::uint64_t at = block * block_;
    const std::uint64_t take = std::min(left, block_);
    if (at >= img_.size()) {  // the rest lies past the end: one extent says so, a prefix is kept
      out.push_back(Extent{at, left, false});
      break;
    }
    if (!out.empty() && out.back().offset + out.back().length == at) {
      out.back().length += take;
    } else {
      out.push_back(Extent{at, take, false});
    }
    left -= take;
  }
  notes.size = size;
  return out;
}

void IsoReader::read_metadata(ByteView pvd) {
  auto put = [&](const MetaKey<std::string>& key, std::string value) {
    if (!value.empty()) out_.meta.push_back(key(std::move(value)));
  };
  put(meta::iso::system_id, trimmed(pvd, kPvdSystemId, 32));
  put(meta::iso::volume_id, trimmed(pvd, kPvdVolumeId, 32));
  put(meta::iso::volume_set_id, trimmed(pvd, kPvdVolumeSetId, 128));
  put(meta::iso::publisher_id, trimmed(pvd, kPvdPublisherId, 128));
  put(meta::iso::preparer_id, trimmed(pvd, kPvdPreparerId, 128));
  put(meta::iso::application_id, trimmed(pvd, kPvdApplicationId, 128));
  put(meta::iso::created, dec_datetime(pvd, kPvdCreated));
  put(meta::iso::modified, dec_datetime(pvd, kPvdModified));
}

// ECMA-119 7.2.3 / 7.3.3: both byte orders must agree. Windows' cdfs reads the
// little-endian half, Linux isofs and most tools too, but some read the other:
// a disagreement is two readers seeing two discs.
void IsoReader::check_both_endian(const VolumeDescriptor& pvd, std::uint64_t at) {
  struct Field {
    std::uint64_t off;
    bool same;
    const char* what;
  };
  for (const Field f : {Field{kPvdSpaceSize, both_endian_agree32<kPvdSpaceSize>(pvd), "volume space size"},
                        Field{120, both_endian_agree16<120>(pvd), "volume set size"},
                        Field{124, both_endian_agree16<124>(pvd), "volume sequence number"},
                        Field{kPvdBlockSize, both_endian_agree16<kPvdBlockSize>(pvd), "logical block size"},
                        Field{kPvdPathTableSize, both_endian_agree32<kPvdPathTableSize>(pvd), "path table size"}}) {
    if (!f.same) {
      issues_.anomaly("iso.endian_mismatch", Severity::high, at + f.off,
                          std::string("the little- and big-endian copies of the ") + f.what +
                              " disagree");
    }
  }
}

bool IsoReader::detect_susp(ByteView root_dir) {
  // IEEE P1281 5.3: the SP entry opens the system use area of the root's "." record.
  std::uint8_t len = 0;
  if (!root_dir.byte_at(0, len) || len < kDrMinSize) return false;
  const ByteView rec = root_dir.clamp(0, len);
  const auto head = RecordHead::at(rec);
  if (!head) return false;  // the directory ends inside its first record
  const std::uint8_t name_len = head->u8<kDrNameLength>();
  const std::uint64_t sua = kDrName + name_len + (name_len % 2 == 0 ? 1 : 0);
  // SUSP 5.3: "SP", length 7, version 1, check bytes BE EF, bytes skipped.
  const auto sp = core::Fixed<7>::at(rec, sua);
  if (sp && sp->view().starts_with("SP") && sp->u8<4>() == 0xBE && sp->u8<5>() == 0xEF) {
    susp_skip_ = sp->u8<6>();
    return true;
  }
  return false;
}

// An entry too short for its fixed fields is skipped: its fields are not there
// to read, and reading them as zeros would invent a link, a mode or a size.
void IsoReader::short_entry(ByteView e, std::uint64_t at) {
  issues_.anomaly("iso.bad_directory_record", Severity::low, at,
                  "system use entry '" + std::string(e.clamp(0, 2).chars()) + "' of " + std::to_string(e.size()) +
                      " bytes is too short for its fields; skipped");
}

void IsoReader::parse_susp(ByteView sua, std::uint64_t at, RockRidge& rr) {
  ByteView area = sua.tail(susp_skip_);
  std::uint64_t area_at = at + susp_skip_;
  std::set<std::uint64_t> seen;
  for (std::uint32_t hop = 0;; ++hop) {
    std::optional<std::pair<std::uint64_t, std::uint64_t>> next;
    // SUSP 4.1: each entry is signature, length, version, then its fields.
    std::uint64_t pos = 0;
    for (auto head = core::Fixed<4>::at(area, pos); head; head = core::Fixed<4>::at(area, pos)) {
      const std::uint8_t len = head->u8<2>();
      if (len < 4 || !area.contains(pos, len)) break;
      const ByteView e = area.clamp(pos, len);
      if (e.starts_with("ST")) break;
      const EntryRead read = parse_rrip_entry(e, rr);
      if (read == EntryRead::unknown && e.starts_with("CE")) {
        // SUSP 5.1: block, offset and length of the continuation, both-endian.
        if (const auto ce = core::Fixed<kSuspCeSize>::at(e)) {
          const auto base = block_offset(ce->le32<4>());
          const auto where = base ? core::checked_add(*base, ce->le32<12>()) : std::nullopt;
          if (where) next = std::pair{*where, std::uint64_t{ce->le32<20>()}};
        } else {
          short_entry(e, area_at + pos);
        }
      } else if (read == EntryRead::short_entry) {
        short_entry(e, area_at + pos);
      }
      pos += len;
    }
    if (!next) return;
    if (hop >= budget_.limits().iso9660.max_continuations || !seen.insert(next->first).second) {
      issues_.anomaly("iso.rr_continuation_loop", Severity::medium, area_at,
                          "Rock Ridge continuation areas loop or chain past " +
                              std::to_string(budget_.limits().iso9660.max_continuations) + " hops");
      return;
    }
    auto sub = img_.subview(next->first, next->second);
    if (!sub) {
      issues_.anomaly("iso.extent_past_end", Severity::medium, next->first,
                          "a Rock Ridge continuation area lies past the end of the image");
      return;
    }
    area = *sub;
    area_at = next->first;
  }
}

// One directory hierarchy read into a view (and its Rock Ridge twin): the
// directory stack, the relocations Rock Ridge asks for, and the records of a
// multi-extent or associated file still being assembled. Each method is one
// step: a directory, one record in it, a directory record, a file record.
class IsoReader::TreeWalk {
 public:
  TreeWalk(IsoReader& reader, const WalkSpec& spec, std::unordered_set<std::uint32_t>& visited,
           std::size_t iso_index, std::size_t rr_index)
      : r_(reader), spec_(spec), visited_(visited), iso_index_(iso_index), rr_index_(rr_index) {}

  void run(const Dir& root) {
    stack_.push_back(root);
    while ((!stack_.empty() || orphans()) && !r_.stop()) {
      const Dir d = std::move(stack_.back());
      stack_.pop_back();
      read_directory(d);
    }
  }

 private:
  // A file's records not yet added: ECMA-119 6.5.1 multi-extent files span
  // several records, the last with the flag clear.
  struct Pending {
    std::optional<FileRecord> iso, rr, assoc;
  };
  // What one file record contributes to its pending file.
  struct Piece {
    std::uint64_t rec_at = 0;
    std::uint8_t flags = 0;
    std::vector<Extent> extents;
    FileRecord notes;  // interleave meta/anomalies; size = bytes mapped
  };

  void read_directory(const Dir& d) {
    const auto dir_at = r_.block_offset(d.lba);
    const ByteView dir = dir_at ? r_.img_.clamp(*dir_at, d.size) : ByteView{};
    if (dir.size() < d.size) {
      // value_or(0): an LBA whose byte offset overflows is reported at 0.
      r_.issues_.anomaly("iso.extent_past_end", Severity::medium, dir_at.value_or(0),
                             "directory '" + d.iso_path + "/' extends past the end of the image");
    }
    if (first_dir_ && spec_.primary) r_.susp_ = r_.detect_susp(dir);
    first_dir_ = false;
    use_rr_ = r_.susp_ && rr_index_ != SIZE_MAX;

    Pending pending;
    std::uint64_t pos = 0;
    std::uint8_t len = 0;
    while (dir.byte_at(pos, len)) {
      const std::uint64_t next_sector = (pos / kSector + 1) * kSector;
      // ECMA-119 6.8.1.1: records never span a sector; a zero length pads to the next.
      if (len == 0) {
        pos = next_sector;
        continue;
      }
      const std::uint64_t rec_at = *dir_at + pos;
      if (len < kDrMinSize - 1 || pos + len > std::min<std::uint64_t>(next_sector, dir.size())) {
        r_.issues_.anomaly("iso.bad_directory_record", Severity::low, rec_at,
                               "directory record of length " + std::to_string(len) +
                                   " does not fit its sector");
        pos = next_sector;
        continue;
      }
      const ByteView rec = dir.clamp(pos, len);
      pos += len;
      read_record(d, rec, rec_at, pending);
    }
    if (pending.iso || pending.rr || pending.assoc) {
      const FileRecord& p = pending.iso ? *pending.iso : pending.rr ? *pending.rr : *pending.assoc;
      r_.issues_.anomaly("iso.bad_directory_record", Severity::low, p.record_offset,
                             "multi-extent file '" + p.path + "' has no final extent");
      if (pending.iso) r_.add_file(r_.out_.views[iso_index_], std::move(*pending.iso));
      if (pending.rr) r_.add_file(r_.out_.views[rr_index_], std::move(*pending.rr));
      if (pending.assoc) r_.add_file(r_.out_.views[iso_index_], std::move(*pending.assoc));
    }
  }

  void read_record(const Dir& d, ByteView rec, std::uint64_t rec_at, Pending& pending) {
    const std::uint8_t len = static_cast<std::uint8_t>(rec.size());
    // read_directory keeps records of at least 33 bytes, the fixed part.
    const auto head = RecordHead::at(rec);
    if (!head) {
      r_.issues_.anomaly("iso.bad_directory_record", Severity::low, rec_at,
                         "directory record of length " + std::to_string(len) + " is shorter than its fixed fields");
      return;
    }
    const std::uint8_t name_len = head->u8<kDrNameLength>();
    if (kDrName + name_len > len) {
      r_.issues_.anomaly("iso.bad_directory_record", Severity::low, rec_at,
                             "file identifier runs past its directory record");
      return;
    }
    const ByteView raw_name = rec.clamp(kDrName, name_len);
    std::uint8_t c0 = 0;
    if (name_len == 1 && raw_name.byte_at(0, c0) && c0 <= 1) return;  // "." and ".."
    const std::uint8_t flags = head->u8<kDrFlags>();
    const std::uint32_t lba = head->le32<kDrExtent>();
    const std::uint32_t size = head->le32<kDrDataLength>();
    if (!both_endian_agree32<kDrExtent>(*head) || !both_endian_agree32<kDrDataLength>(*head)) {
      r_.issues_.anomaly("iso.endian_mismatch", Severity::high, rec_at,
                             "extent or size differs between the little- and big-endian copies");
    }
    std::string name = spec_.joliet ? utf16be_to_utf8(raw_name) : std::string(raw_name.chars());
    RockRidge rr;
    if (use_rr_) {
      const std::uint64_t sua_at = kDrName + name_len + (name_len % 2 == 0 ? 1 : 0);
      r_.parse_susp(rec.tail(sua_at), rec_at + sua_at, rr);
      finish_rock_ridge(rr);
    }
    const bool is_dir = (flags & kFlagDirectory) != 0;
    if (spec_.joliet || is_dir) name = strip_version(std::move(name));
    const std::string iso_path = d.iso_path + "/" + name;
    const std::string rr_path = d.rr_path + "/" + (rr.has_name ? rr.name : name);
    if (is_dir) {
      directory_record(d, rr, flags, lba, size, rec_at, iso_path, rr_path);
      return;
    }
    if (rr.child_link) {  // a placeholder: the directory it names is walked in its place
      Relocation& r = relocations_[*rr.child_link];
      if (!r.rr_path) {
        r.rr_path = rr_path;
        r.cl_at = rec_at;
      }
      relocate(*rr.child_link, r);
      return;
    }
    Piece piece{rec_at, flags, {}, {}};
    piece.notes.size = size;
    piece.extents = r_.file_extents(*head, rec_at, lba, size, piece.notes);
    if ((flags & kFlagAssociated) != 0) {
      associated_record(d, name, piece, pending);
      return;
    }
    file_record(d, rr, size, iso_path, rr_path, piece, pending);
  }

  void directory_record(const Dir& d, const RockRidge& rr, std::uint8_t flags, std::uint32_t lba,
                        std::uint32_t size, std::uint64_t rec_at, const std::string& iso_path,
                        const std::string& rr_path) {
    if ((flags & kFlagHidden) != 0) {
      r_.issues_.anomaly("iso.hidden_file", Severity::medium, rec_at,
                             "directory '" + iso_path + "' has the hidden (existence) flag");
    }
    if (rr.relocated && d.iso_listed) {
      Relocation& r = relocations_[lba];
      if (!r.moved) r.moved = Dir{lba, size, iso_path, rr_path, true};
      relocate(lba, r);
      return;
    }
    if (!visited_.insert(lba).second) {
      if (spec_.report_cycles) {
        r_.issues_.anomaly("iso.directory_cycle", Severity::medium, rec_at,
                               "directory '" + iso_path + "' points at a directory already read");
      }
      return;
    }
    stack_.push_back(Dir{lba, size, iso_path, rr_path, d.iso_listed});
  }

  // ECMA-119 9.1.6 / 9.3: an associated file (a Macintosh-style fork or
  // extended data) carries its owner's name and precedes it. It is its own
  // stream: merged with the owner it would hide its bytes or the owner's.
  // Rock Ridge readers (Linux isofs without "unhide") do not list it.
  void associated_record(const Dir& d, const std::string& name, const Piece& piece, Pending& pending) {
    if (d.iso_listed) {
      // Before the ";1" version of the leaf, so names still compare across views.
      const auto semi = spec_.joliet ? std::string::npos : name.rfind(';');
      std::string apath = d.iso_path + "/" + name;
      apath.insert(semi == std::string::npos ? apath.size() : d.iso_path.size() + 1 + semi,
                   ":associated");
      extend(pending.assoc, spec_.view, apath, piece);
      pending.assoc->associated = true;
      if (std::none_of(pending.assoc->meta.begin(), pending.assoc->meta.end(),
                       [](const Meta& x) { return x.key == meta::iso::associated; })) {
        pending.assoc->meta.push_back(meta::iso::associated(true));
      }
    }
    if ((piece.flags & kFlagMultiExtent) != 0) return;
    if (pending.assoc) r_.add_file(r_.out_.views[iso_index_], std::move(*pending.assoc));
    pending.assoc.reset();
  }

  void file_record(const Dir& d, const RockRidge& rr, std::uint32_t size, const std::string& iso_path,
                   const std::string& rr_path, const Piece& piece, Pending& pending) {
    // A Rock Ridge symlink has no data: ISO 9660 and Joliet list it as an
    // empty file, which hides nothing, so only the Rock Ridge view keeps it.
    const bool link_only = rr.symlink && size == 0;
    if (d.iso_listed && !link_only) extend(pending.iso, spec_.view, iso_path, piece);
    if (use_rr_) {
      const bool fresh = !pending.rr;
      extend(pending.rr, spec_.rr_view, rr_path, piece);
      if (fresh) {
        pending.rr->meta.insert(pending.rr->meta.begin(), rr.meta.begin(), rr.meta.end());
        pending.rr->zisofs = rr.zisofs;
        if (rr.symlink && size > 0) {
          pending.rr->anomalies.push_back(Anomaly{
              "iso.rr_symlink_with_data", Severity::medium, piece.rec_at,
              "Rock Ridge readers see a symbolic link to '" + rr.link_target + "'; Windows reads " +
                  std::to_string(size) + " bytes of file data under this name"});
        }
      }
    }
    // ECMA-119 6.5.1: a multi-extent file's records share one name; the last
    // record has the flag clear.
    if ((piece.flags & kFlagMultiExtent) != 0) return;
    if (pending.iso) r_.add_file(r_.out_.views[iso_index_], std::move(*pending.iso));
    pending.iso.reset();
    if (pending.rr) {
      r_.add_file(r_.out_.views[rr_index_], std::move(*pending.rr));
      pending.rr.reset();
    }
  }

  static void extend(std::optional<FileRecord>& p, const std::string& view, const std::string& path,
                     const Piece& piece) {
    if (!p) p = FileRecord{view, path, {}, 0, false, piece.rec_at, {}, std::nullopt, {}};
    p->extents.insert(p->extents.end(), piece.extents.begin(), piece.extents.end());
    p->size += piece.notes.size;
    p->hidden = p->hidden || (piece.flags & kFlagHidden) != 0;
    for (const Meta& m : piece.notes.meta) {
      if (std::none_of(p->meta.begin(), p->meta.end(), [&](const Meta& x) { return x.key == m.key; })) {
        p->meta.push_back(m);
      }
    }
    p->anomalies.insert(p->anomalies.end(), piece.notes.anomalies.begin(), piece.notes.anomalies.end());
  }

  // Earlier sessions share the visited set with the current tree, so there a
  // directory already read is expected, not a loop.
  void cycle(const Relocation& r) {
    if (!spec_.report_cycles) return;
    r_.issues_.anomaly("iso.directory_cycle", Severity::medium, r.cl_at,
                           "Rock Ridge child link '" + *r.rr_path +
                               "' points at a directory already read (an ancestor or a second link)");
  }

  // A relocated directory is walked once both its RE record and its CL
  // placeholder are known: ISO 9660 path from the first, Rock Ridge path from
  // the second, as libarchive and Linux present it.
  void relocate(std::uint32_t lba, Relocation& r) {
    if (r.done || !r.moved || !r.rr_path) return;
    r.done = true;
    if (!visited_.insert(lba).second) {
      cycle(r);
      return;
    }
    stack_.push_back(Dir{lba, r.moved->size, r.moved->iso_path, *r.rr_path, true});
  }

  // Halves left over once the tree is read: an RE directory nobody links stays
  // where it is (under rr_moved); a CL to a directory with no RE is followed for
  // the Rock Ridge view only, its size taken from the target's "." record.
  bool orphans() {
    for (auto& [lba, r] : relocations_) {
      if (r.done) continue;
      r.done = true;
      if (r.moved) {
        if (visited_.insert(lba).second) stack_.push_back(*r.moved);
        continue;
      }
      if (!visited_.insert(lba).second) {
        cycle(r);
        continue;
      }
      const auto at = r_.block_offset(lba);
      const auto dot = at ? DirRecord::at(r_.img_, *at) : std::nullopt;
      if (!dot) {
        r_.issues_.anomaly("iso.extent_past_end", Severity::medium, r.cl_at,
                           "Rock Ridge child link '" + *r.rr_path + "' points past the end of the image");
        continue;
      }
      stack_.push_back(Dir{lba, dot->le32<kDrDataLength>(), "", *r.rr_path, false});
    }
    return !stack_.empty();
  }

  IsoReader& r_;
  const WalkSpec& spec_;
  std::unordered_set<std::uint32_t>& visited_;
  std::size_t iso_index_;
  std::size_t rr_index_;
  std::vector<Dir> stack_;
  std::map<std::uint32_t, Relocation> relocations_;
  bool first_dir_ = true;
  bool use_rr_ = false;
};

void IsoReader::walk(const DirRecord& root_record, std::uint64_t root_at, const WalkSpec& spec,
                     std::unordered_set<std::uint32_t>& visited) {
  out_.views.push_back(View{spec.view, !spec.view.starts_with("iso9660@"), {}});
  const std::size_t iso_index = out_.views.size() - 1;
  std::size_t rr_index = SIZE_MAX;
  if (!spec.rr_view.empty()) {
    out_.views.push_back(View{spec.rr_view, false, {}});
    rr_index = out_.views.size() - 1;
  }
  const std::uint32_t root_lba = root_record.le32<kDrExtent>();
  if (!both_endian_agree32<kDrExtent>(root_record)) {
    issues_.anomaly("iso.endian_mismatch", Severity::high, root_at + kDrExtent,
                        "the root directory's extent differs between byte orders");
  }
  if (!visited.insert(root_lba).second) return;  // an earlier walk covered this tree
  TreeWalk(*this, spec, visited, iso_index, rr_index)
      .run(Dir{root_lba, root_record.le32<kDrDataLength>(), "", "", true});
  if (rr_index != SIZE_MAX && out_.views[rr_index].files.empty()) {
    out_.views.erase(out_.views.begin() + static_cast<std::ptrdiff_t>(rr_index));
  }
}

void IsoReader::check_path_tables(const VolumeDescriptor& pvd, std::uint64_t at,
                                  const std::unordered_set<std::uint32_t>& dirs) {
  const std::uint32_t size = pvd.le32<kPvdPathTableSize>();
  const auto l_at = block_offset(pvd.le32<kPvdLPathTable>());
  const auto m_at = block_offset(pvd.be32<kPvdMPathTable>());
  if (!l_at || !m_at) return;
  const ByteView l = img_.clamp(*l_at, size);
  const ByteView m = img_.clamp(*m_at, size);
  if (l.size() < size || m.size() < size) {
    issues_.anomaly("iso.path_table_mismatch", Severity::medium, at + kPvdPathTableSize,
                        "a path table extends past the end of the image");
    return;
  }
  std::vector<std::uint32_t> l_dirs, m_dirs;
  auto read_table = [](ByteView t, bool little, std::vector<std::uint32_t>& out) {
    std::uint64_t pos = 0;
    // ECMA-119 9.4: 8 fixed bytes, the identifier, a pad byte when its length is odd.
    for (auto entry = core::Fixed<8>::at(t, pos); entry; entry = core::Fixed<8>::at(t, pos)) {
      const std::uint8_t len = entry->u8<0>();
      if (len == 0) break;
      out.push_back(little ? entry->le32<2>() : entry->be32<2>());
      pos += 8 + len + (len % 2);
    }
  };
  read_table(l, true, l_dirs);
  read_table(m, false, m_dirs);
  if (l_dirs != m_dirs) {
    issues_.anomaly("iso.path_table_mismatch", Severity::medium, *l_at,
                        "the little-endian (Windows) and big-endian path tables list different "
                        "directories");
  }
  std::size_t missing = 0;
  for (const std::uint32_t d : l_dirs) missing += dirs.count(d) == 0 ? 1 : 0;
  const std::unordered_set<std::uint32_t> listed(l_dirs.begin(), l_dirs.end());
  std::size_t unlisted = 0;
  for (const std::uint32_t d : dirs) unlisted += listed.count(d) == 0 ? 1 : 0;
  if (missing > 0 || unlisted > 0) {
    issues_.anomaly("iso.path_table_mismatch", Severity::medium, *l_at,
                        std::to_string(missing) + " path table directories are not in the "
                        "hierarchy and " + std::to_string(unlisted) +
                        " hierarchy directories are not in the path table");
  }
}

void IsoReader::read_el_torito(const VolumeDescriptor& boot, std::uint64_t at) {
  if (!boot.view().matches_at(kBootSystemId, "EL TORITO SPECIFICATION")) return;
  const auto cat_at = block_offset(boot.le32<kBootCatalogLba>());
  const ByteView cat = cat_at ? img_.clamp(*cat_at, budget_.limits().iso9660.max_catalog_sectors * kSector) : ByteView{};
  // El Torito 2.1-2.2: the validation entry and the initial/default entry.
  const auto head = core::Fixed<2 * kCatalogEntry>::at(cat);
  if (!head || head->u8<0>() != kCatalogValidation || head->u8<30>() != 0x55 || head->u8<31>() != 0xAA) {
    issues_.anomaly("iso.eltorito_bad_catalog", Severity::low, at + kBootCatalogLba,
                        "the El Torito boot catalog has no valid validation entry");
    return;
  }
  // The validation entry's sixteen little-endian words sum to zero.
  std::uint16_t sum = 0;
  const std::string_view words = head->view().chars().substr(0, kCatalogEntry);
  for (std::size_t i = 0; i + 1 < words.size(); i += 2) {
    sum = static_cast<std::uint16_t>(sum + static_cast<std::uint8_t>(words[i]) +
                                     (static_cast<std::uint8_t>(words[i + 1]) << 8));
  }
  if (sum != 0) {
    issues_.anomaly("iso.eltorito_bad_catalog", Severity::low, *cat_at,
                        "the El Torito validation entry checksum is wrong");
  }
  out_.meta.push_back(meta::iso::eltorito_id(trimmed(cat, 4, 24)));
  View v{"eltorito", false, {}};
  auto add_entry = [&](const core::Fixed<kCatalogEntry>& e, std::uint64_t e_at) {
    const std::uint8_t media = e.u8<1>() & 0x0F;
    std::uint64_t size = std::uint64_t{e.le16<6>()} * 512;
    const char* kind = "NoEmul";
    switch (media) {
      case 1: size = 1200 * 1024; kind = "1.2M"; break;
      case 2: size = 1440 * 1024; kind = "1.44M"; break;
      case 3: size = 2880 * 1024; kind = "2.88M"; break;
      case 4: kind = "HardDisk"; break;
      default: break;
    }
    if (size == 0) size = 512;  // a count of 0 is read as one virtual sector by BIOSes
    const auto off = block_offset(e.le32<8>());
    std::string name = std::string("/[BOOT]/Boot-") + kind;
    if (!v.files.empty()) name += "-" + std::to_string(v.files.size() + 1);
    add_file(v, FileRecord{"eltorito", name + ".img", {Extent{off.value_or(UINT64_MAX), size, false}},
                           size, false, e_at, {}, std::nullopt, {}});
  };
  add_entry(head->sub<kCatalogEntry, kCatalogEntry>(), *cat_at + kCatalogEntry);
  // Section headers (0x90, 0x91 for the last) each announce their entries.
  using Entry = core::Fixed<kCatalogEntry>;
  std::uint64_t pos = 2 * kCatalogEntry;
  for (auto header = Entry::at(cat, pos); header && !stop(); header = Entry::at(cat, pos)) {
    const std::uint8_t h = header->u8<0>();
    if (h != kCatalogHeader && h != kCatalogLastHeader) break;
    const std::uint16_t n = header->le16<2>();
    pos += kCatalogEntry;
    for (std::uint16_t i = 0; i < n; ++i) {
      const auto e = Entry::at(cat, pos);
      if (!e) break;
      if (e->u8<0>() == kCatalogBootable || e->u8<0>() == 0) add_entry(*e, *cat_at + pos);
      pos += kCatalogEntry;
      // Extension entries (0x44) continue the entry before them.
      for (auto x = Entry::at(cat, pos); x && x->u8<0>() == 0x44; x = Entry::at(cat, pos)) pos += kCatalogEntry;
    }
    if (h == kCatalogLastHeader) break;
  }
  out_.views.push_back(std::move(v));
}

// Multisession discs (and xorriso's growing of an image file) leave each
// session's descriptors where it began; LBA 16 names only the last. Files that
// only an earlier session lists are still on the disc. A candidate inside a
// known file's extent is a nested image, unpacked on its own, so it is skipped.
void IsoReader::scan_sessions(std::uint64_t vd_end, std::unordered_set<std::uint32_t>& visited) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> files;
  for (const View& v : out_.views) {
    for (const FileRecord& f : v.files) {
      for (const Extent& e : f.extents) files.emplace_back(e.offset, e.offset + e.length);
    }
  }
  std::sort(files.begin(), files.end());
  std::uint64_t covered_to = 0;
  std::size_t fi = 0;
  const std::uint64_t sectors = img_.size() / kSector;
  for (std::uint64_t s = kFirstDescriptor; s < sectors; ++s) {
    if (s % 4096 == 0 && stop()) return;
    if (s >= kFirstDescriptor && s < vd_end) continue;
    const std::uint64_t off = s * kSector;
    while (fi < files.size() && files[fi].first <= off) {
      covered_to = std::max(covered_to, files[fi].second);
      ++fi;
    }
    if (off < covered_to) continue;
    const auto pvd = VolumeDescriptor::at(img_, off);
    if (!pvd || !pvd->view().matches_at(1, "CD001") || pvd->u8<0>() != kVdPrimary) continue;
    const std::string tag = "@" + std::to_string(s);
    const std::size_t before = out_.views.size();
    WalkSpec spec{"iso9660" + tag, susp_ ? "rockridge" + tag : "", false, false, false};
    const bool keep_susp = susp_;
    walk(pvd->sub<kPvdRoot, kDrMinSize>(), off + kPvdRoot, spec, visited);
    susp_ = keep_susp;
    // Drop sessions that added nothing (their root was already walked).
    while (out_.views.size() > before && out_.views.back().files.empty()) out_.views.pop_back();
  }
}

void IsoReader::run() {
  std::optional<std::uint64_t> pvd_at, boot_at;
  std::vector<std::uint64_t> svds;
  std::uint64_t s = kFirstDescriptor;
  bool terminated = false;
  for (;; ++s) {
    const std::uint64_t off = s * kSector;
    const auto vd = VolumeDescriptor::at(img_, off);
    if (!vd || !vd->view().matches_at(1, "CD001")) break;
    const std::uint8_t type = vd->u8<0>();
    if (type == kVdTerminator) {
      terminated = true;
      ++s;
      break;
    }
    if (type == kVdPrimary) {
      if (pvd_at) {
        issues_.anomaly("iso.multiple_primary", Severity::medium, off,
                            "a second primary volume descriptor in one descriptor set");
      } else {
        pvd_at = off;
      }
    } else if (type == kVdSupplementary) {
      svds.push_back(off);
    } else if (type == kVdBoot && !boot_at) {
      boot_at = off;
    }
  }
  // Descriptors were listed only when whole, so these takes succeed.
  const auto pvd = pvd_at ? VolumeDescriptor::at(img_, *pvd_at) : std::nullopt;
  if (!pvd) return;
  out_.iso = true;
  if (!terminated) {
    issues_.anomaly("iso.no_terminator", Severity::low, s * kSector,
                        "the volume descriptor set has no terminator");
  }
  read_metadata(pvd->view());
  check_both_endian(*pvd, *pvd_at);
  const std::uint16_t bs = pvd->le16<kPvdBlockSize>();
  if (bs == 512 || bs == 1024 || bs == 2048) {
    block_ = bs;
  } else {
    issues_.anomaly("iso.bad_directory_record", Severity::low, *pvd_at + kPvdBlockSize,
                        "logical block size " + std::to_string(bs) + " is not 512/1024/2048; "
                        "2048 assumed");
  }
  const auto space = core::checked_mul(pvd->le32<kPvdSpaceSize>(), block_);
  if (space && *space > img_.size()) {
    issues_.anomaly("iso.truncated", Severity::low, *pvd_at + kPvdSpaceSize,
                        "the volume claims " + std::to_string(*space) + " bytes, the image has " +
                            std::to_string(img_.size()));
  }

  std::unordered_set<std::uint32_t> primary_dirs;
  walk(pvd->sub<kPvdRoot, kDrMinSize>(), *pvd_at + kPvdRoot,
       WalkSpec{"iso9660", "rockridge", false, true, true}, primary_dirs);
  check_path_tables(*pvd, *pvd_at, primary_dirs);

  int joliet = 0;
  for (const std::uint64_t at : svds) {
    if (stop()) break;
    const auto svd_whole = VolumeDescriptor::at(img_, at);
    if (!svd_whole) continue;
    const ByteView svd = svd_whole->view();
    // Joliet: UCS-2 escape sequences %/@ (level 1), %/C (2), %/E (3).
    const bool is_joliet = svd.matches_at(kSvdEscapes, "%/@") || svd.matches_at(kSvdEscapes, "%/C") ||
                           svd.matches_at(kSvdEscapes, "%/E");
    std::string view = is_joliet ? "joliet" : "iso9660-svd";
    const int n = is_joliet ? ++joliet : 0;
    if (n > 1) view += "#" + std::to_string(n);
    if (is_joliet && n == 1) {
      std::uint8_t level = 0;
      (void)svd.byte_at(kSvdEscapes + 2, level);
      out_.meta.push_back(meta::iso::joliet_level(level == '@' ? "1" : level == 'C' ? "2" : "3"));
    }
    std::unordered_set<std::uint32_t> dirs;
    walk(svd_whole->sub<kPvdRoot, kDrMinSize>(), at + kPvdRoot, WalkSpec{view, "", is_joliet, false, true},
         dirs);
  }
  if (const auto boot = boot_at ? VolumeDescriptor::at(img_, *boot_at) : std::nullopt) {
    read_el_torito(*boot, *boot_at);
  }
  scan_sessions(s, primary_dirs);
}

}  // namespace

namespace detail {
void read_iso(ByteView image, const core::Budget& budget, Image& out, Issues& issues) {
  IsoReader(image, budget, out, issues).run();
}
}  // namespace detail

Result<Parsed<Image>> parse(ByteView image, const core::Budget& budget) {
  Parsed<Image> out;
  Issues issues;
  detail::read_iso(image, budget, out.model, issues);
  detail::read_udf(image, budget, out.model, issues);
  out.anomalies = std::move(issues.list);
  return out;
}

std::string utf16be_to_utf8(ByteView bytes) { return core::utf16_to_utf8(bytes, std::endian::big); }

}  // namespace sluice::formats::iso9660
