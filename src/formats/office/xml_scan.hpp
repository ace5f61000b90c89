#pragma once
// A tolerant, linear walk over the tags of an XML part: Office writes flat,
// regular XML, and an attacker's XML only has to survive Office's parser, so
// this never builds a tree and never fails — unbalanced or broken markup just
// ends the walk. Names are compared without their namespace prefix.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::formats::office {

struct XmlTag {
  std::string_view name;   // local name: "instrText" for <w:instrText>
  std::string_view attrs;  // raw attribute text
  std::string_view text;   // character data after the tag, up to the next '<' (raw, escaped)
  bool closing = false;    // </name>
  bool self_closing = false;
  std::uint64_t offset = 0;
};

// The value of the attribute whose local name is `local` (XML entities and
// character references decoded), if present.
[[nodiscard]] std::optional<std::string> attr(std::string_view attrs, std::string_view local);
// Entities (&lt; &gt; &amp; &quot; &apos;) and character references decoded.
[[nodiscard]] std::string unescape(std::string_view raw);

// Calls `f(const XmlTag&)` for each tag in document order, until it returns
// false. Comments, processing instructions and doctypes are skipped; CDATA
// sections are character data of the tag before them.
template <class F>
void for_each_tag(std::string_view xml, F&& f) {
  std::size_t i = xml.find('<');
  while (i != std::string_view::npos && i + 1 < xml.size()) {
    if (xml.substr(i, 4) == "<!--") {
      const std::size_t end = xml.find("-->", i + 4);
      if (end == std::string_view::npos) return;
      i = xml.find('<', end + 3);
      continue;
    }
    if (xml[i + 1] == '?' || xml[i + 1] == '!') {
      const std::size_t end = xml.find('>', i + 2);
      if (end == std::string_view::npos) return;
      i = xml.find('<', end + 1);
      continue;
    }
    const std::size_t end = xml.find('>', i + 1);
    if (end == std::string_view::npos) return;
    XmlTag t;
    t.offset = i;
    std::string_view body = xml.substr(i + 1, end - i - 1);
    if (!body.empty() && body.front() == '/') {
      t.closing = true;
      body.remove_prefix(1);
    }
    if (!body.empty() && body.back() == '/') {
      t.self_closing = true;
      body.remove_suffix(1);
    }
    std::size_t n = 0;
    while (n < body.size() && body[n] != ' ' && body[n] != '\t' && body[n] != '\r' && body[n] != '\n') ++n;
    std::string_view name = body.substr(0, n);
    if (const std::size_t colon = name.rfind(':'); colon != std::string_view::npos) name.remove_prefix(colon + 1);
    t.name = name;
    t.attrs = body.substr(n);
    std::size_t next = xml.find('<', end + 1);
    // CDATA belongs to the text of the element it sits in.
    while (next != std::string_view::npos && xml.substr(next, 9) == "<![CDATA[") {
      const std::size_t cend = xml.find("]]>", next + 9);
      if (cend == std::string_view::npos) {
        next = std::string_view::npos;
        break;
      }
      next = xml.find('<', cend + 3);
    }
    t.text = xml.substr(end + 1, (next == std::string_view::npos ? xml.size() : next) - end - 1);
    if (!f(static_cast<const XmlTag&>(t))) return;
    i = next;
  }
}

}  // namespace sluice::formats::office
