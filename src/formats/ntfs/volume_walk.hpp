#pragma once
// Walks an open TSK file system and emits every regular file (and, on NTFS,
// every named $DATA stream) as a child of the volume artifact.
#include <tsk/libtsk.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/unpacker.hpp"
#include "formats/ntfs/tsk_api.hpp"

namespace sluice::formats::ntfs {

struct WalkStats {
  std::int64_t files = 0;
  std::int64_t streams = 0;
  std::int64_t deleted = 0;
  std::int64_t directories = 0;
  std::int64_t hard_links = 0;
  std::int64_t unreadable = 0;
  bool stopped = false;  // a limit or the deadline ended the walk early
};

class VolumeWalk {
 public:
  VolumeWalk(core::UnpackContext& ctx, const TskApi& tsk, TSK_FS_INFO* fs, bool exfat);

  // False when TSK itself failed the walk (its error is in `error()`).
  bool run();
  [[nodiscard]] const WalkStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  [[nodiscard]] const std::string& exfat_label() const noexcept { return exfat_label_; }

 private:
  static TSK_WALK_RET_ENUM visit_cb(TSK_FS_FILE* file, const char* path, void* self);
  TSK_WALK_RET_ENUM visit(TSK_FS_FILE* file, const char* parent);
  bool skip_special(const TSK_FS_FILE* file, std::string_view parent, std::string_view name);
  // Emits one attribute's content; nullopt when nothing was emitted.
  std::optional<ArtifactId> emit_attr(const TSK_FS_ATTR* attr, std::string path, bool deleted);
  std::optional<ByteView> contiguous_view(const TSK_FS_ATTR* attr) const;
  bool read_owned(const TSK_FS_ATTR* attr, std::vector<std::uint8_t>& out, bool& capped);
  void report_unreadable_record(const std::string& path, std::string_view why);
  void note_dos_flags(ArtifactId child, const TSK_FS_ATTR* si, const std::string& path);

  core::UnpackContext& ctx_;
  const TskApi& tsk_;
  TSK_FS_INFO* fs_;
  bool exfat_;
  const char* view_;  // Name view: "ntfs" or "exfat"
  ByteView volume_;
  core::Budget::Allowance allowance_;
  std::uint64_t decoded_ = 0;
  bool cap_reported_ = false;
  // inode -> first child: a hard link (or a hostile directory pointing many names
  // at one record) is read once.
  std::unordered_map<TSK_INUM_T, ArtifactId> seen_;
  WalkStats stats_;
  std::string error_;
  std::string exfat_label_;
};

}  // namespace sluice::formats::ntfs
