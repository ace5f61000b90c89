#include "formats/script/strings.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <set>

#include "core/text.hpp"

namespace sluice::formats::script {
namespace {


bool starts_with_ci(std::string_view t, std::size_t at, std::string_view lower_needle) noexcept {
  return at <= t.size() && core::ascii_lower_starts(t.substr(at), lower_needle);
}

// Where a URL in script text ends: quotes and brackets of the language
// around it, whitespace, and bytes no URL carries unescaped.
bool url_char(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7F) return false;
  switch (c) {
    case '"': case '\'': case '<': case '>': case '`': case '^': case '\\': case '{': case '}': case '|':
      return false;
    default: return true;
  }
}

bool name_char(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  if (u >= 0x80) return true;  // UTF-8 of a non-ASCII name
  switch (c) {
    case '_': case '-': case '~': case '$': case '#': case '@': case '!': case '.': case '(': case ')': case '[': case ']':
      return true;
    default: return false;
  }
}

// Which dotted tokens are file names at all, so "WScript.Shell" and
// "Net.WebClient" are not: what droppers fetch, unpack or start (programs,
// disks, archives, documents). A fact filter, not a verdict: whether a named
// file is a program, and whether the script starts a file lying beside it, is
// judged in analysis (names/extensions.cpp, scripts/runs_sibling.cpp).
constexpr std::array<std::string_view, 36> kReferenceExtensions{
    "exe", "dll", "scr", "com", "pif", "cpl", "ocx", "sys", "bat", "cmd", "js",  "jse",
    "vbs", "vbe", "wsf", "wsh", "hta", "ps1", "psm1", "msi", "lnk", "jar", "iso", "img",
    "vhd", "vhdx", "zip", "rar", "7z", "pdf", "doc", "docx", "xls", "xlsx", "rtf", "dat"};

void add(std::set<std::string>& seen, std::vector<std::string>& out, std::string s, std::size_t max_items) {
  if (out.size() >= max_items) return;
  if (seen.insert(s).second) out.push_back(std::move(s));
}

}  // namespace

std::vector<std::string> find_urls(std::string_view t, std::size_t max_items, std::size_t max_length) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < t.size() && out.size() < max_items; ++i) {
    const char c = core::ascii_lower(t[i]);
    if (c != 'h' && c != 'f') continue;
    std::size_t scheme = 0;
    if (starts_with_ci(t, i, "https://")) scheme = 8;
    else if (starts_with_ci(t, i, "http://")) scheme = 7;
    else if (starts_with_ci(t, i, "ftp://")) scheme = 6;
    if (scheme == 0) continue;
    std::size_t end = i + scheme;
    while (end < t.size() && url_char(t[end])) ++end;
    std::size_t stop = end;
    // Sentence and call punctuation after a URL is not part of it.
    while (stop > i + scheme && (t[stop - 1] == '.' || t[stop - 1] == ',' || t[stop - 1] == ')' ||
                                 t[stop - 1] == ';' || t[stop - 1] == '('))
      --stop;
    if (stop > i + scheme) {
      add(seen, out, std::string(t.substr(i, std::min(stop - i, max_length))), max_items);
    }
    i = end - 1;
  }
  return out;
}

std::vector<std::string> find_file_references(std::string_view t, std::size_t max_items, std::size_t max_length) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  // Walking back over name characters is bounded per dot (a name is at most
  // 255 characters on Windows) and in total, so text made of "a.exe"
  // repeated costs a few passes, not one per dot.
  constexpr std::size_t kMaxComponent = 255;
  std::uint64_t walk_budget = 4 * static_cast<std::uint64_t>(t.size()) + 1024;
  for (std::size_t dot = t.find('.'); dot != std::string_view::npos && out.size() < max_items;
       dot = t.find('.', dot + 1)) {
    std::size_t e = dot + 1;
    while (e < t.size() && e - dot <= 5 && ((t[e] >= 'a' && t[e] <= 'z') || (t[e] >= 'A' && t[e] <= 'Z') ||
                                             (t[e] >= '0' && t[e] <= '9')))
      ++e;
    if (e - dot < 2 || e - dot > 5) continue;
    if (e < t.size() && name_char(t[e]) && t[e] != '.' && t[e] != ')' && t[e] != ']') continue;
    std::string ext;
    for (std::size_t k = dot + 1; k < e; ++k) ext.push_back(core::ascii_lower(t[k]));
    bool known = false;
    for (std::string_view x : kReferenceExtensions) known = known || x == ext;
    if (!known) continue;
    // Back to the start of the last path segment.
    std::size_t b = dot;
    while (b > 0 && dot - b < kMaxComponent && walk_budget > 0 && name_char(t[b - 1])) {
      --b;
      --walk_budget;
    }
    if (walk_budget == 0) break;
    if (b == dot) continue;
    std::string name(t.substr(b, std::min(e - b, max_length)));
    // A URL's host ("example.com") is not a file; "http://x/a.exe" keeps "a.exe".
    if (b >= 2 && t[b - 1] == '/' && t[b - 2] == '/') continue;
    add(seen, out, std::move(name), max_items);
  }
  return out;
}

}  // namespace sluice::formats::script
