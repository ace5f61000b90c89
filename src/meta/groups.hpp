#pragma once
// Keys several formats write for one fact, for readers that ask about the
// fact whatever the format wrote it.
#include "meta/fat.hpp"
#include "meta/ntfs.hpp"
#include "meta/zip.hpp"
#include "sluice/artifact.hpp"
#include "sluice/meta_key.hpp"

namespace sluice::meta {

// The file system or archive marks the entry hidden (DOS attribute).
inline constexpr MetaKey<bool> kHiddenFlags[] = {fat::hidden, ntfs::hidden, zip::hidden};

// Whether any of them is set on `a`: the one test the image-layout detector,
// campaign layouts and the model share.
[[nodiscard]] inline bool any_hidden_flag(const Artifact& a) noexcept {
  for (const MetaKey<bool>& k : kHiddenFlags) {
    if (a.meta_flag(k)) return true;
  }
  return false;
}

}  // namespace sluice::meta
