#pragma once
// Keys several formats write for one fact, for readers that ask about the
// fact whatever the format wrote it.
#include "meta/fat.hpp"
#include "meta/ntfs.hpp"
#include "meta/zip.hpp"
#include "sluice/meta_key.hpp"

namespace sluice::meta {

// The file system or archive marks the entry hidden (DOS attribute).
inline constexpr MetaKey<bool> kHiddenFlags[] = {fat::hidden, ntfs::hidden, zip::hidden};

}  // namespace sluice::meta
