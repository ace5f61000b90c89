#pragma once
// RFC 2045/2046 structure of one message: the tree of entities walked with an
// explicit stack (no recursion a hostile nesting could exhaust), reduced to the
// leaves that become artifacts. Pure: views in, model out; decoding the leaves
// happens in the unpacker, which owns the budget.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "formats/mime/header.hpp"
#include "core/parsed.hpp"
#include "formats/mime/partial.hpp"
#include "sluice/artifact.hpp"
#include "sluice/byte_view.hpp"
#include "sluice/limits.hpp"

namespace sluice::formats::mime {

// The leaf index that means "the message itself" (parser-internal).
inline constexpr std::size_t kOnMessage = std::numeric_limits<std::size_t>::max();

struct Leaf {
  std::string path;            // "1", "2.1" (IMAP-style part numbers)
  ByteView body;               // still transfer-encoded
  std::uint64_t offset = 0;    // of the body in the message
  std::string content_type;    // effective, lower-case "type/subtype"
  std::string declared_type;   // the header's value as written ("" when absent)
  std::string cte;             // lower-case mechanism, comments removed ("" when absent)
  std::string charset;
  std::string disposition;     // lower-case disposition type
  std::vector<Name> names;     // raw (not yet cleaned), in the order a client prefers them
  bool embedded_message = false;  // message/rfc822 or message/global
  bool headerless = false;
  bool partial = false;       // message/partial (RFC 2046 5.2.2)
  bool fragment_valid = false;  // ... with a usable id and number in `fragment`
  Fragment fragment;
  std::vector<Anomaly> anomalies;  // about this part: reported on its artifact
};

struct ParsedMessage {
  HeaderSection headers;       // of the top-level entity
  std::vector<Leaf> leaves;
  bool depth_limited = false;
  bool parts_limited = false;
  bool multipart = false;
};

// Never an error: any bytes are read as a message (the type was sniffed or
// forced). Anomalies about the message come beside the model, those about one
// part in its Leaf.
[[nodiscard]] Result<Parsed<ParsedMessage>> parse(ByteView message, const Limits& limits);

}  // namespace sluice::formats::mime
