#pragma once
// Field instructions of an RTF document (`{\field{\*\fldinst DDEAUTO ...}}`),
// as Word reads them: control words dropped, escapes decoded, text of nested
// groups kept (attackers split "DDEAUTO" across groups and runs).
#include <cstddef>
#include <string>
#include <vector>

#include "sluice/byte_view.hpp"

namespace sluice::formats::rtf {

// At most `max` instructions, each cut at 2 KiB; Latin-1 text as UTF-8.
[[nodiscard]] std::vector<std::string> field_instructions(ByteView rtf, std::size_t max);

}  // namespace sluice::formats::rtf
