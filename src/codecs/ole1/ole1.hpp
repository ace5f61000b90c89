#pragma once
// An OLE 1.0 object as RTF's `\objdata` carries it (MS-OLEDS 2.2.4 and 2.2.5):
// version, format (linked or embedded), class, topic and item names, then the
// native data of an embedded object or the link's network name.
#include <cstdint>
#include <string>

#include "sluice/byte_view.hpp"
#include "sluice/result.hpp"

namespace sluice::codecs::ole1 {

struct Ole1Object {
  std::uint32_t format_id = 0;  // 1: linked, 2: embedded
  std::string class_name;       // "Package", "Word.Document.8", "Equation.3"
  std::string topic;            // a linked object's path or URL
  std::string item;
  ByteView native;  // an embedded object's data
  std::uint32_t declared_size = 0;
  bool truncated = false;
};

[[nodiscard]] Result<Ole1Object> decode_ole1(ByteView bytes);

}  // namespace sluice::codecs::ole1
