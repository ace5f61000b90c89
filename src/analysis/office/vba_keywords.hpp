#pragma once
// What a VBA module's text says it does, read as olevba and SpamAssassin's
// OLEVBMacro do: the procedures Office runs by itself, and the calls droppers
// make. Pure text matching on identifiers (case-insensitive, whole words);
// comment lines and Attribute lines are not code.
#include <string>
#include <string_view>
#include <vector>

namespace sluice::analysis::office {

struct VbaReading {
  std::size_t code_lines = 0;
  std::vector<std::string> autoexec;  // AutoOpen, Document_Open, Workbook_Open ...
  std::vector<std::string> strong;    // Shell, URLDownloadToFile, PowerShell ...
  std::vector<std::string> weak;      // Chr, StrReverse, Environ, file writes ... (obfuscation, staging)
};

[[nodiscard]] VbaReading read_vba(std::string_view source);

}  // namespace sluice::analysis::office
