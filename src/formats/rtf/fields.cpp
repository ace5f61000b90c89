#include "formats/rtf/fields.hpp"

#include "core/text.hpp"

namespace sluice::formats::rtf {
namespace {

constexpr std::size_t kMaxInstruction = 2048;

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::vector<std::string> field_instructions(ByteView rtf, std::size_t max) {
  std::vector<std::string> out;
  const std::string_view s = rtf.chars();
  constexpr std::string_view kFldinst = "\\fldinst";
  for (std::size_t at = s.find(kFldinst); at != std::string_view::npos && out.size() < max;
       at = s.find(kFldinst, at + kFldinst.size())) {
    std::size_t i = at + kFldinst.size();
    if (i < s.size() && is_alpha(s[i])) continue;  // \fldinstx is another word
    std::string text;
    int depth = 0;
    while (i < s.size() && text.size() < kMaxInstruction) {
      const char c = s[i];
      if (c == '{') {
        ++depth;
        ++i;
      } else if (c == '}') {
        if (depth == 0) break;  // the end of the \fldinst group
        --depth;
        ++i;
      } else if (c == '\\') {
        if (i + 1 >= s.size()) break;
        const char n = s[i + 1];
        if (n == '\\' || n == '{' || n == '}') {
          text += n;
          i += 2;
        } else if (n == '\'' && i + 3 < s.size() && hex(s[i + 2]) >= 0 && hex(s[i + 3]) >= 0) {
          text += static_cast<char>(hex(s[i + 2]) * 16 + hex(s[i + 3]));
          i += 4;
        } else if (is_alpha(n)) {
          std::size_t j = i + 1;
          while (j < s.size() && is_alpha(s[j])) ++j;
          if (j < s.size() && s[j] == '-') ++j;
          while (j < s.size() && is_digit(s[j])) ++j;
          if (j < s.size() && s[j] == ' ') ++j;  // the delimiter belongs to the control word
          i = j;
        } else {
          i += 2;  // control symbols (\~, \-, \*) are not instruction text
        }
      } else if (c == '\r' || c == '\n') {
        ++i;  // RTF ignores raw line breaks
      } else {
        text += c;
        ++i;
      }
    }
    std::string clean = core::latin1_to_utf8(text);
    if (!clean.empty()) out.push_back(std::move(clean));
  }
  return out;
}

}  // namespace sluice::formats::rtf
