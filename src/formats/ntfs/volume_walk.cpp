#include "formats/ntfs/volume_walk.hpp"

#include <algorithm>

#include "core/checked.hpp"
#include "formats/ntfs/layout.hpp"
#include "formats/ntfs/parser.hpp"
#include "formats/ntfs/tsk_image.hpp"
#include "meta/ntfs.hpp"

namespace sluice::formats::ntfs {
namespace {

bool is_dot(std::string_view n) { return n == "." || n == ".."; }

bool is_deleted(const TSK_FS_FILE* f) {
  if (f->name != nullptr && (f->name->flags & TSK_FS_NAME_FLAG_UNALLOC)) return true;
  return f->meta != nullptr && (f->meta->flags & TSK_FS_META_FLAG_UNALLOC);
}

std::string_view attr_name(const TSK_FS_ATTR* a) {
  return a->name == nullptr ? std::string_view{} : std::string_view{a->name};
}

ByteView resident_bytes(const TSK_FS_ATTR* a) {
  if (!(a->flags & TSK_FS_ATTR_RES) || a->rd.buf == nullptr || a->size < 0) return {};
  const auto n = std::min<std::uint64_t>(static_cast<std::uint64_t>(a->size), a->rd.buf_size);
  return ByteView(a->rd.buf, static_cast<std::size_t>(n));
}

// exFAT's allocation bitmap and up-case table are directory entries of their own
// types (0x81, 0x82) that TSK lists as root files. A user's file may carry the
// same name ('$' is legal), but a File entry always has timestamps; these have none.
bool is_exfat_special(const TSK_FS_FILE* f, std::string_view name) {
  if (name != "$ALLOC_BITMAP" && name != "$UPCASE_TABLE") return false;
  return f->meta != nullptr && f->meta->mtime == 0 && f->meta->crtime == 0;
}

}  // namespace

VolumeWalk::VolumeWalk(core::UnpackContext& ctx, const TskApi& tsk, TSK_FS_INFO* fs, bool exfat)
    : ctx_(ctx),
      tsk_(tsk),
      fs_(fs),
      exfat_(exfat),
      view_(exfat ? "exfat" : "ntfs"),
      volume_(ctx.bytes()),
      // One allowance for the whole volume: every fragmented or resident file is
      // decoded out of it, so a volume cannot multiply its size through many files.
      allowance_(ctx.budget().decode_allowance(ctx.bytes().size())) {}

bool VolumeWalk::run() {
  // NOORPHAN: TSK's orphan search scans every MFT record; deleted files whose
  // directory survives still come through the UNALLOC names of that directory.
  const auto flags = static_cast<TSK_FS_DIR_WALK_FLAG_ENUM>(
      TSK_FS_DIR_WALK_FLAG_ALLOC | TSK_FS_DIR_WALK_FLAG_UNALLOC | TSK_FS_DIR_WALK_FLAG_RECURSE |
      TSK_FS_DIR_WALK_FLAG_NOORPHAN);
  if (tsk_.fs_dir_walk(fs_, fs_->root_inum, flags, &VolumeWalk::visit_cb, this) != 0) {
    error_ = tsk_last_error(tsk_);
    return stats_.stopped;  // our own STOP is not a TSK failure
  }
  return true;
}

TSK_WALK_RET_ENUM VolumeWalk::visit_cb(TSK_FS_FILE* file, const char* path, void* self) {
  return static_cast<VolumeWalk*>(self)->visit(file, path);
}

bool VolumeWalk::skip_special(const TSK_FS_FILE* file, std::string_view parent,
                              std::string_view name) {
  if (!exfat_ && parent.starts_with("$Extend/") && name.starts_with('$')) {
    // $Extend holds Windows' own metadata ($Quota, $ObjId, $RmMetadata/$TxfLog ...),
    // all '$'-named; a user's name in there is still listed.
    return true;
  }
  if (!parent.empty()) return false;
  if (exfat_) {
    // TSK turns the exFAT allocation bitmap, up-case table and label entries into
    // root files; a user's file of the same name has a real size and content.
    if (name.ends_with(kExfatLabelSuffix) && file->meta != nullptr && file->meta->size == 0 &&
        file->meta->mtime == 0 && file->meta->crtime == 0) {
      if (exfat_label_.empty()) {
        exfat_label_ = std::string(name.substr(0, name.size() - std::string_view(kExfatLabelSuffix).size()));
      }
      return true;
    }
    return is_exfat_special(file, name);
  }
  // NTFS metadata files live in the reserved records; '$' alone proves nothing.
  return name.starts_with('$') && file->name != nullptr &&
         file->name->meta_addr < kFirstUserInode;
}

TSK_WALK_RET_ENUM VolumeWalk::visit(TSK_FS_FILE* file, const char* parent_c) {
  if (ctx_.budget().expired()) {
    ctx_.limit_hit(LimitKind::deadline, std::string(view_) + " directory walk interrupted");
    stats_.stopped = true;
    return TSK_WALK_STOP;
  }
  if (file == nullptr || file->name == nullptr || file->name->name == nullptr) return TSK_WALK_CONT;
  const std::string_view name{file->name->name};
  const std::string_view parent = parent_c == nullptr ? std::string_view{} : std::string_view{parent_c};
  if (is_dot(name) || skip_special(file, parent, name)) return TSK_WALK_CONT;
  if (file->meta == nullptr) {
    // A deleted name whose record is gone has nothing to read. A live file's
    // name whose record TSK cannot load (a damaged or absurd attribute or run
    // list) must not vanish silently: Windows may still open it.
    if ((file->name->flags & TSK_FS_NAME_FLAG_ALLOC) && file->name->type == TSK_FS_NAME_TYPE_REG) {
      report_unreadable_record(std::string(parent) + std::string(name), "its file record could not be loaded");
    }
    return TSK_WALK_CONT;
  }
  if (file->meta->type == TSK_FS_META_TYPE_DIR) {
    ++stats_.directories;
    return TSK_WALK_CONT;
  }
  if (file->meta->type != TSK_FS_META_TYPE_REG) return TSK_WALK_CONT;

  std::string path = "/";
  path.append(parent);
  path.append(name);
  const bool deleted = is_deleted(file);
  // A deleted name may point at a record reused since: reading it again would
  // attribute another file's bytes to this name, so only live names dedupe.
  const TSK_INUM_T inum = file->meta->addr;
  if (!deleted) {
    if (auto it = seen_.find(inum); it != seen_.end()) {
      ++stats_.hard_links;
      ctx_.meta_on(it->second, (exfat_ ? meta::exfat::hard_link : meta::ntfs::hard_link), ctx_.clean_name(path));
      return TSK_WALK_CONT;
    }
  }

  const int count = tsk_.fs_file_attr_getsize(file);
  const TSK_FS_ATTR* si = nullptr;
  const TSK_FS_ATTR* main = nullptr;
  std::vector<const TSK_FS_ATTR*> streams;
  for (int i = 0; i < count; ++i) {
    const TSK_FS_ATTR* a = tsk_.fs_file_attr_get_idx(file, i);
    if (a == nullptr) continue;
    if (exfat_) {
      if (main == nullptr && a->type == TSK_FS_ATTR_TYPE_DEFAULT) main = a;
      continue;
    }
    if (a->type == TSK_FS_ATTR_TYPE_NTFS_SI && si == nullptr) si = a;
    if (a->type != TSK_FS_ATTR_TYPE_NTFS_DATA) continue;
    if (attr_name(a).empty()) {
      if (main == nullptr) main = a;
    } else {
      streams.push_back(a);
    }
  }

  if (!deleted && (count < 0 || (!exfat_ && main == nullptr && streams.empty()))) {
    report_unreadable_record(path.substr(1), "its data attribute could not be read");
  }

  std::optional<ArtifactId> child;
  if (main != nullptr) {
    child = emit_attr(main, path, deleted);
    if (!child) return stats_.stopped ? TSK_WALK_STOP : TSK_WALK_CONT;
    ++stats_.files;
    if (deleted) ++stats_.deleted;
    if (!deleted) seen_.emplace(inum, *child);
    ctx_.meta_on(*child, (exfat_ ? meta::exfat::inode : meta::ntfs::inode), static_cast<std::int64_t>(inum));
    if (si != nullptr) note_dos_flags(*child, si, path);
  }
  for (const TSK_FS_ATTR* s : streams) {
    const std::string stream = ctx_.clean_name(attr_name(s));
    auto sc = emit_attr(s, path + ":" + stream, deleted);
    if (!sc) {
      if (stats_.stopped) return TSK_WALK_STOP;
      continue;
    }
    ++stats_.streams;
    const ArtifactId owner = child.value_or(*sc);
    // Mark of the Web: Windows writes it on every download, so it is provenance,
    // not hiding. Anything else in a named stream is invisible to Explorer.
    if (stream == "Zone.Identifier") {
      if (auto zone = zone_id(resident_bytes(s))) ctx_.meta_on(owner, meta::ntfs::zone_id, *zone);
      continue;
    }
    ctx_.anomaly_on(owner, "ntfs.alternate_data_stream", Severity::low, 0,
                    "\"" + ctx_.clean_name(path) + "\" has a named data stream \"" + stream +
                        "\" that Explorer and most tools never show");
  }
  return stats_.stopped ? TSK_WALK_STOP : TSK_WALK_CONT;
}

void VolumeWalk::report_unreadable_record(const std::string& path, std::string_view why) {
  ++stats_.unreadable;
  ctx_.anomaly("ntfs.record_unreadable", Severity::medium, 0,
               "\"/" + ctx_.clean_name(path) + "\" is listed in its directory but " + std::string(why) +
                   ": its content is not in this scan");
}

void VolumeWalk::note_dos_flags(ArtifactId child, const TSK_FS_ATTR* si, const std::string& path) {
  auto flags = dos_flags(resident_bytes(si));
  if (!flags) return;
  if (*flags & kDosHidden) {
    ctx_.meta_on(child, meta::ntfs::hidden, true);
    ctx_.anomaly_on(child, "ntfs.hidden_file", Severity::medium, 0,
                    "\"" + ctx_.clean_name(path) +
                        "\" carries the hidden attribute: Explorer does not list it by default");
  }
  if (*flags & kDosSystem) ctx_.meta_on(child, meta::ntfs::system, true);
  if (*flags & kDosReadOnly) ctx_.meta_on(child, meta::ntfs::read_only, true);
}

std::optional<ByteView> VolumeWalk::contiguous_view(const TSK_FS_ATTR* attr) const {
  // Zero-copy only when the bytes on disk are the content: one plain run, no
  // compression, encryption, sparse holes or uninitialised tail (which reads as zeros).
  constexpr auto kSpecial = TSK_FS_ATTR_ENC | TSK_FS_ATTR_COMP | TSK_FS_ATTR_SPARSE;
  if (!(attr->flags & TSK_FS_ATTR_NONRES) || (attr->flags & kSpecial) || attr->size < 0) return std::nullopt;
  if (attr->nrd.skiplen != 0 || attr->nrd.initsize < attr->size) return std::nullopt;
  const TSK_FS_ATTR_RUN* run = attr->nrd.run;
  if (run == nullptr || run->offset != 0 || run->flags != TSK_FS_ATTR_RUN_FLAG_NONE) return std::nullopt;
  const auto size = static_cast<std::uint64_t>(attr->size);
  // Later runs must not carry content: the first run alone has to cover the size.
  auto run_bytes = core::checked_mul(run->len, fs_->block_size);
  auto start = core::checked_mul(run->addr, fs_->block_size);
  if (!run_bytes || !start || *run_bytes < size) return std::nullopt;
  auto at = core::checked_add(*start, static_cast<std::uint64_t>(fs_->offset));
  if (!at) return std::nullopt;
  auto v = volume_.subview(*at, size);
  if (!v) return std::nullopt;
  return *v;
}

bool VolumeWalk::read_owned(const TSK_FS_ATTR* attr, std::vector<std::uint8_t>& out, bool& capped) {
  const std::uint64_t size = attr->size < 0 ? 0 : static_cast<std::uint64_t>(attr->size);
  const std::uint64_t left = allowance_.bytes - std::min(allowance_.bytes, decoded_);
  const std::uint64_t want = std::min(size, left);
  capped = want < size;
  out.reserve(static_cast<std::size_t>(want));
  bool ok = true;
  std::uint64_t off = 0;
  while (off < want) {
    if (ctx_.budget().expired()) {
      ctx_.limit_hit(LimitKind::deadline, std::string(view_) + " file read interrupted");
      stats_.stopped = true;
      capped = true;
      break;
    }
    const std::uint64_t n = std::min(want - off, kReadChunk);
    const std::size_t had = out.size();
    out.resize(had + static_cast<std::size_t>(n));
    const ssize_t got = tsk_.fs_attr_read(attr, static_cast<TSK_OFF_T>(off),
                                         reinterpret_cast<char*>(out.data() + had),
                                         static_cast<size_t>(n), TSK_FS_FILE_READ_FLAG_NONE);
    if (got <= 0) {
      out.resize(had);
      tsk_.error_reset();
      ok = false;
      break;
    }
    out.resize(had + static_cast<std::size_t>(std::min<std::uint64_t>(static_cast<std::uint64_t>(got), n)));
    off += static_cast<std::uint64_t>(got);
  }
  decoded_ += out.size();
  ctx_.budget().charge_decoded(out.size());
  return ok;
}

std::optional<ArtifactId> VolumeWalk::emit_attr(const TSK_FS_ATTR* attr, std::string path, bool deleted) {
  std::vector<Name> names;
  names.push_back({view_, ctx_.clean_name(path)});
  std::optional<ArtifactId> child;
  bool read_ok = true;
  bool capped = false;
  if (auto v = contiguous_view(attr)) {
    child = ctx_.emit(*v, "", std::move(names));
  } else {
    std::vector<std::uint8_t> buf;
    read_ok = read_owned(attr, buf, capped);
    if (capped && !stats_.stopped && !cap_reported_) {
      cap_reported_ = true;
      ctx_.limit_hit(allowance_.binding, std::string(view_) + " file \"" + ctx_.clean_name(path) +
                                             "\" cut: the volume's decode allowance is spent");
    }
    const std::uint64_t declared = attr->size < 0 ? 0 : static_cast<std::uint64_t>(attr->size);
    const bool short_read = buf.size() < declared;
    child = ctx_.emit_owned(std::move(buf), "", std::move(names), capped || short_read);
  }
  if (!child) {
    stats_.stopped = true;  // the children/artifacts limit refused it, already recorded
    return std::nullopt;
  }
  if (deleted) ctx_.meta_on(*child, (exfat_ ? meta::exfat::deleted : meta::ntfs::deleted), true);
  if (!read_ok) {
    ++stats_.unreadable;
    // Deleted files are expected to have lost clusters; a live one is not.
    if (!deleted) {
      ctx_.anomaly_on(*child, "ntfs.read_error", Severity::low, 0,
                      "The Sleuth Kit could not read all of \"" + ctx_.clean_name(path) +
                          "\": its runs point outside the volume or are damaged");
    }
  }
  return child;
}

}  // namespace sluice::formats::ntfs
