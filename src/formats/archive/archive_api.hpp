#pragma once
// libarchive, opened by the first 7z, RAR, CAB, tar, cpio, LHA, ar or bare
// bzip2/xz/zstd/lzma stream rather than by every start: its dependency tree
// (libxml2, ICU, nettle, acl, lz4) was ≈ 3 ms of each program start, a tenth
// of a one-file scan, for formats most mail does not carry (docs/adr/0032).
// Each member has the type the header declares. Sandboxed workers cannot open
// files, so the worker pool opens the library before it forks them
// (src/isolation/pool.cpp), as for TSK and the PDF reader.
#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "core/dynamic_library.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::archive {

struct ArchiveApi {
  decltype(&::archive_read_new) read_new = nullptr;
  decltype(&::archive_read_free) read_free = nullptr;
  decltype(&::archive_read_open_memory) read_open_memory = nullptr;
  decltype(&::archive_read_next_header) read_next_header = nullptr;
  decltype(&::archive_read_data) read_data = nullptr;
  decltype(&::archive_read_support_format_7zip) support_7zip = nullptr;
  decltype(&::archive_read_support_format_rar) support_rar = nullptr;
  decltype(&::archive_read_support_format_rar5) support_rar5 = nullptr;
  decltype(&::archive_read_support_format_cab) support_cab = nullptr;
  decltype(&::archive_read_support_format_tar) support_tar = nullptr;
  decltype(&::archive_read_support_format_cpio) support_cpio = nullptr;
  decltype(&::archive_read_support_format_lha) support_lha = nullptr;
  decltype(&::archive_read_support_format_ar) support_ar = nullptr;
  decltype(&::archive_read_support_format_raw) support_raw = nullptr;
  decltype(&::archive_read_support_filter_bzip2) support_bzip2 = nullptr;
  decltype(&::archive_read_support_filter_xz) support_xz = nullptr;
  decltype(&::archive_read_support_filter_zstd) support_zstd = nullptr;
  decltype(&::archive_read_support_filter_lzma) support_lzma = nullptr;
  decltype(&::archive_error_string) error_string = nullptr;
  decltype(&::archive_format_name) format_name = nullptr;
  decltype(&::archive_filter_count) filter_count = nullptr;
  decltype(&::archive_filter_name) filter_name = nullptr;
  decltype(&::archive_entry_pathname_utf8) entry_pathname_utf8 = nullptr;
  decltype(&::archive_entry_pathname_w) entry_pathname_w = nullptr;
  decltype(&::archive_entry_pathname) entry_pathname = nullptr;
  decltype(&::archive_entry_filetype) entry_filetype = nullptr;
  decltype(&::archive_entry_size) entry_size = nullptr;
  decltype(&::archive_entry_size_is_set) entry_size_is_set = nullptr;
  decltype(&::archive_entry_is_encrypted) entry_is_encrypted = nullptr;
  decltype(&::archive_entry_mode) entry_mode = nullptr;
  decltype(&::archive_entry_mtime) entry_mtime = nullptr;
  decltype(&::archive_entry_mtime_is_set) entry_mtime_is_set = nullptr;
  decltype(&::archive_entry_symlink_utf8) entry_symlink_utf8 = nullptr;
  decltype(&::archive_entry_symlink) entry_symlink = nullptr;
  decltype(&::archive_entry_hardlink_utf8) entry_hardlink_utf8 = nullptr;
  decltype(&::archive_entry_hardlink) entry_hardlink = nullptr;
  core::DynamicLibrary lib;

  explicit ArchiveApi(core::DynamicLibrary l) : lib(std::move(l)) {}
  // In a sandboxed worker (`loaded_only`), only the copy its pool loaded.
  [[nodiscard]] static Result<std::shared_ptr<const ArchiveApi>> load(core::LibrarySearch search);
};

}  // namespace sluice::formats::archive
