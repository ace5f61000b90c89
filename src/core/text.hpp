#pragma once
#include <string>
#include <string_view>

namespace sluice::core {

// Valid UTF-8 out of any bytes: each invalid sequence becomes U+FFFD, so a name
// always renders and always serialises, and the substitution is visible.
[[nodiscard]] std::string to_valid_utf8(std::string_view raw);
// Cuts at a code-point boundary at or below max_bytes.
[[nodiscard]] std::string truncate_utf8(std::string s, std::size_t max_bytes);
[[nodiscard]] std::string ascii_lower(std::string_view s);

}  // namespace sluice::core
