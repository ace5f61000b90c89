#pragma once
// Embedded OLE objects of a binary PowerPoint file (MS-PPT): PowerPoint keeps
// each one not as a storage of the compound file, as Word and Excel do, but as
// an ExOleObjStg record inside its "PowerPoint Document" stream, usually
// zlib-compressed. The walk reports where each one is; the caller decodes.
#include <cstdint>
#include <vector>

#include "codecs/mapi/mapi.hpp"  // Anomaly
#include "sluice/byte_view.hpp"

namespace sluice::formats::ole {

struct PptObject {
  std::uint64_t offset = 0;  // of the record's data in the stream
  ByteView data;             // after the record header (and the size, when compressed)
  bool compressed = false;
  std::uint32_t declared_size = 0;  // decompressed size, when compressed
};

// Every ExOleObjStg record, containers walked into. The walk is bounded by the
// stream: each record header advances at least 8 bytes.
[[nodiscard]] std::vector<PptObject> find_ppt_objects(ByteView stream, std::vector<Anomaly>& issues);

}  // namespace sluice::formats::ole
