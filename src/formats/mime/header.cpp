#include "formats/mime/header.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>

#include "core/text.hpp"
#include "formats/mime/layout.hpp"

namespace sluice::formats::mime {
namespace {

struct Line {
  std::string_view text;  // without the line break
  std::size_t next = 0;   // offset of the following line
};

// Python's feedparser splits on \r\n, \r and \n alike; so do we, so that a
// bare CR means the same thing to us as to the oracle (and is reported).
Line next_line(std::string_view s, std::size_t pos) {
  // Two library scans (vectorised) instead of a test per byte: the line ends
  // at its first LF, or at a CR before that.
  const std::string_view rest = s.substr(pos);
  const void* lf = std::memchr(rest.data(), '\n', rest.size());
  const std::size_t to_lf = lf == nullptr ? rest.size() : static_cast<std::size_t>(static_cast<const char*>(lf) - rest.data());
  const void* cr = std::memchr(rest.data(), '\r', to_lf);
  const std::size_t i = pos + (cr == nullptr ? to_lf : static_cast<std::size_t>(static_cast<const char*>(cr) - rest.data()));
  Line l{s.substr(pos, i - pos), i};
  if (i < s.size()) {
    l.next = (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ? i + 2 : i + 1;
  }
  return l;
}

bool name_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x21 && u <= 0x7E && c != ':';
}

std::string unquote(std::string_view v, bool& quoted) {
  quoted = false;
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
    quoted = true;
    std::string out;
    v = v.substr(1, v.size() - 2);
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '\\' && i + 1 < v.size() && (v[i + 1] == '\\' || v[i + 1] == '"')) ++i;
      out.push_back(v[i]);
    }
    return out;
  }
  if (v.size() >= 2 && v.front() == '<' && v.back() == '>') return std::string(v.substr(1, v.size() - 2));
  return std::string(v);
}

std::string percent_decode(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto hex = [](char c) {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    if (v[i] == '%' && i + 2 < v.size() + 0 && hex(v[i + 1]) >= 0 && hex(v[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(v[i + 1]) * 16 + hex(v[i + 2])));
      i += 2;
    } else {
      out.push_back(v[i]);
    }
  }
  return out;
}

// "name*", "name*0", "name*0*": RFC 2231 3 and 4 (Python's rfc2231_continuation).
bool split_2231(std::string_view name, std::string& base, int& num, bool& encoded) {
  const auto star = name.find('*');
  if (star == std::string_view::npos || star == 0) return false;
  base = std::string(name.substr(0, star));
  for (char c : base) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  std::string_view rest = name.substr(star + 1);
  encoded = false;
  num = -1;
  if (rest.empty()) {
    encoded = true;
    return true;
  }
  std::size_t d = 0;
  int n = 0;
  while (d < rest.size() && rest[d] >= '0' && rest[d] <= '9' && d < 6) n = n * 10 + (rest[d++] - '0');
  if (d == 0) return false;
  rest.remove_prefix(d);
  if (rest == "*") encoded = true;
  else if (!rest.empty()) return false;
  num = n;
  return true;
}

}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

std::string strip_comments(std::string_view s, bool& had_comment) {
  std::string out;
  int depth = 0;
  bool in_quote = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\' && i + 1 < s.size() && (in_quote || depth > 0)) {
      if (depth == 0) {
        out.push_back(c);
        out.push_back(s[i + 1]);
      }
      ++i;
      continue;
    }
    if (depth == 0 && c == '"') in_quote = !in_quote;
    if (!in_quote && c == '(') {
      // Nesting is bounded by the string's length; depth is a counter, not recursion.
      ++depth;
      had_comment = true;
      continue;
    }
    if (!in_quote && c == ')' && depth > 0) {
      --depth;
      continue;
    }
    if (depth == 0) out.push_back(c);
  }
  return out;
}

namespace {

// The one walk over a header section's lines (Python's headerRE): what each
// line is goes to the visitor, which keeps what it needs —
//   line(text)                 every line of the section, before it is judged
//   field(name, value, offset) a "Name: value" line; false stops the walk
//   continuation(text)         a folded line after a field
//   orphan_continuation()      a folded line before any field
//   unix_from(text, first)     a "From " line
//   spaced_name(name)          "Name :" ending the section
//   end(body_offset, how)      the section ended, and how
enum class SectionEnd : std::uint8_t { blank_line, body_line, end_of_input };

template <class Visitor>
void walk_header_lines(std::string_view s, Visitor& v) {
  std::size_t pos = 0;
  std::size_t lineno = 0;
  bool any_field = false;
  while (pos < s.size()) {
    const Line l = next_line(s, pos);
    const std::string_view line = l.text;
    if (line.empty()) {
      if (l.next == pos) break;  // cannot happen (pos < size), kept for termination
      v.end(l.next, SectionEnd::blank_line);
      return;
    }
    v.line(line);
    const bool first = lineno++ == 0;
    if (line.front() == ' ' || line.front() == '\t') {
      if (any_field) {
        v.continuation(line);
      } else {
        v.orphan_continuation();  // Python drops it with a defect
      }
      pos = l.next;
      continue;
    }
    if (line.starts_with("From ")) {
      v.unix_from(line, first);
      pos = l.next;
      continue;
    }
    std::size_t n = 0;
    while (n < line.size() && name_char(line[n])) ++n;
    if (n < line.size() && line[n] == ':') {
      if (n > 0) {
        std::string_view value = line.substr(n + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
        any_field = true;
        if (!v.field(line.substr(0, n), value, pos)) return;
      }
      pos = l.next;
      continue;
    }
    // Not a header line: the body starts here (Python: MissingHeaderBodySeparatorDefect).
    std::size_t k = n;
    while (k < line.size() && (line[k] == ' ' || line[k] == '\t')) ++k;
    if (n > 0 && k < line.size() && line[k] == ':') v.spaced_name(line.substr(0, n));
    v.end(pos, SectionEnd::body_line);
    return;
  }
  v.end(s.size(), SectionEnd::end_of_input);
}

// The first allocation of a folded field's joined value.
constexpr std::size_t kFoldedReserve = 256;

// parse_headers' visitor: every field, every fact about the lines.
struct SectionBuilder {
  HeaderSection h;
  bool last_unfolded = false;  // the last field's value is h.unfolded.front()

  SectionBuilder() { h.fields.reserve(8); }

  void line(std::string_view text) {
    if (text.size() > kMaxLineLength) ++h.long_lines;
    if (text.find('\0') != std::string_view::npos) h.header_nul = true;
    if (std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }) &&
        core::to_valid_utf8(text) != text) {
      h.header_8bit = true;
    }
  }
  bool field(std::string_view name, std::string_view value, std::size_t offset) {
    if (name.find('(') != std::string_view::npos) h.name_with_comment = true;
    h.fields.push_back(HeaderField{name, value, offset});
    last_unfolded = false;
    return true;
  }
  void continuation(std::string_view text) {
    HeaderField& f = h.fields.back();
    if (!last_unfolded) {
      // Room for a few more lines at once: a Received field folds over
      // three or four, and growing by doubling cost an allocation a line.
      std::string& joined = h.unfolded.emplace_front();
      joined.reserve(std::max<std::size_t>(kFoldedReserve, 2 * (f.value.size() + text.size())));
      joined.append(f.value);
      last_unfolded = true;
    }
    std::string& joined = h.unfolded.front();
    joined.append(text);
    f.value = joined;
  }
  void orphan_continuation() { h.first_line_continuation = true; }
  void unix_from(std::string_view text, bool first) {
    if (first) h.unix_from = std::string(text);
  }
  void spaced_name(std::string_view name) { h.spaced_name = std::string(name); }
  void end(std::size_t body_offset, SectionEnd how) {
    h.body_offset = body_offset;
    h.separator = how == SectionEnd::blank_line;
    h.missing_separator = how == SectionEnd::body_line;
  }
};

// first_field_value's visitor: one field's value, the walk stopped at the
// next field after it.
struct OneField {
  std::string_view lname;
  std::optional<std::string> value;  // once found, every field after it stops the walk

  void line(std::string_view) {}
  bool field(std::string_view name, std::string_view v, std::size_t) {
    if (value) return false;
    if (!core::ascii_lower_equals(name, lname)) return true;
    value = std::string(v);
    return true;
  }
  void continuation(std::string_view text) {
    if (value) value->append(text);
  }
  void orphan_continuation() {}
  void unix_from(std::string_view, bool) {}
  void spaced_name(std::string_view) {}
  void end(std::size_t, SectionEnd) {}
};

}  // namespace

HeaderSection parse_headers(ByteView entity) {
  SectionBuilder b;
  walk_header_lines(entity.chars(), b);
  return std::move(b.h);
}

std::optional<std::string> first_field_value(ByteView entity, std::string_view lname) {
  OneField f;
  f.lname = lname;
  walk_header_lines(entity.chars(), f);
  return std::move(f.value);
}

bool HeaderField::named(std::string_view lower) const noexcept { return core::ascii_lower_equals(name, lower); }

const HeaderField* find_field(const HeaderSection& h, std::string_view lname, std::size_t* count) {
  const HeaderField* first = nullptr;
  std::size_t n = 0;
  for (const auto& f : h.fields) {
    if (f.named(lname)) {
      if (first == nullptr) first = &f;
      ++n;
    }
  }
  if (count != nullptr) *count = n;
  return first;
}

ParamValue parse_param_header(std::string_view value) {
  ParamValue out;
  // Python's _parseparam: split at ';' unless inside double quotes (counted
  // from the start, escaped quotes excluded). Counted incrementally here so a
  // value full of quoted ';' stays linear.
  std::vector<std::string_view> pieces;
  {
    std::size_t start = 0;
    long quotes = 0;
    for (std::size_t i = 0; i <= value.size(); ++i) {
      if (i == value.size()) {
        pieces.push_back(value.substr(start));
        break;
      }
      const char c = value[i];
      if (c == '"') {
        ++quotes;
        if (i > start && value[i - 1] == '\\') --quotes;
      } else if (c == ';' && (i == start || quotes % 2 == 0)) {
        pieces.push_back(value.substr(start, i - start));
        start = i + 1;
        quotes = 0;
      }
    }
  }
  out.value = core::ascii_lower(trim(strip_comments(pieces.front(), out.had_comment)));

  struct Segment {
    int num;
    std::string value;
    bool encoded;
  };
  std::vector<std::pair<std::string, std::vector<Segment>>> ext;  // insertion order, like a dict
  std::map<std::string, std::size_t, std::less<>> ext_index;      // name → position in ext
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    const std::string_view p = pieces[i];
    const auto eq = p.find('=');
    std::string name = core::ascii_lower(trim(eq == std::string_view::npos ? p : p.substr(0, eq)));
    std::string raw = eq == std::string_view::npos ? std::string() : std::string(trim(p.substr(eq + 1)));
    raw = std::string(trim(strip_comments(raw, out.had_comment)));
    bool quoted = false;
    std::string v = unquote(raw, quoted);
    if (quoted && core::ascii_lower(v).find("boundary=") != std::string::npos) out.quoted_boundary_text = true;
    std::string base;
    int num = -1;
    bool encoded = false;
    if (split_2231(name, base, num, encoded)) {
      auto [at, fresh] = ext_index.try_emplace(base, ext.size());
      if (fresh) ext.push_back({base, {}});
      ext[at->second].second.push_back({num, std::move(v), encoded});
      continue;
    }
    if (name.empty()) continue;
    out.params.push_back(Param{std::move(name), std::move(v), {}, false, quoted});
  }
  for (auto& [name, segs] : ext) {
    std::stable_sort(segs.begin(), segs.end(), [](const Segment& a, const Segment& b) { return a.num < b.num; });
    for (std::size_t k = 0; k < segs.size(); ++k) {
      if (segs[k].num >= 0 && segs[k].num != static_cast<int>(k)) out.continuation_gap = true;
    }
    std::string joined;
    bool extended = false;
    for (const auto& s : segs) {
      if (s.encoded) {
        joined += percent_decode(s.value);
        extended = true;
      } else {
        joined += s.value;
      }
    }
    Param prm{name, {}, {}, true, false};
    if (extended) {
      // RFC 2231 4: charset'language'value; fewer than two quotes: no charset.
      const auto t1 = joined.find('\'');
      const auto t2 = t1 == std::string::npos ? std::string::npos : joined.find('\'', t1 + 1);
      if (t2 != std::string::npos) {
        prm.charset = joined.substr(0, t1);
        prm.value = joined.substr(t2 + 1);
      } else {
        prm.value = std::move(joined);
      }
    } else {
      prm.value = std::move(joined);
    }
    out.params.push_back(std::move(prm));
  }
  return out;
}

const Param* find_param(const ParamValue& v, std::string_view name, bool rfc2231) {
  for (const auto& p : v.params) {
    if (p.name == name && p.rfc2231 == rfc2231) return &p;
  }
  return nullptr;
}

}  // namespace sluice::formats::mime
