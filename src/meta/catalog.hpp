#pragma once
// Every section of metadata keys, in the order docs/metadata.md shows them.
// A new src/meta/<section>.hpp is listed here (scripts/check_metadata.py says
// so when it is not).
#include "meta/archive.hpp"
#include "meta/engine.hpp"
#include "meta/families.hpp"
#include "meta/fat.hpp"
#include "meta/gzip.hpp"
#include "meta/html.hpp"
#include "meta/icon_files.hpp"
#include "meta/icon_images.hpp"
#include "meta/ioc.hpp"
#include "meta/iso9660.hpp"
#include "meta/lnk.hpp"
#include "meta/mime.hpp"
#include "meta/msg.hpp"
#include "meta/ntfs.hpp"
#include "meta/office.hpp"
#include "meta/ole.hpp"
#include "meta/ole1.hpp"
#include "meta/onenote.hpp"
#include "meta/partition.hpp"
#include "meta/pdf.hpp"
#include "meta/pe.hpp"
#include "meta/rtf.hpp"
#include "meta/script.hpp"
#include "meta/tnef.hpp"
#include "meta/vhd.hpp"
#include "meta/vhdx.hpp"
#include "meta/zip.hpp"
#include "sluice/meta_key.hpp"

namespace sluice::meta {

inline constexpr const MetaSection* kSections[] = {
    &kArchiveSection,
    &kIconImagesSection,
    &kIconFilesSection,
    &kOle1Section,
    &kEngineSection,
    &kFamiliesSection,
    &kFatSection,
    &kGzipSection,
    &kHtmlSection,
    &kIocSection,
    &kIso9660Section,
    &kLnkSection,
    &kMimeSection,
    &kMsgSection,
    &kNtfsSection,
    &kOfficeSection,
    &kOleSection,
    &kOnenoteSection,
    &kPartitionSection,
    &kPdfSection,
    &kPeSection,
    &kRtfSection,
    &kScriptSection,
    &kTnefSection,
    &kVhdSection,
    &kVhdxSection,
    &kZipSection,
};

// The declaration a key written on an artifact belongs to: its own, else the
// family whose prefix it starts with; null when none.
[[nodiscard]] constexpr const MetaKeyInfo* find_declaration(std::string_view key) noexcept {
  for (const MetaSection* s : kSections) {
    for (const MetaKeyInfo& k : s->keys) {
      if (k.placeholder.empty() && key == k.name) return &k;
    }
  }
  for (const MetaSection* s : kSections) {
    for (const MetaKeyInfo& k : s->keys) {
      if (!k.placeholder.empty() && key.size() > k.name.size() && key.starts_with(k.name)) return &k;
    }
  }
  return nullptr;
}

}  // namespace sluice::meta
