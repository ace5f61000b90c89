#include "formats/archive/archive_api.hpp"

#include "deferred_libraries.hpp"

namespace sluice::formats::archive {

Result<std::shared_ptr<const ArchiveApi>> ArchiveApi::load(core::LibrarySearch search) {
  return core::load_table<ArchiveApi>(core::DynamicLibrary::open(deferred::k_archive, search),
                                      [](ArchiveApi& api, core::Binder& b) {
    b(api.read_new, "archive_read_new");
    b(api.read_free, "archive_read_free");
    b(api.read_open_memory, "archive_read_open_memory");
    b(api.read_next_header, "archive_read_next_header");
    b(api.read_data, "archive_read_data");
    b(api.support_7zip, "archive_read_support_format_7zip");
    b(api.support_rar, "archive_read_support_format_rar");
    b(api.support_rar5, "archive_read_support_format_rar5");
    b(api.support_cab, "archive_read_support_format_cab");
    b(api.support_tar, "archive_read_support_format_tar");
    b(api.support_cpio, "archive_read_support_format_cpio");
    b(api.support_lha, "archive_read_support_format_lha");
    b(api.support_ar, "archive_read_support_format_ar");
    b(api.support_raw, "archive_read_support_format_raw");
    b(api.support_bzip2, "archive_read_support_filter_bzip2");
    b(api.support_xz, "archive_read_support_filter_xz");
    b(api.support_zstd, "archive_read_support_filter_zstd");
    b(api.support_lzma, "archive_read_support_filter_lzma");
    b(api.error_string, "archive_error_string");
    b(api.format_name, "archive_format_name");
    b(api.filter_count, "archive_filter_count");
    b(api.filter_name, "archive_filter_name");
    b(api.entry_pathname_utf8, "archive_entry_pathname_utf8");
    b(api.entry_pathname_w, "archive_entry_pathname_w");
    b(api.entry_pathname, "archive_entry_pathname");
    b(api.entry_filetype, "archive_entry_filetype");
    b(api.entry_size, "archive_entry_size");
    b(api.entry_size_is_set, "archive_entry_size_is_set");
    b(api.entry_is_encrypted, "archive_entry_is_encrypted");
    b(api.entry_mode, "archive_entry_mode");
    b(api.entry_mtime, "archive_entry_mtime");
    b(api.entry_mtime_is_set, "archive_entry_mtime_is_set");
    b(api.entry_symlink_utf8, "archive_entry_symlink_utf8");
    b(api.entry_symlink, "archive_entry_symlink");
    b(api.entry_hardlink_utf8, "archive_entry_hardlink_utf8");
    b(api.entry_hardlink, "archive_entry_hardlink");
  });
}

}  // namespace sluice::formats::archive
