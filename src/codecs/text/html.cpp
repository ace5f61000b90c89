#include "codecs/text/html.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/text.hpp"

namespace sluice::codecs::text {
namespace {

struct Entity {
  std::string_view name;
  char32_t cp;
};
// The named references mail writers use; the full HTML5 table (2,231 names)
// would add nothing a lure or a password depends on.
constexpr Entity kEntities[] = {
    {"amp", '&'},      {"lt", '<'},        {"gt", '>'},        {"quot", '"'},
    {"apos", '\''},    {"nbsp", 0xA0},     {"copy", 0xA9},     {"reg", 0xAE},
    {"trade", 0x2122}, {"hellip", 0x2026}, {"mdash", 0x2014},  {"ndash", 0x2013},
    {"lsquo", 0x2018}, {"rsquo", 0x2019},  {"ldquo", 0x201C},  {"rdquo", 0x201D},
    {"bull", 0x2022},  {"euro", 0x20AC},   {"pound", 0xA3},    {"yen", 0xA5},
    {"cent", 0xA2},    {"sect", 0xA7},     {"deg", 0xB0},      {"middot", 0xB7},
    {"laquo", 0xAB},   {"raquo", 0xBB},    {"times", 0xD7},    {"zwnj", 0x200C},
    {"zwj", 0x200D},   {"shy", 0xAD},      {"ensp", 0x2002},   {"emsp", 0x2003},
    {"thinsp", 0x2009}, {"iexcl", 0xA1},   {"iquest", 0xBF},   {"auml", 0xE4},
    {"ouml", 0xF6},    {"uuml", 0xFC},     {"Auml", 0xC4},     {"Ouml", 0xD6},
    {"Uuml", 0xDC},    {"szlig", 0xDF},    {"eacute", 0xE9},   {"egrave", 0xE8},
    {"agrave", 0xE0},  {"ccedil", 0xE7},   {"ntilde", 0xF1},   {"Eacute", 0xC9},
};
// Legacy references browsers still accept without ';' ("&amp", "&nbsp").
constexpr std::string_view kNoSemicolon[] = {"amp", "lt", "gt", "quot", "nbsp", "copy", "reg"};

// Elements that end a line of text (and the cells that separate words).
constexpr std::string_view kBlockTags[] = {
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "hr", "pre", "center", "section", "article", "header", "footer", "dt", "dd",
    "title", "form", "address"};
constexpr std::string_view kCellTags[] = {"td", "th"};
// Elements with no end tag: they cannot open a hidden region.
constexpr std::string_view kVoidTags[] = {"br", "hr", "img", "input", "meta", "link", "area",
                                          "base", "col", "embed", "source", "wbr", "param"};
// Attributes that hold a URL the client fetches or follows.
constexpr std::string_view kUrlAttributes[] = {"href", "src", "action", "background", "formaction",
                                               "data", "poster", "lowsrc", "dynsrc"};
constexpr std::size_t kMaxHiddenSample = 120;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

template <std::size_t N>
bool in(const std::string_view (&set)[N], std::string_view v) {
  for (std::string_view s : set) {
    if (s == v) return true;
  }
  return false;
}

std::size_t find_ci(std::string_view hay, std::string_view needle, std::size_t from) {
  return find_ascii_ci(hay, needle, from);
}

using Attribute = HtmlAttribute;
using Tag = HtmlTag;

void assign_lower(std::string& out, std::string_view s) {
  out.assign(s);
  core::ascii_lower_in_place(out);
}

// `raw` with its character references decoded, appended to `out` a run at a
// time (attribute values are mostly URLs without one).
void append_decoded(std::string_view raw, std::string& out) {
  std::size_t k = 0;
  while (k < raw.size()) {
    const std::size_t amp = raw.find('&', k);
    const std::size_t stop = amp == std::string_view::npos ? raw.size() : amp;
    out.append(raw.substr(k, stop - k));
    if (amp == std::string_view::npos) return;
    if (const std::size_t used = decode_entity(raw.substr(amp), out)) {
      k = amp + used;
    } else {
      out.push_back('&');
      k = amp + 1;
    }
  }
}

// One tag starting at s[pos] == '<' followed by a letter or '/', read into
// `t`, whose strings and attribute list keep their storage from the last tag:
// a page is thousands of tags, and each used to cost its own allocations.
// Attributes are bounded by the tag's own length, which is bounded by the input.
void read_tag(std::string_view s, std::size_t pos, Tag& t) {
  t.closing = false;
  t.self_closing = false;
  std::size_t used = 0;  // attributes of this tag; the rest of the list is old storage
  std::size_t i = pos + 1;
  if (i < s.size() && s[i] == '/') {
    t.closing = true;
    ++i;
  }
  const std::size_t name_at = i;
  while (i < s.size() && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '-' || s[i] == ':')) ++i;
  assign_lower(t.name, s.substr(name_at, i - name_at));
  while (i < s.size() && s[i] != '>') {
    if (is_space(s[i]) || s[i] == '/') {
      if (s[i] == '/') t.self_closing = true;
      ++i;
      continue;
    }
    t.self_closing = false;
    const std::size_t attr_at = i;
    while (i < s.size() && !is_space(s[i]) && s[i] != '=' && s[i] != '>' && s[i] != '/') ++i;
    if (i == attr_at) {  // a stray '=' or quote: skip it
      ++i;
      continue;
    }
    if (used == t.attributes.size()) t.attributes.emplace_back();
    Attribute& a = t.attributes[used++];
    assign_lower(a.name, s.substr(attr_at, i - attr_at));
    a.value.clear();
    std::size_t j = i;
    while (j < s.size() && is_space(s[j])) ++j;
    if (j < s.size() && s[j] == '=') {
      i = j + 1;
      while (i < s.size() && is_space(s[i])) ++i;
      std::string_view raw;
      if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
        const char q = s[i];
        const std::size_t close = s.find(q, i + 1);
        const std::size_t stop = close == std::string_view::npos ? s.size() : close;
        raw = s.substr(i + 1, stop - i - 1);
        i = close == std::string_view::npos ? s.size() : close + 1;
      } else {
        const std::size_t start = i;
        while (i < s.size() && !is_space(s[i]) && s[i] != '>') ++i;
        raw = s.substr(start, i - start);
      }
      append_decoded(raw, a.value);
    }
  }
  t.attributes.resize(used);
  t.closed = i < s.size();
  t.end = t.closed ? i + 1 : s.size();
}

const std::string* attribute(const Tag& t, std::string_view name) {
  for (const auto& a : t.attributes) {
    if (a.name == name) return &a.value;
  }
  return nullptr;
}

// Inline styles that hide an element's text from the reader but not from a
// filter reading the source: display:none, visibility:hidden, font-size:0,
// opacity:0, and the HTML `hidden` attribute.
bool hides(const Tag& t) {
  if (attribute(t, "hidden") != nullptr) return true;
  const std::string* style = attribute(t, "style");
  if (style == nullptr) return false;
  std::string compact;
  for (char c : *style) {
    if (!is_space(c)) compact.push_back(core::ascii_lower(c));
  }
  for (std::string_view rule : {"display:none", "visibility:hidden", "opacity:0;", "max-height:0"}) {
    if (compact.find(rule) != std::string::npos) return true;
  }
  if (compact.ends_with("opacity:0")) return true;
  // font-size:0, 0px, 0pt, 0em — but not 0.8em or 10px.
  for (std::size_t at = compact.find("font-size:0"); at != std::string::npos;
       at = compact.find("font-size:0", at + 1)) {
    const std::size_t next = at + 11;
    if (next >= compact.size() || !(is_digit(compact[next]) || compact[next] == '.')) return true;
  }
  return false;
}

class Builder {
 public:
  Builder(HtmlText& out, std::size_t max_text) : out_(out), max_(max_text) {}

  // Source text: whitespace runs collapse to one space, as a browser renders.
  void text(std::string_view s, bool hidden) {
    for (char c : s) put(is_space(c) ? ' ' : c, hidden);
  }
  void put(char c, bool hidden) {
    if (hidden) {
      if (!is_space(c)) ++out_.hidden_chars;
      if (out_.hidden_sample.size() < kMaxHiddenSample && !(is_space(c) && out_.hidden_sample.ends_with(' '))) {
        out_.hidden_sample.push_back(is_space(c) ? ' ' : c);
      }
      return;
    }
    if (c == ' ') {
      if (out_.text.empty() || out_.text.back() == ' ' || out_.text.back() == '\n') return;
    }
    if (anchor_ < out_.links.size() && out_.links[anchor_].text.size() < kMaxAnchorText) {
      out_.links[anchor_].text.push_back(c);
    }
    if (out_.text.size() >= max_) {
      out_.capped = true;
      return;
    }
    out_.text.push_back(c);
  }
  // A run of text holding no space, '<' or '&': what put() does to each of
  // its characters, a run at a time (most of a page's text is such runs).
  void run(std::string_view r, bool hidden) {
    if (hidden) {
      for (char c : r) put(c, true);
      return;
    }
    if (anchor_ < out_.links.size()) {
      std::string& anchor_text = out_.links[anchor_].text;
      if (anchor_text.size() < kMaxAnchorText) anchor_text.append(r.substr(0, kMaxAnchorText - anchor_text.size()));
    }
    const std::size_t room = max_ - std::min(max_, out_.text.size());
    if (r.size() > room) out_.capped = true;
    out_.text.append(r.substr(0, room));
  }
  void decoded(std::string_view utf8, bool hidden) {
    // A no-break space separates words for every reader of this text.
    if (utf8 == "\xC2\xA0") {
      put(' ', hidden);
      return;
    }
    for (char c : utf8) put(c, hidden);
  }
  void line_break() {
    while (!out_.text.empty() && out_.text.back() == ' ') out_.text.pop_back();
    if (out_.text.empty() || out_.text.ends_with("\n\n")) return;
    if (out_.text.size() < max_) out_.text.push_back('\n');
  }
  // The link whose anchor text is being collected (an index: the vector grows).
  void anchor(std::size_t link) { anchor_ = link; }

 private:
  HtmlText& out_;
  std::size_t max_;
  std::size_t anchor_ = static_cast<std::size_t>(-1);
};

}  // namespace

void read_html_tag(std::string_view html, std::size_t pos, HtmlTag& tag) { read_tag(html, pos, tag); }

std::size_t skip_html_declaration(std::string_view s, std::size_t i) {
  if (s.substr(i, 4) == "<!--") {
    const std::size_t e = s.find("-->", i + 4);
    return e == std::string_view::npos ? s.size() : e + 3;
  }
  const std::size_t e = s.find('>', i + 2);
  return e == std::string_view::npos ? s.size() : e + 1;
}

std::size_t find_ascii_ci(std::string_view hay, std::string_view needle, std::size_t from) {
  if (needle.empty() || hay.size() < needle.size()) return std::string_view::npos;
  for (std::size_t i = from; i + needle.size() <= hay.size(); ++i) {
    std::size_t k = 0;
    while (k < needle.size() && core::ascii_lower(hay[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return i;
  }
  return std::string_view::npos;
}

std::size_t decode_entity(std::string_view s, std::string& out) {
  if (s.size() < 2 || s[0] != '&') return 0;
  if (s[1] == '#') {
    std::size_t i = 2;
    const bool hex = i < s.size() && (s[i] == 'x' || s[i] == 'X');
    if (hex) ++i;
    const std::size_t start = i;
    std::uint32_t cp = 0;
    // Digits past the seventh cannot stay within U+10FFFF; they still belong
    // to the reference, which then decodes to U+FFFD (browsers do the same).
    bool overflow = false;
    while (i < s.size() && (hex ? std::isxdigit(static_cast<unsigned char>(s[i])) != 0 : is_digit(s[i]))) {
      const char c = s[i];
      const std::uint32_t d = is_digit(c) ? static_cast<std::uint32_t>(c - '0')
                                          : static_cast<std::uint32_t>(core::ascii_lower(c) - 'a' + 10);
      if (cp > 0x10FFFF) overflow = true;
      else cp = cp * (hex ? 16 : 10) + d;
      ++i;
    }
    if (i == start) return 0;
    if (i < s.size() && s[i] == ';') ++i;
    // NUL and C1 controls are not text; browsers map them to U+FFFD or CP1252.
    if (overflow || cp == 0 || cp > 0x10FFFF) cp = 0xFFFD;
    core::append_utf8(out, static_cast<char32_t>(cp));
    return i;
  }
  std::size_t i = 1;
  while (i < s.size() && i < 12 && (is_alpha(s[i]) || is_digit(s[i]))) ++i;
  const std::string_view name = s.substr(1, i - 1);
  const bool semicolon = i < s.size() && s[i] == ';';
  if (!semicolon && !in(kNoSemicolon, name)) return 0;
  for (const Entity& e : kEntities) {
    if (e.name == name) {
      core::append_utf8(out, e.cp);
      return semicolon ? i + 1 : i;
    }
  }
  return 0;
}

namespace {

// The tokenizer's one pass. With kText the reader's text, hidden text and
// anchor texts are built; without it only the links are (html_links): text
// between tags is skipped to the next '<' — an entity never holds one — and
// tags are read and judged exactly as with it, so both find the same links.
template <bool kText>
HtmlText walk(std::string_view s, std::size_t max_text, std::size_t max_links) {
  HtmlText out;
  Builder b(out, max_text);
  // Hidden regions: the tag that opened the outermost one and how many
  // same-named elements opened inside it (a counter, not a stack, so hostile
  // nesting costs nothing).
  std::string hidden_tag;
  std::uint64_t hidden_depth = 0;
  auto close_anchor = [&] { b.anchor(static_cast<std::size_t>(-1)); };
  Tag t;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    const bool hidden = hidden_depth > 0;
    if constexpr (!kText) {
      if (c != '<') {
        i = s.find('<', i);
        if (i == std::string_view::npos) break;
        continue;
      }
    }
    if (c == '&') {
      std::string ent;
      if (const std::size_t used = decode_entity(s.substr(i), ent)) {
        b.decoded(ent, hidden);
        i += used;
        continue;
      }
      b.put(c, hidden);
      ++i;
      continue;
    }
    if constexpr (kText) {
      if (c != '<' && !is_space(c)) {
        std::size_t end = i + 1;
        while (end < s.size() && s[end] != '<' && s[end] != '&' && !is_space(s[end])) ++end;
        b.run(s.substr(i, end - i), hidden);
        i = end;
        continue;
      }
    }
    if (c != '<' || i + 1 >= s.size()) {
      if constexpr (kText) b.put(is_space(c) ? ' ' : c, hidden);
      ++i;
      continue;
    }
    const char n = s[i + 1];
    if (n == '!' || n == '?') {
      // Comments (and conditional comments, which Outlook renders but
      // everyone else hides), doctype, processing instructions.
      i = skip_html_declaration(s, i);
      continue;
    }
    if (!is_alpha(n) && n != '/') {
      if constexpr (kText) b.put(c, hidden);  // "a < b": a literal '<'
      ++i;
      continue;
    }
    read_tag(s, i, t);
    const std::size_t tag_at = i;
    i = t.end;
    if (t.name.empty() || !t.closed) continue;
    if (!t.closing && (t.name == "script" || t.name == "style")) {
      const std::string close = "</" + t.name;
      const std::size_t e = find_ci(s, close, i);
      if (e == std::string_view::npos) {
        i = s.size();
      } else {
        const std::size_t gt = s.find('>', e);
        i = gt == std::string_view::npos ? s.size() : gt + 1;
      }
      continue;
    }
    if constexpr (kText) {
      if (in(kBlockTags, t.name)) b.line_break();
      if (in(kCellTags, t.name)) b.put(' ', hidden);
    }
    if (t.closing) {
      if constexpr (kText) {
        if (t.name == "a") close_anchor();
        if (hidden_depth > 0 && t.name == hidden_tag && --hidden_depth == 0) hidden_tag.clear();
      }
      continue;
    }
    if constexpr (kText) {
      if (t.name == "a") close_anchor();  // <a> does not nest: a new one ends the last
      if (hidden_depth > 0 && t.name == hidden_tag && !t.self_closing) {
        ++hidden_depth;
      } else if (hidden_depth == 0 && !t.self_closing && !in(kVoidTags, t.name) && hides(t)) {
        hidden_tag = t.name;
        hidden_depth = 1;
      }
    }
    for (const Attribute& a : t.attributes) {
      if (!in(kUrlAttributes, a.name)) continue;
      std::string_view v = a.value;
      while (!v.empty() && is_space(v.front())) v.remove_prefix(1);
      while (!v.empty() && is_space(v.back())) v.remove_suffix(1);
      if (v.empty() || v.front() == '#') continue;
      if (out.links.size() >= max_links) {
        out.links_limited = true;
        continue;
      }
      HtmlLink l;
      l.url = std::string(v);
      l.attribute = a.name;
      l.offset = tag_at;
      l.anchor = t.name == "a" && a.name == "href";
      out.links.push_back(std::move(l));
      if constexpr (kText) {
        if (out.links.back().anchor) b.anchor(out.links.size() - 1);
      }
    }
  }
  if constexpr (kText) {
    for (auto& l : out.links) {
      while (!l.text.empty() && l.text.back() == ' ') l.text.pop_back();
      l.text = core::truncate_utf8(std::move(l.text), kMaxAnchorText);
    }
    core::make_valid_utf8(out.text);
  }
  return out;
}

}  // namespace

HtmlText html_to_text(std::string_view s, std::size_t max_text, std::size_t max_links) {
  return walk<true>(s, max_text, max_links);
}

HtmlLinks html_links(std::string_view html, std::size_t max_links) {
  HtmlText t = walk<false>(html, 0, max_links);
  return {std::move(t.links), t.links_limited};
}

}  // namespace sluice::codecs::text
