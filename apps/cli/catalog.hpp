#pragma once
#include <string>
#include <string_view>

namespace sluice::cli {

// The entry for `id` from docs/findings.md (compiled in), or empty.
[[nodiscard]] std::string catalog_entry(std::string_view id);
int run_explain(const std::string& id);

}  // namespace sluice::cli
