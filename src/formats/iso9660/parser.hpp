#pragma once
// Pure model of a disc image: every view (ISO 9660, Rock Ridge, each Joliet
// SVD, UDF, El Torito, earlier sessions) as a list of files with their extents.
// The parsers read bytes only through ByteView / load_*; what they find odd
// about the image comes back beside the model (core/parsed.hpp), what they find
// odd about one file in its FileRecord, both replayed by the unpacker.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/budget.hpp"
#include "core/parsed.hpp"
#include "sluice/artifact.hpp"
#include "sluice/byte_view.hpp"
#include "sluice/finding.hpp"
#include "sluice/limits.hpp"

namespace sluice::formats::iso9660 {

struct Extent {
  std::uint64_t offset = 0;  // bytes from the start of the image
  std::uint64_t length = 0;
  bool sparse = false;       // UDF "not recorded": reads as zeros
};

// RRIP 1.12 ZF: the file's extent holds a zisofs stream ("pz" algorithm) that
// Rock Ridge readers (Linux, libarchive) inflate transparently.
struct Zisofs {
  std::uint64_t size = 0;   // uncompressed size the ZF entry declares
  std::uint8_t log2 = 0;    // block size, log2, as the ZF entry declares it
};

struct FileRecord {
  std::string view;  // "udf", "joliet", "iso9660", "rockridge", "eltorito", "session@LBA"
  std::string path;  // full path inside the view, not yet cleaned
  std::vector<Extent> extents;
  std::uint64_t size = 0;
  bool hidden = false;
  std::uint64_t record_offset = 0;  // where the directory entry is, for anomalies
  std::vector<Meta> meta;           // per-file metadata (Rock Ridge PX/TF/SL)
  std::optional<Zisofs> zisofs;
  std::vector<Anomaly> anomalies;   // belong on the file's artifact, not the image's
  bool associated = false;          // ECMA-119 9.1.6 associated file: never merged with its owner
};

struct View {
  std::string name;
  bool compared = false;  // a tree a reader presents as "the" disc: checked against the others
  std::vector<FileRecord> files;
};

// The readers' collector (and the view merger's): named like
// UnpackContext::anomaly so the finding catalog's grep sees the IDs.
struct Issues {
  void anomaly(std::string id, Severity severity, std::uint64_t offset, std::string message) {
    list.push_back(Anomaly{std::move(id), severity, offset, std::move(message)});
  }
  std::vector<Anomaly> list;
};

struct Image {
  std::vector<View> views;
  std::vector<Meta> meta;  // string values, raw (the unpacker cleans them)
  bool iso = false;
  bool udf = false;
  bool limit_reached = false;  // too many entries: the unpacker reports the limit
  bool deadline = false;
};

// Every view of the image: ISO 9660 + Joliet + Rock Ridge + El Torito +
// earlier sessions, then UDF (ECMA-167 / OSTA UDF 1.02-2.60), alone or as the
// bridge half. The Budget variant of the contract: a disc's trees are as large
// as the attacker likes, and the walk watches the deadline (Image::deadline).
// Never an error: an image with neither a primary volume descriptor nor a
// readable UDF volume is a model with `iso` and `udf` false and the anomalies
// that say why, which the unpacker reports before it refuses the image.
[[nodiscard]] Result<Parsed<Image>> parse(ByteView image, const core::Budget& budget);

// Name helpers shared by both parsers (and tested directly).
[[nodiscard]] std::string utf16be_to_utf8(ByteView bytes);
[[nodiscard]] std::string osta_cs0_to_utf8(ByteView bytes, bool& ok);

}  // namespace sluice::formats::iso9660
