#pragma once
// URLs and file names a script mentions, read from its case-preserving
// squeezed text (carets gone, "a"+"b" joined). Bounded: at most `max_items`
// distinct values, each cut at `max_length` bytes.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::formats::script {

[[nodiscard]] std::vector<std::string> find_urls(std::string_view text, std::size_t max_items, std::size_t max_length);

// Names of files the script runs or opens: a name ending in a program,
// script, image or document extension (`rundll32 x.dll,Start`,
// `start invoice.exe`, `WScript.Run "a.vbs"`). Only the last path segment.
[[nodiscard]] std::vector<std::string> find_file_references(std::string_view text, std::size_t max_items,
                                                            std::size_t max_length);

}  // namespace sluice::formats::script
