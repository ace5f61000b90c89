#pragma once
// The Sleuth Kit reading straight from an artifact's bytes: no temp file, no copy
// of the volume. TSK 4.11's tsk_img_open_external() takes a caller-allocated
// struct whose first member is TSK_IMG_INFO and calls back for every read.
#include <tsk/libtsk.h>

#include <memory>
#include <string>

#include "core/budget.hpp"
#include "formats/ntfs/tsk_api.hpp"
#include "sluice/byte_view.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::ntfs {

class MemoryImage {
 public:
  // Reads fail once the scan's deadline has passed, so a slow TSK operation
  // (a huge $MFT, a long run list) unwinds through TSK's own error path.
  static Result<std::unique_ptr<MemoryImage>> open(ByteView bytes, const core::Budget& budget, const TskApi& tsk);
  ~MemoryImage();
  MemoryImage(const MemoryImage&) = delete;
  MemoryImage& operator=(const MemoryImage&) = delete;

  [[nodiscard]] TSK_IMG_INFO* img() noexcept;

  struct State;  // TSK_IMG_INFO first, then our view: see tsk_image.cpp

 private:
  explicit MemoryImage(std::unique_ptr<State> state) noexcept;
  std::unique_ptr<State> state_;
};

struct FsCloser {
  decltype(&::tsk_fs_close) close;
  void operator()(TSK_FS_INFO* fs) const noexcept { close(fs); }
};
using FsHandle = std::unique_ptr<TSK_FS_INFO, FsCloser>;

struct FileCloser {
  decltype(&::tsk_fs_file_close) close;
  void operator()(TSK_FS_FILE* f) const noexcept { close(f); }
};
using FileHandle = std::unique_ptr<TSK_FS_FILE, FileCloser>;

// TSK's last error (thread-local inside TSK) as a string we own.
[[nodiscard]] std::string tsk_last_error(const TskApi& tsk);

}  // namespace sluice::formats::ntfs
