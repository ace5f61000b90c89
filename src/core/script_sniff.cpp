#include "core/script_sniff.hpp"

#include <array>
#include <cstddef>
#include <bitset>

#include "core/phrase_matcher.hpp"
#include "core/text.hpp"

namespace sluice::core {
namespace script_sniff_detail {
// Never defined: single() reaching it at compile time is an error, so a
// misspelt marker name does not compile.
void not_a_single_marker();
}  // namespace script_sniff_detail
namespace {

// PowerShell: idioms no other language here spells this way.
constexpr std::array<std::string_view, 16> kPs{
    "$env:",          "invoke-expression", "new-object ",     "[convert]::",
    "-bxor",          "[system.",          "write-host",      "start-process",
    "invoke-webrequest", "set-executionpolicy", "$psversiontable", "[byte[]]",
    "-join",          "param(",            "get-childitem",   "$_."};
constexpr std::array<std::string_view, 8> kBat{
    "%~dp0", "%comspec%", "goto :", "set /a ", "%errorlevel%", "start \"\"", "if exist ", "%temp%\\"};
constexpr std::array<std::string_view, 8> kVbs{
    "dim ",         "on error resume next", "end sub", "end function",
    "end if",       "wscript.echo ",        "& chr(",  "set "};
constexpr std::array<std::string_view, 9> kJs{
    "var ", "function", "activexobject", "};", "let ", "const ", "fromcharcode", "new ", "==="};
// Markers asked about one by one.
constexpr std::array<std::string_view, 16> kSingle{
    "<hta:application", "<job", "<package", "<?job", "<script", "<html", "invoke-expression",
    "[convert]::frombase64string", "wscript.", "createobject(", "activexobject", "getobject(",
    "on error resume next", "end sub", "dim ", ";"};

// All of them in one list, so one pass over the text answers every question.
constexpr std::size_t kPsAt = 0, kBatAt = kPsAt + kPs.size(), kVbsAt = kBatAt + kBat.size(),
                      kJsAt = kVbsAt + kVbs.size(), kSingleAt = kJsAt + kJs.size(),
                      kAllSize = kSingleAt + kSingle.size();
constexpr std::array<std::string_view, kAllSize> kAll = [] {
  std::array<std::string_view, kAllSize> all{};
  std::size_t n = 0;
  for (auto m : kPs) all[n++] = m;
  for (auto m : kBat) all[n++] = m;
  for (auto m : kVbs) all[n++] = m;
  for (auto m : kJs) all[n++] = m;
  for (auto m : kSingle) all[n++] = m;
  return all;
}();

consteval std::size_t single(std::string_view m) {
  for (std::size_t i = 0; i < kSingle.size(); ++i) {
    if (kSingle[i] == m) return kSingleAt + i;
  }
  script_sniff_detail::not_a_single_marker();
  return 0;
}

struct Markers {
  std::bitset<kAllSize> seen;
  bool has(std::size_t i) const { return seen[i]; }
  int count(std::size_t at, std::size_t n) const {
    int c = 0;
    for (std::size_t i = at; i < at + n; ++i) c += seen[i] ? 1 : 0;
    return c;
  }
};

const PhraseMatcher& matcher() {
  // Immutable once built; built on first use because sniffing is a free
  // function with no engine to own it.
  static const PhraseMatcher m(kAll, PhraseMatcher::Case::ascii_insensitive);
  return m;
}

// The first non-blank line, carets and '@' stripped, lower-cased: batch
// authors write "@echo off", "@ECHO OFF", "e^c^h^o off" or start with "::" / "rem".
bool batch_first_line(std::string_view t) noexcept {
  std::size_t i = 0;
  while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n')) ++i;
  char squeezed[16];
  std::size_t n = 0;
  for (; i < t.size() && n < sizeof squeezed && t[i] != '\n'; ++i) {
    if (t[i] == '^' || t[i] == '@') continue;
    squeezed[n++] = ascii_lower(t[i]);
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

namespace {

FileType judge(const Markers& k, std::string_view t) noexcept {
  // Containers of script blocks first: an HTA or WSF may hold encoded blocks.
  if (k.has(single("<hta:application"))) return FileType::script_hta;
  if ((k.has(single("<job")) || k.has(single("<package")) || k.has(single("<?job"))) && k.has(single("<script")))
    return FileType::script_wsf;
  if (has_encoded_script_marker(t) && !k.has(single("<html")) && !k.has(single("<script")))
    return FileType::script_encoded;

  const int ps = k.count(kPsAt, kPs.size());
  if (ps >= 2 || k.has(single("invoke-expression")) || k.has(single("[convert]::frombase64string")))
    return FileType::script_ps1;

  // Batch: the first line, or several cmd.exe idioms.
  if (batch_first_line(t)) return FileType::script_bat;
  if (k.count(kBatAt, kBat.size()) >= 2) return FileType::script_bat;

  // JScript and VBScript share the COM idioms (WScript, CreateObject); the
  // statement style separates them.
  const bool wsh = k.has(single("wscript.")) || k.has(single("createobject(")) || k.has(single("activexobject")) ||
                   k.has(single("getobject("));
  const int vbs = k.count(kVbsAt, kVbs.size());
  const int js = k.count(kJsAt, kJs.size()) + (k.has(single(";")) ? 1 : 0);
  if (wsh) return js > vbs ? FileType::script_js : FileType::script_vbs;
  // Without a WSH idiom only unmistakable VBScript structure counts: prose and
  // other languages rarely say "end sub" and "on error resume next".
  if (k.has(single("on error resume next")) || (k.has(single("end sub")) && k.has(single("dim "))))
    return FileType::script_vbs;
  return FileType::text;
}

}  // namespace

ScriptSniff sniff_script(std::string_view head) noexcept {
  Markers k;
  matcher().scan_unordered(head, [&k](std::size_t marker, std::size_t) { k.seen.set(marker); });
  return {judge(k, head), k.has(single("<html"))};
}

}  // namespace sluice::core
