#pragma once
// Embedded OLE objects of a binary PowerPoint file (MS-PPT): PowerPoint keeps
// each one not as a storage of the compound file, as Word and Excel do, but as
// an ExOleObjStg record inside its "PowerPoint Document" stream, usually
// zlib-compressed. The walk reports where each one is; the caller decodes.
#include <cstdint>
#include <vector>

#include "core/parsed.hpp"
#include "sluice/byte_view.hpp"
#include "sluice/limits.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::ole {

struct PptObject {
  std::uint64_t offset = 0;  // of the record's data in the stream
  ByteView data;             // after the record header (and the size, when compressed)
  bool compressed = false;
  std::uint32_t declared_size = 0;  // decompressed size, when compressed
};

struct PptObjects {
  std::vector<PptObject> objects;
};

// Every ExOleObjStg record of a "PowerPoint Document" stream, containers
// walked into up to limits.ole.max_ppt_nesting deep (the parser contract,
// core/parsed.hpp; never the error side: any stream is a list of records,
// possibly empty). The walk is bounded by the stream: each record header
// advances at least 8 bytes.
[[nodiscard]] Result<Parsed<PptObjects>> parse_powerpoint(ByteView stream, const Limits& limits);

}  // namespace sluice::formats::ole
