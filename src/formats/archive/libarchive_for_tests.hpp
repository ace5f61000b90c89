#pragma once
// libarchive as the unpacker opens it (archive_api.hpp), for the archive
// format's own tests that call its readers directly: loaded once, and a
// library that does not load fails the test that asked.
#include <gtest/gtest.h>

#include <cstdlib>

#include "formats/archive/archive_api.hpp"

namespace sluice::formats::archive {

inline const ArchiveApi& libarchive_for_tests() {
  static const auto api = ArchiveApi::load(core::LibrarySearch::files);
  if (!api) {
    ADD_FAILURE() << api.error().what;
    std::abort();
  }
  return **api;
}

}  // namespace sluice::formats::archive
