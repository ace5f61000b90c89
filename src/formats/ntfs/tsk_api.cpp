#include "formats/ntfs/tsk_api.hpp"

#include "deferred_libraries.hpp"

namespace sluice::formats::ntfs {

Result<std::shared_ptr<const TskApi>> TskApi::load(core::LibrarySearch search) {
  return core::load_table<TskApi>(core::DynamicLibrary::open(deferred::k_tsk, search), [](TskApi& api, core::Binder& b) {
    b(api.img_open_external, "tsk_img_open_external");
    b(api.img_close, "tsk_img_close");
    b(api.fs_open_img, "tsk_fs_open_img");
    b(api.fs_close, "tsk_fs_close");
    b(api.fs_dir_walk, "tsk_fs_dir_walk");
    b(api.fs_file_open_meta, "tsk_fs_file_open_meta");
    b(api.fs_file_close, "tsk_fs_file_close");
    b(api.fs_file_attr_getsize, "tsk_fs_file_attr_getsize");
    b(api.fs_file_attr_get_idx, "tsk_fs_file_attr_get_idx");
    b(api.fs_file_attr_get_type, "tsk_fs_file_attr_get_type");
    b(api.fs_attr_read, "tsk_fs_attr_read");
    b(api.error_get, "tsk_error_get");
    b(api.error_reset, "tsk_error_reset");
    b(api.error_set_errno, "tsk_error_set_errno");
    b(api.error_set_errstr, "tsk_error_set_errstr");
  });
}

}  // namespace sluice::formats::ntfs
