#include "formats/script/embedded.hpp"

#include "core/text.hpp"

namespace sluice::formats::script {
namespace {

// The value of `name=` in a tag's attributes ("x", 'x' or bare).
std::string attribute(std::string_view tag_lower, std::string_view tag, std::string_view name) {
  for (std::size_t at = tag_lower.find(name); at != std::string_view::npos; at = tag_lower.find(name, at + 1)) {
    if (at > 0 && tag_lower[at - 1] != ' ' && tag_lower[at - 1] != '\t' && tag_lower[at - 1] != '\n' &&
        tag_lower[at - 1] != '\r')
      continue;
    std::size_t i = at + name.size();
    while (i < tag_lower.size() && tag_lower[i] == ' ') ++i;
    if (i >= tag_lower.size() || tag_lower[i] != '=') continue;
    ++i;
    while (i < tag_lower.size() && tag_lower[i] == ' ') ++i;
    if (i >= tag_lower.size()) return {};
    const char q = tag_lower[i];
    if (q == '"' || q == '\'') {
      const std::size_t end = tag_lower.find(q, i + 1);
      return std::string(tag.substr(i + 1, (end == std::string_view::npos ? tag.size() : end) - i - 1));
    }
    std::size_t end = i;
    while (end < tag_lower.size() && tag_lower[end] != ' ' && tag_lower[end] != '>' && tag_lower[end] != '\t') ++end;
    return std::string(tag.substr(i, end - i));
  }
  return {};
}

FileType language_type(std::string_view lang) {
  if (lang.find(".encode") != std::string_view::npos) return FileType::script_encoded;
  if (lang.find("vbs") != std::string_view::npos) return FileType::script_vbs;
  if (lang.find("powershell") != std::string_view::npos) return FileType::script_ps1;
  return FileType::script_js;  // jscript, javascript, text/javascript, ecmascript, none
}

}  // namespace

std::vector<ScriptBlock> find_script_blocks(std::string_view text, std::size_t max_blocks) {
  const std::string lower = core::ascii_lower(text);  // same offsets: ASCII folding only
  const std::string_view t = lower;
  std::vector<ScriptBlock> out;
  std::size_t from = 0;
  while (out.size() < max_blocks) {
    const std::size_t open = t.find("<script", from);
    if (open == std::string_view::npos) break;
    const std::size_t tag_end = t.find('>', open);
    if (tag_end == std::string_view::npos) break;
    ScriptBlock b;
    const std::string_view tag_lower = t.substr(open + 7, tag_end - open - 7);
    const std::string_view tag = text.substr(open + 7, tag_end - open - 7);
    std::string lang = attribute(tag_lower, tag, "language");
    if (lang.empty()) lang = attribute(tag_lower, tag, "type");
    b.language = core::ascii_lower(lang);
    b.src = attribute(tag_lower, tag, "src");
    b.type = language_type(b.language);
    b.offset = tag_end + 1;
    if (!tag_lower.empty() && tag_lower.back() == '/') {  // <script src="x.js"/>: no body
      b.closed = true;
      from = b.offset;
      out.push_back(std::move(b));
      continue;
    }
    const std::size_t close = t.find("</script", b.offset);
    b.closed = close != std::string_view::npos;
    b.length = (b.closed ? close : t.size()) - b.offset;
    from = b.closed ? close + 8 : t.size();
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace sluice::formats::script
