#pragma once
// The Sleuth Kit, opened by the first NTFS or exFAT volume rather than by every
// start: libtsk's dependency tree (libewf, libafflib, libvmdk, libvhdi, curl,
// libxml2 …) is the largest share of a one-file scan's loading (docs/adr/0030).
// Each member has the type the header declares. Sandboxed workers cannot open
// files, so the worker pool opens the library before it forks them
// (src/isolation/pool.cpp): a change of library here is a change there.
#include <tsk/libtsk.h>

#include <memory>

#include "core/dynamic_library.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::ntfs {

struct TskApi {
  decltype(&::tsk_img_open_external) img_open_external = nullptr;
  decltype(&::tsk_img_close) img_close = nullptr;
  decltype(&::tsk_fs_open_img) fs_open_img = nullptr;
  decltype(&::tsk_fs_close) fs_close = nullptr;
  decltype(&::tsk_fs_dir_walk) fs_dir_walk = nullptr;
  decltype(&::tsk_fs_file_open_meta) fs_file_open_meta = nullptr;
  decltype(&::tsk_fs_file_close) fs_file_close = nullptr;
  decltype(&::tsk_fs_file_attr_getsize) fs_file_attr_getsize = nullptr;
  decltype(&::tsk_fs_file_attr_get_idx) fs_file_attr_get_idx = nullptr;
  decltype(&::tsk_fs_file_attr_get_type) fs_file_attr_get_type = nullptr;
  decltype(&::tsk_fs_attr_read) fs_attr_read = nullptr;
  decltype(&::tsk_error_get) error_get = nullptr;
  decltype(&::tsk_error_reset) error_reset = nullptr;
  decltype(&::tsk_error_set_errno) error_set_errno = nullptr;
  decltype(&::tsk_error_set_errstr) error_set_errstr = nullptr;
  core::DynamicLibrary lib;

  explicit TskApi(core::DynamicLibrary l) : lib(std::move(l)) {}
  // In a sandboxed worker (`loaded_only`), only the copy its pool loaded.
  [[nodiscard]] static Result<std::shared_ptr<const TskApi>> load(core::LibrarySearch search);
};

}  // namespace sluice::formats::ntfs
