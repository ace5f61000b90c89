#pragma once
// Merges the views of one disc into distinct files (one per extent list) and
// compares the views: what one reader shows and another hides is the point of
// the anomalies here. Pure: no context, no emission.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "formats/iso9660/parser.hpp"
#include "sluice/artifact.hpp"

namespace sluice::formats::iso9660 {

struct MergedFile {
  std::vector<Extent> extents;
  std::uint64_t size = 0;
  std::vector<Name> names;       // Windows' view first: UDF, else Joliet, else ISO 9660
  std::vector<std::string> views;  // every view that lists it
  bool hidden = false;           // ISO 9660 existence flag
  std::uint64_t record_offset = 0;
  Issues issues;                 // anomalies that belong on this file's artifact
  std::vector<Meta> meta;        // Rock Ridge PX/TF/SL of the records merged here
  std::optional<Zisofs> zisofs;  // a Rock Ridge reader inflates the extent
};

[[nodiscard]] std::vector<MergedFile> merge_views(const std::vector<View>& views,
                                                  std::uint64_t image_size);

// Rank of a view in Windows' order of preference (lower wins).
[[nodiscard]] int view_rank(const std::string& view);

}  // namespace sluice::formats::iso9660
