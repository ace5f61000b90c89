#pragma once
// What an OLE Package says about the file it carries, reported the same way
// wherever the package was found (a compound file's `\x01Ole10Native`
// stream, an RTF `\objdata`): the child's names (the file's own name first,
// the caption under the icon when it differs), its meta (the sender's source
// path, Office's temp path), and the anomalies (a caption whose extension
// differs from the file's, fewer bytes than declared).
#include <cstdint>
#include <string>
#include <vector>

#include "core/unpacker.hpp"
#include "codecs/ole1/package.hpp"

namespace sluice::codecs::ole1 {

struct PackageReport {
  std::vector<Name> names;
  std::vector<Meta> meta;  // for the child, once emitted
};

// `where` names the package in messages ("package[0]", "object[2]").
[[nodiscard]] PackageReport report_package(core::UnpackContext& ctx, const Package& p, std::uint64_t offset,
                                           const std::string& where);

}  // namespace sluice::codecs::ole1
