#pragma once
// Whether the names one attachment carries disagree on what it is.
#include <string>
#include <string_view>
#include <vector>

#include "sluice/artifact.hpp"

namespace sluice::codecs::mapi {

// Lower-case extension after the last dot of the last path segment; empty if none.
[[nodiscard]] std::string extension_of(std::string_view name);

// Two names conflict when both have an extension and the extensions differ,
// allowing the 8.3 cut of the title ("REPORT~1.HTM" for "report.html"). A name
// without an extension (a display name "Invoice") claims nothing. Returns a
// description of the first conflict, or empty.
[[nodiscard]] std::string name_conflict(const std::vector<Name>& names);

}  // namespace sluice::codecs::mapi
