#pragma once
// The reference set of document-type icons (data/icons/reference.tsv, built by
// data/icons/make_reference.sh from Debian's icon themes and hashed by
// apps/icon-hash with this folder's code) and the nearest-match search.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/icon/hash.hpp"

namespace sluice::codecs::icon {

struct Reference {
  IconHash hash;
  std::string category;  // pdf, document, spreadsheet, image, folder, archive, or "other" for controls
  std::string theme;
  std::uint32_t size = 0;
  std::string name;
};

// Tab-separated: phash dhash hue category theme size name [licence]; '#'
// starts a comment. Malformed lines are skipped and counted.
struct ReferenceSet {
  std::vector<Reference> refs;
  std::size_t skipped = 0;
};
[[nodiscard]] ReferenceSet parse_references(std::string_view tsv);

// The built-in set (data/icons/reference.tsv compiled in), parsed once.
[[nodiscard]] const ReferenceSet& builtin_references();

struct Match {
  const Reference* ref = nullptr;
  int distance = 0;
};
// The nearest reference; ties keep the earlier line (the TSV order is sorted).
[[nodiscard]] std::optional<Match> closest(const IconHash& hash, const std::vector<Reference>& refs);

}  // namespace sluice::codecs::icon
