#pragma once
// `sluice keys`: the metadata keys formats record on artifacts (src/meta),
// as a table for a terminal or as docs/metadata.md.
#include <string>
#include <string_view>

namespace sluice::cli {

// docs/metadata.md, generated from the declarations.
[[nodiscard]] std::string metadata_markdown();
// One key's entry ("key (type, written by folder): meaning"), or empty when
// no declaration covers `key`.
[[nodiscard]] std::string metadata_entry(std::string_view key);
int run_keys(bool markdown);

}  // namespace sluice::cli
