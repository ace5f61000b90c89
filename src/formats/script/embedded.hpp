#pragma once
// <script> blocks inside HTA and WSF files. Both are markup whose scripts run
// with the user's full rights (mshta.exe, wscript.exe); the blocks are what
// run, so each becomes a child typed by its declared language.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/file_type.hpp"

namespace sluice::formats::script {

struct ScriptBlock {
  std::uint64_t offset = 0;  // of the block's text, in the scanned text
  std::uint64_t length = 0;
  std::string language;      // the language= or type= attribute, lower case
  std::string src;           // a src= attribute: a file the markup loads
  FileType type = FileType::script_js;  // the language as a type
  bool closed = false;       // a </script> ended it
};

// At most `max_blocks`. HTA and WSF default to JScript when no language is named.
[[nodiscard]] std::vector<ScriptBlock> find_script_blocks(std::string_view text, std::size_t max_blocks);

}  // namespace sluice::formats::script
