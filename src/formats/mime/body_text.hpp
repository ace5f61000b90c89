#pragma once
// The text of text/plain and text/html parts as the reader sees it, for the
// detectors that read words (lure, password harvest) and for URL IOCs.
#include "core/unpacker.hpp"
#include "formats/mime/parser.hpp"
#include "sluice/byte_view.hpp"

namespace sluice::formats::mime {

// Whether a part's text is read (text/plain and text/html; other text/* types
// are calendars, vCards, enriched text with their own grammars).
[[nodiscard]] bool has_body_text(const Leaf& leaf);

// For the emitted part `part` with decoded `content`: converts the charset to
// UTF-8 (within the budget), reduces HTML to text, sets the part's readable
// text when it differs from the bytes, records each URL as `ioc.url` meta and
// reports unknown charsets, anchors whose text names another site than their
// link, and hidden HTML text.
void read_body_text(core::UnpackContext& ctx, ArtifactId part, const Leaf& leaf, ByteView content);

}  // namespace sluice::formats::mime
