#include "analysis/office/vba_keywords.hpp"

#include <algorithm>
#include <array>

#include "core/text.hpp"

namespace sluice::analysis::office {
namespace {

// Procedures Word, Excel and PowerPoint call without the reader doing more
// than opening (or closing) the document; ActiveX event names droppers use
// when macros from auto-run names are blocked (olevba's AUTOEXEC_KEYWORDS).
constexpr std::array<std::string_view, 24> kAutoexec{
    "autoopen",        "autoexec",          "autoclose",       "autoexit",          "autonew",
    "document_open",   "document_close",    "document_new",    "document_beforeclose", "documentopen",
    "workbook_open",   "workbook_activate", "workbook_close",  "workbook_beforeclose", "auto_open",
    "auto_close",      "auto_activate",     "app_documentopen", "app_workbookopen",  "_layout",
    "_painted",        "_gotfocus",         "_resize",         "_mousemove"};

// Calls that run programs, fetch or write payloads, or reach Win32: one is
// enough (olevba's "Suspicious" keywords that execute or download).
constexpr std::array<std::string_view, 30> kStrong{
    "shell",          "wscript.shell",   "shell.application", "shellexecute",   "urldownloadtofile",
    "xmlhttp",        "serverxmlhttp",   "winhttprequest",    "winhttp",        "adodb.stream",
    "savetofile",     "powershell",      "cmd.exe",           "cmd /c",         "mshta",
    "certutil",       "virtualalloc",    "rtlmovememory",     "createthread",   "writeprocessmemory",
    "createremotethread", "executeexcel4macro", "macscript",  "win32_process",  "winmgmts",
    "callbyname",     "regsvr32",        "rundll32",          "bitsadmin",      "schtasks"};

// Staging and obfuscation: common in ordinary macros one at a time, telling in numbers.
constexpr std::array<std::string_view, 16> kWeak{
    "chr",      "chrw",       "chrb",           "strreverse",     "base64",    "environ",
    "kill",     "filecopy",   "regwrite",       "createtextfile", "createobject", "getobject",
    "for binary", "for output", "scripting.filesystemobject", "application.run"};

bool ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}


// `word` as a whole identifier in `code` (a suffix keyword "_painted" may be
// the end of one: "Frame1_Painted").
bool has_word(std::string_view code, std::string_view word) {
  const bool suffix = word.front() == '_';
  for (std::size_t at = code.find(word); at != std::string_view::npos; at = code.find(word, at + 1)) {
    const bool left_ok = suffix || at == 0 || !ident_char(code[at - 1]);
    const std::size_t end = at + word.size();
    const bool right_ok = end >= code.size() || !ident_char(code[end]);
    if (left_ok && right_ok) return true;
  }
  return false;
}

}  // namespace

VbaReading read_vba(std::string_view source) {
  VbaReading r;
  // Code only: the Attribute header and comment lines say nothing that runs.
  std::string code;
  code.reserve(source.size());
  std::size_t pos = 0;
  while (pos < source.size()) {
    std::size_t nl = source.find('\n', pos);
    if (nl == std::string_view::npos) nl = source.size();
    std::string_view line = source.substr(pos, nl - pos);
    pos = nl + 1;
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty() || line.front() == '\'') continue;
    const std::string lower = core::ascii_lower(line.substr(0, 10));
    if (lower.starts_with("attribute ") || lower.starts_with("rem ")) continue;
    ++r.code_lines;
    code += core::ascii_lower(line);
    code += '\n';
  }
  for (std::string_view k : kAutoexec) {
    if (has_word(code, k)) r.autoexec.emplace_back(k);
  }
  for (std::string_view k : kStrong) {
    if (has_word(code, k)) r.strong.emplace_back(k);
  }
  for (std::string_view k : kWeak) {
    if (has_word(code, k)) r.weak.emplace_back(k);
  }
  return r;
}

}  // namespace sluice::analysis::office
