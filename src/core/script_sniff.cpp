#include "core/script_sniff.hpp"

#include <array>
#include <cstddef>

namespace sluice::core {
namespace {

bool has(std::string_view t, std::string_view needle) noexcept {
  return t.find(needle) != std::string_view::npos;
}

template <std::size_t N>
int count_markers(std::string_view t, const std::array<std::string_view, N>& markers) noexcept {
  int n = 0;
  for (std::string_view m : markers) n += has(t, m) ? 1 : 0;
  return n;
}

// The first non-blank line, carets and '@' stripped: batch authors write
// "@echo off", "@ECHO OFF", "e^c^h^o off" or start with "::" / "rem".
bool batch_first_line(std::string_view t) noexcept {
  std::size_t i = 0;
  while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n')) ++i;
  char squeezed[16];
  std::size_t n = 0;
  for (; i < t.size() && n < sizeof squeezed && t[i] != '\n'; ++i) {
    if (t[i] == '^' || t[i] == '@') continue;
    squeezed[n++] = t[i];
  }
  const std::string_view head(squeezed, n);
  return head.starts_with("echo off") || head.starts_with("::") || head.starts_with("rem ") ||
         head.starts_with("setlocal") || head.starts_with("chcp ");
}

}  // namespace

bool has_encoded_script_marker(std::string_view text) noexcept {
  for (std::size_t at = text.find("#@~^"); at != std::string_view::npos; at = text.find("#@~^", at + 1)) {
    if (text.size() - at >= 12 && text.substr(at + 10, 2) == "==") return true;
  }
  return false;
}

FileType sniff_script(std::string_view t) noexcept {
  // Containers of script blocks first: an HTA or WSF may hold encoded blocks.
  if (has(t, "<hta:application")) return FileType::script_hta;
  if ((has(t, "<job") || has(t, "<package") || has(t, "<?job")) && has(t, "<script"))
    return FileType::script_wsf;
  if (has_encoded_script_marker(t) && !has(t, "<html") && !has(t, "<script")) return FileType::script_encoded;

  // PowerShell: idioms no other language here spells this way.
  static constexpr std::array<std::string_view, 16> kPs{
      "$env:",          "invoke-expression", "new-object ",     "[convert]::",
      "-bxor",          "[system.",          "write-host",      "start-process",
      "invoke-webrequest", "set-executionpolicy", "$psversiontable", "[byte[]]",
      "-join",          "param(",            "get-childitem",   "$_."};
  const int ps = count_markers(t, kPs);
  if (ps >= 2 || has(t, "invoke-expression") || has(t, "[convert]::frombase64string")) return FileType::script_ps1;

  // Batch: the first line, or several cmd.exe idioms.
  if (batch_first_line(t)) return FileType::script_bat;
  static constexpr std::array<std::string_view, 8> kBat{
      "%~dp0", "%comspec%", "goto :", "set /a ", "%errorlevel%", "start \"\"", "if exist ", "%temp%\\"};
  if (count_markers(t, kBat) >= 2) return FileType::script_bat;

  // JScript and VBScript share the COM idioms (WScript, CreateObject); the
  // statement style separates them.
  static constexpr std::array<std::string_view, 8> kVbs{
      "dim ",         "on error resume next", "end sub", "end function",
      "end if",       "wscript.echo ",        "& chr(",  "set "};
  static constexpr std::array<std::string_view, 9> kJs{
      "var ", "function", "activexobject", "};", "let ", "const ", "fromcharcode", "new ", "==="};
  const bool wsh = has(t, "wscript.") || has(t, "createobject(") || has(t, "activexobject") ||
                   has(t, "getobject(");
  const int vbs = count_markers(t, kVbs);
  const int js = count_markers(t, kJs) + (has(t, ";") ? 1 : 0);
  if (wsh) return js > vbs ? FileType::script_js : FileType::script_vbs;
  // Without a WSH idiom only unmistakable VBScript structure counts: prose and
  // other languages rarely say "end sub" and "on error resume next".
  if (has(t, "on error resume next") || (has(t, "end sub") && has(t, "dim "))) return FileType::script_vbs;
  return FileType::text;
}

}  // namespace sluice::core
