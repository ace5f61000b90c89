#include "formats/html/markup.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace sluice::formats::html {
namespace {

constexpr std::size_t kMaxElements = 64;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string_view trim(std::string_view v) {
  while (!v.empty() && is_space(v.front())) v.remove_prefix(1);
  while (!v.empty() && is_space(v.back())) v.remove_suffix(1);
  return v;
}

const std::string* attribute(const codecs::text::HtmlTag& t, std::string_view name) {
  for (const auto& a : t.attributes) {
    if (a.name == name) return &a.value;
  }
  return nullptr;
}

// A <script>'s type or language names JavaScript (or nothing, which means it).
bool runs_as_javascript(const codecs::text::HtmlTag& t) {
  for (std::string_view key : {"type", "language"}) {
    const std::string* v = attribute(t, key);
    if (v == nullptr) continue;
    const std::string l = core::ascii_lower(trim(*v));
    if (l.empty()) continue;
    const bool js = l.find("javascript") != std::string::npos || l.find("ecmascript") != std::string::npos ||
                    l.find("jscript") != std::string::npos || l == "module";
    if (!js) return false;
  }
  return true;
}

// XML character data: an SVG <script> without CDATA has its '<' and '&'
// escaped, and the browser's XML parser unescapes them before running it.
std::string script_text(std::string_view raw, bool xml) {
  std::string out;
  std::size_t i = 0;
  while (i < raw.size()) {
    if (raw.substr(i, 9) == "<![CDATA[") {
      const std::size_t e = raw.find("]]>", i + 9);
      const std::size_t stop = e == std::string_view::npos ? raw.size() : e;
      out.append(raw.substr(i + 9, stop - i - 9));
      i = e == std::string_view::npos ? raw.size() : e + 3;
      continue;
    }
    if (xml && raw[i] == '&') {
      if (const std::size_t used = codecs::text::decode_entity(raw.substr(i), out)) {
        i += used;
        continue;
      }
    }
    out.push_back(raw[i]);
    ++i;
  }
  return out;
}

}  // namespace

Markup read_markup(std::string_view s, std::size_t max_items, std::size_t max_inner) {
  Markup m;
  std::size_t blocks = 0;
  auto room = [&](auto& list) {
    if (list.size() < max_items) return true;
    m.limited = true;
    return false;
  };
  codecs::text::HtmlTag t;
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t lt = s.find('<', i);
    if (lt == std::string_view::npos || lt + 1 >= s.size()) break;
    i = lt;
    const char n = s[i + 1];
    if (n == '!' || n == '?') {
      i = codecs::text::skip_html_declaration(s, i);
      continue;
    }
    if (!is_alpha(n)) {
      ++i;
      continue;
    }
    codecs::text::read_html_tag(s, i, t);
    const std::size_t tag_at = i;
    i = t.end;
    if (t.name.empty()) continue;
    if (t.name == "svg") m.svg = true;
    if (t.name == "script" && !t.self_closing) {
      const std::size_t e = codecs::text::find_ascii_ci(s, "</script", i);
      const std::size_t stop = e == std::string_view::npos ? s.size() : e;
      ScriptSource src;
      src.kind = ScriptKind::block;
      src.offset = tag_at;
      src.code = script_text(s.substr(i, stop - i), m.svg);
      src.where = "script[" + std::to_string(blocks++) + "]";
      src.runs = runs_as_javascript(t);
      for (std::string_view key : {"src", "href", "xlink:href"}) {
        if (const std::string* v = attribute(t, key)) src.src = std::string(trim(*v));
      }
      if (room(m.scripts) && (!src.code.empty() || !src.src.empty())) m.scripts.push_back(std::move(src));
      if (e == std::string_view::npos) break;
      const std::size_t gt = s.find('>', e);
      i = gt == std::string_view::npos ? s.size() : gt + 1;
    } else if (t.name == "script") {
      ++blocks;
    }
    if (t.name == "style" && !t.self_closing) {
      const std::size_t e = codecs::text::find_ascii_ci(s, "</style", i);
      i = e == std::string_view::npos ? s.size() : e;
    }
    const std::string* download = attribute(t, "download");
    for (const auto& a : t.attributes) {
      const std::string_view v = trim(a.value);
      if (a.name.size() > 2 && a.name.starts_with("on")) {
        if (v.empty() || !room(m.scripts)) continue;
        ScriptSource h;
        h.kind = ScriptKind::handler;
        h.offset = tag_at;
        h.code = std::string(v);
        h.event = a.name.substr(2);
        h.where = a.name + " of <" + t.name + ">";
        m.scripts.push_back(std::move(h));
      } else if (core::ascii_lower_starts(v, "javascript:")) {
        if (!room(m.scripts)) continue;
        ScriptSource j;
        j.kind = ScriptKind::javascript_url;
        j.offset = tag_at;
        j.code = std::string(v.substr(11));
        j.where = "javascript: URL of <" + t.name + ">";
        m.scripts.push_back(std::move(j));
      } else if (core::ascii_lower_starts(v, "data:")) {
        const std::size_t comma = v.find(',');
        if (comma == std::string_view::npos || !room(m.data_uris)) continue;
        DataUri d;
        d.where = "data: URI of <" + t.name + ">";
        d.offset = tag_at;
        const std::string header = core::ascii_lower(v.substr(5, comma - 5));
        d.media_type = header.substr(0, header.find(';'));
        d.base64 = header.ends_with(";base64");
        d.payload = std::string(v.substr(comma + 1));
        if (download != nullptr) d.download = *download;
        m.data_uris.push_back(std::move(d));
      }
    }
    const std::string* id = attribute(t, "id");
    // Few elements are looked up by id; each costs a search bounded by max_inner.
    if (id != nullptr && !t.closing && !id->empty() && m.elements.size() < std::min<std::size_t>(max_items, kMaxElements)) {
      Element el;
      el.id = *id;
      el.tag = t.name;
      el.attributes = t.attributes;
      if (!t.self_closing) {
        const std::size_t window = std::min(s.size() - i, max_inner);
        const std::string_view rest = s.substr(i, window);
        const std::size_t e = codecs::text::find_ascii_ci(rest, "</" + t.name, 0);
        el.inner = std::string(rest.substr(0, e == std::string_view::npos ? rest.size() : e));
      }
      m.elements.push_back(std::move(el));
    }
  }
  return m;
}

}  // namespace sluice::formats::html
