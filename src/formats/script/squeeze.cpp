#include "formats/script/squeeze.hpp"

#include "core/text.hpp"

namespace sluice::formats::script {
namespace {

bool space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
bool alnum(char c) noexcept {
  const char l = core::ascii_lower(c);
  return (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9');
}

}  // namespace

std::string squeeze(std::string_view text, ObfuscationCounts& counts, bool fold_case) {
  std::string out;
  out.reserve(text.size());
  bool in_percent = false;  // inside %name... for the :~ slice count
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '^' || c == '`') {
      // An escape inside a word hides the word; at a word's edge it escapes
      // a metacharacter (^& ^| `n), which admins write too.
      const bool inside = !out.empty() && alnum(out.back()) && i + 1 < text.size() && alnum(text[i + 1]);
      if (inside) ++(c == '^' ? counts.carets : counts.backticks);
      if (c == '^' || inside) continue;
    }
    if (space(c)) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
      continue;
    }
    if (c == '"' || c == '\'') {
      // "abc" + "def"  /  "abc" & "def": the join disappears.
      std::size_t j = i + 1;
      while (j < text.size() && space(text[j])) ++j;
      if (j < text.size() && (text[j] == '+' || text[j] == '&')) {
        std::size_t k = j + 1;
        while (k < text.size() && space(text[k])) ++k;
        if (k < text.size() && (text[k] == '"' || text[k] == '\'')) {
          ++counts.joins;
          i = k;
          continue;
        }
      }
    }
    if (c == '%') in_percent = !in_percent;
    if (in_percent && c == ':' && i + 1 < text.size() && text[i + 1] == '~') ++counts.substrings;
    if (c == '\n') in_percent = false;
    out.push_back(fold_case ? core::ascii_lower(c) : c);
  }
  return out;
}

}  // namespace sluice::formats::script
