#include "formats/mime/parser.hpp"

#include <algorithm>

#include "core/text.hpp"
#include "codecs/text/decode.hpp"
#include "formats/mime/layout.hpp"

namespace sluice::formats::mime {

using codecs::text::Rfc2047Result;
using codecs::text::charset_to_utf8;
using codecs::text::decode_rfc2047;
namespace {

struct Work {
  ByteView entity;
  std::uint64_t base = 0;  // offset of the entity in the message
  std::string path;
  std::uint32_t depth = 0;  // multipart nesting
  std::string default_type;
  bool raw = false;  // bytes outside any part (an epilogue): no headers to read
};

struct Part {
  std::uint64_t begin = 0;  // relative to the multipart body
  std::uint64_t end = 0;
};

struct NearMiss {
  std::string line;  // the delimiter-like line, cut to a sane length
  std::uint64_t offset = 0;  // relative to the multipart body
};

struct Split {
  std::vector<Part> parts;
  std::vector<NearMiss> near_misses;  // "--boundaryXYZ": a delimiter only to prefix matchers
  bool start_found = false;
  bool close_found = false;
  std::uint64_t epilogue = 0;  // offset of the epilogue (valid when a close was seen)
  bool close_before_start = false;
  std::uint64_t close_at = 0;  // offset of that close line
};

std::size_t eol_length_before(std::string_view s, std::size_t end, std::size_t begin) {
  if (end >= begin + 2 && s[end - 2] == '\r' && s[end - 1] == '\n') return 2;
  if (end >= begin + 1 && (s[end - 1] == '\n' || s[end - 1] == '\r')) return 1;
  return 0;
}

// RFC 2046 5.1.1 as Python's feedparser matches it: "--" boundary, optional
// "--", optional spaces and tabs, end of line. Line breaks are \r\n, \r or \n.
Split split_multipart(std::string_view body, std::string_view boundary) {
  Split sp;
  const std::string delim = std::string(kDash) + std::string(boundary);
  std::size_t pos = 0;
  std::size_t part_start = 0;
  bool open = false;
  while (pos < body.size()) {
    std::size_t i = pos;
    // memchr-speed scan for the next line break.
    while (i < body.size() && body[i] != '\n' && body[i] != '\r') ++i;
    std::size_t next = i;
    if (i < body.size()) next = (body[i] == '\r' && i + 1 < body.size() && body[i + 1] == '\n') ? i + 2 : i + 1;
    const std::string_view line = body.substr(pos, i - pos);
    bool is_delim = false;
    bool is_close = false;
    if (line.starts_with(delim)) {
      std::string_view rest = line.substr(delim.size());
      if (rest.starts_with(kDash)) {
        is_close = true;
        rest.remove_prefix(2);
      }
      is_delim = std::all_of(rest.begin(), rest.end(), [](char c) { return c == ' ' || c == '\t'; });
      if (!is_delim && sp.near_misses.size() < 16) {
        sp.near_misses.push_back({std::string(line.substr(0, 200)), pos});
      }
    }
    if (is_delim) {
      if (open && !(pos == part_start && !is_close)) {
        std::size_t end = pos;
        end -= eol_length_before(body, end, part_start);
        sp.parts.push_back({part_start, end});
        open = false;
      }
      if (is_close && !sp.start_found) {
        // feedparser: a close delimiter before any separator ends the
        // preamble, which then becomes the whole (undivided) payload.
        sp.close_before_start = true;
        sp.close_at = pos;
        sp.epilogue = next;
        return sp;
      }
      if (is_close) {
        sp.close_found = true;
        sp.start_found = true;
        sp.epilogue = next;
        return sp;
      }
      // Consecutive delimiter lines make no empty parts (feedparser): the
      // open part above is closed only when it was opened, and a delimiter
      // right after a delimiter just moves the start.
      sp.start_found = true;
      open = true;
      part_start = next;
    }
    pos = next;
    if (next == i && i >= body.size()) break;
  }
  if (open) {
    std::size_t end = body.size();
    end -= eol_length_before(body, end, part_start);
    sp.parts.push_back({part_start, end});
  }
  return sp;
}

bool valid_type(std::string_view t) {
  const auto slash = t.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == t.size()) return false;
  if (t.find('/', slash + 1) != std::string_view::npos) return false;
  return std::none_of(t.begin(), t.end(), [](char c) { return c == ' ' || c == '\t'; });
}

bool odd_case(std::string_view name) {
  // Writers use "Content-Type", "Content-type", all-lower or all-upper, and
  // the RFCs' own spellings with a short acronym word: "Content-ID",
  // "Content-MD5" (RFC 2045, RFC 1864), as Outlook and Thunderbird write them.
  bool lower = true, upper = true, title = true, first_cap = true, acronyms = true;
  bool word_start = true;
  std::size_t word_len = 0, word_upper = 0;
  const auto end_word = [&] {
    if (word_upper > 1 && !(word_upper == word_len && word_len <= 3)) acronyms = false;
  };
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool is_l = c >= 'a' && c <= 'z';
    const bool is_u = c >= 'A' && c <= 'Z';
    if (is_u) lower = false;
    if (is_l) upper = false;
    if (word_start ? is_l : is_u) title = false;
    if ((i == 0) ? is_l : is_u) first_cap = false;
    if (word_start ? is_l : false) acronyms = false;
    if (c == '-') {
      end_word();
      word_len = word_upper = 0;
    } else {
      ++word_len;
      word_upper += (is_u || (c >= '0' && c <= '9')) ? 1 : 0;
    }
    word_start = c == '-';
  }
  end_word();
  return !(lower || upper || title || first_cap || acronyms);
}

class Walker {
 public:
  Walker(ByteView msg, const Limits& limits) : msg_(msg), limits_(limits) {}

  Parsed<ParsedMessage> run() {
    note_line_endings();
    std::vector<Work> stack;
    stack.push_back({msg_, 0, "", 0, "text/plain"});
    bool top = true;
    while (!stack.empty()) {
      Work w = std::move(stack.back());
      stack.pop_back();
      visit(std::move(w), top, stack);
      top = false;
      if (out_.parts_limited) break;
    }
    report_near_misses();
    // A part's anomalies are noted before its leaf exists (its headers are
    // read first); they join the leaf now, in the order they were found.
    Parsed<ParsedMessage> parsed;
    for (auto& [leaf, a] : pending_) {
      if (leaf < out_.leaves.size()) {
        out_.leaves[leaf].anomalies.push_back(std::move(a));
      } else {
        parsed.anomalies.push_back(std::move(a));
      }
    }
    parsed.model = std::move(out_);
    return parsed;
  }

 private:
  void anomaly(std::string id, Severity sev, std::uint64_t off, std::string msg,
             std::size_t leaf = kOnMessage) {
    pending_.emplace_back(leaf, Anomaly{std::move(id), sev, off, std::move(msg)});
  }

  void note_line_endings() {
    const std::string_view s = msg_.chars();
    std::uint64_t crlf = 0, cr = 0;
    std::uint64_t first_cr = 0;
    // From CR to CR (most mail has none, or one per line): each is the start
    // of a CRLF or a bare CR; the LFs left are the LF-only line ends.
    for (std::size_t i = s.find('\r'); i != std::string_view::npos; i = s.find('\r', i + 1)) {
      if (i + 1 < s.size() && s[i + 1] == '\n') {
        ++crlf;
      } else if (cr++ == 0) {
        first_cr = i;
      }
    }
    if (crlf == 0 && cr == 0) return;  // one kind of line end at most: nothing to note
    const std::uint64_t lf = static_cast<std::uint64_t>(std::count(s.begin(), s.end(), '\n')) - crlf;
    if (cr > 0) {
      anomaly("mime.bare_cr", Severity::medium, first_cr,
            std::to_string(cr) + " bare CR line breaks: parsers disagree on whether they end a line");
    }
    if ((crlf > 0) + (lf > 0) + (cr > 0) > 1) {
      anomaly("mime.mixed_line_endings", Severity::low, 0,
            "line breaks mix CRLF (" + std::to_string(crlf) + "), LF (" + std::to_string(lf) +
                ") and CR (" + std::to_string(cr) + ")");
    }
  }

  void header_issues(const HeaderSection& h, std::uint64_t base, std::size_t leaf) {
    if (h.header_nul) {
      anomaly("mime.header_nul", Severity::medium, base, "NUL byte in a header section", leaf);
    }
    if (h.header_8bit) {
      anomaly("mime.header_8bit", Severity::low, base,
            "header bytes that are neither ASCII nor UTF-8 (RFC 5322 2.2, RFC 6532)", leaf);
    }
    if (h.name_with_comment) {
      anomaly("mime.header_name_comment", Severity::medium, base,
            "a header name contains '(' (a comment where none is allowed)", leaf);
    }
    if (!h.spaced_name.empty()) {
      anomaly("mime.header_name_whitespace", Severity::medium, base + h.body_offset,
            "'" + h.spaced_name + " :' (whitespace before the colon) ended the header section; "
            "some clients read it as a header", leaf);
    } else if (h.missing_separator && !h.fields.empty()) {
      anomaly("mime.malformed_header", Severity::low, base + h.body_offset,
            "a line that is not a header ends the header section without a blank line", leaf);
    }
    if (h.first_line_continuation) {
      anomaly("mime.malformed_header", Severity::low, base,
            "the header section starts with a continuation line", leaf);
    }
    if (h.long_lines > 0) {
      anomaly("mime.long_header_line", Severity::low, base,
            std::to_string(h.long_lines) + " header lines longer than 998 characters (RFC 5322 2.1.1)",
            leaf);
    }
    for (const auto& f : h.fields) {
      if (core::ascii_lower_starts(f.name, "content-") && odd_case(f.name)) {
        anomaly("mime.header_name_case", Severity::low, base + f.offset,
              "header name '" + std::string(f.name) + "' in a case no mail writer uses", leaf);
        break;
      }
    }
  }

  // Duplicate MIME headers: Python and most parsers take the first, others the last.
  void duplicates(const HeaderSection& h, std::uint64_t base, std::string_view lname,
                  std::size_t leaf) {
    std::size_t n = 0;
    const HeaderField* first = find_field(h, lname, &n);
    if (n < 2) return;
    bool conflict = false;
    for (const auto& f : h.fields) {
      if (f.named(lname) && core::ascii_lower(trim(f.value)) != core::ascii_lower(trim(first->value)))
        conflict = true;
    }
    if (conflict) {
      anomaly("mime.conflicting_header", Severity::high, base + first->offset,
            std::to_string(n) + " different " + std::string(first->name) +
                " headers: parsers that take the last one see another structure",
            leaf);
    } else {
      anomaly("mime.duplicate_header", Severity::low, base + first->offset,
            std::to_string(n) + " identical " + std::string(first->name) + " headers", leaf);
    }
  }

  // Text after the closing delimiter: MIME parsers drop it, some clients
  // render it. Substantial text there is kept as its own child so it is
  // scanned (pushed first, so it pops after the parts it follows).
  void epilogue(const Work& w, ByteView body, std::uint64_t body_base, std::uint64_t at,
                std::vector<Work>& stack) {
    const ByteView epi = body.tail(at);
    const std::string_view t = epi.chars();
    const auto visible = std::count_if(t.begin(), t.end(), [](char c) {
      return c != ' ' && c != '\t' && c != '\r' && c != '\n';
    });
    if (visible <= 64) return;
    anomaly("mime.epilogue_content", Severity::low, body_base + at,
          std::to_string(visible) + " visible bytes after the closing boundary, which MIME "
          "parsers ignore; scanned as part[" + (w.path.empty() ? "" : w.path + ".") + "epilogue]");
    Work e;
    e.entity = epi;
    e.base = body_base + at;
    e.path = (w.path.empty() ? "" : w.path + ".") + "epilogue";
    e.depth = w.depth + 1;
    e.default_type = "text/plain";
    e.raw = true;
    stack.push_back(std::move(e));
  }

  void visit(Work w, bool top, std::vector<Work>& stack) {
    if (w.raw) {
      raw_leaf(w);
      return;
    }
    HeaderSection hs = parse_headers(w.entity);
    const std::size_t next_leaf = out_.leaves.size();
    const DeclaredType ct = content_type(hs, w);
    const std::string cte = transfer_encoding(hs, w);
    ByteView body = w.entity.tail(hs.body_offset);
    const std::uint64_t body_base = w.base + hs.body_offset;
    if (!(ct.type.starts_with("multipart/") && split_children(w, top, hs, ct, cte, body, body_base, stack))) {
      if (out_.leaves.size() >= limits_.max_children) {
        out_.parts_limited = true;
      } else {
        add_leaf(w, top, hs, ct, cte, body, body_base, next_leaf);
      }
    }
    // The top section is kept whole, moved rather than copied: its fields
    // were a tenth of the MIME walk.
    if (top) out_.headers = std::move(hs);
  }

  // An entity the caller already knows is one opaque part (a uuencoded or
  // epilogue block): a leaf of the default type, no headers of its own.
  void raw_leaf(const Work& w) {
    if (out_.leaves.size() >= limits_.max_children) {
      out_.parts_limited = true;
      return;
    }
    Leaf leaf;
    leaf.path = w.path;
    leaf.body = w.entity;
    leaf.offset = w.base;
    leaf.content_type = w.default_type;
    out_.leaves.push_back(std::move(leaf));
  }

  struct DeclaredType {
    ParamValue ct;
    std::string raw;   // the Content-Type value as written; empty when absent
    std::string type;  // as Python's get_content_type() reads it
  };

  DeclaredType content_type(const HeaderSection& hs, const Work& w) {
    DeclaredType d;
    d.type = w.default_type;
    const HeaderField* f = find_field(hs, "content-type");
    if (f == nullptr) return d;
    d.raw = f->value;
    d.ct = parse_param_header(f->value);
    // Python's get_content_type(): anything but one '/' reads as text/plain.
    d.type = valid_type(d.ct.value) ? d.ct.value : "text/plain";
    if (!valid_type(d.ct.value)) {
      anomaly("mime.invalid_content_type", Severity::low, w.base,
              "Content-Type '" + d.raw.substr(0, 80) + "' is not type/subtype; read as text/plain");
    }
    if (d.ct.quoted_boundary_text) {
      anomaly("mime.boundary_in_quoted_value", Severity::medium, w.base,
              "a quoted parameter value contains 'boundary=': naive parsers take the wrong boundary");
    }
    if (d.ct.had_comment) {
      anomaly("mime.header_comment", Severity::low, w.base, "a comment inside Content-Type");
    }
    if (d.ct.continuation_gap) {
      anomaly("mime.rfc2231_gap", Severity::low, w.base,
              "RFC 2231 continuations with a missing or repeated number");
    }
    return d;
  }

  std::string transfer_encoding(const HeaderSection& hs, const Work& w) {
    const HeaderField* f = find_field(hs, "content-transfer-encoding");
    if (f == nullptr) return {};
    bool c = false;
    std::string cte = core::ascii_lower(trim(strip_comments(f->value, c)));
    if (c) anomaly("mime.header_comment", Severity::low, w.base, "a comment inside Content-Transfer-Encoding");
    return cte;
  }

  // A multipart's body parts onto the stack. False when it is read as one part
  // after all (no boundary, too deep, boundary never found); then `body` may
  // have been cut at a closing boundary that came first.
  bool split_children(const Work& w, bool top, const HeaderSection& hs, const DeclaredType& ct,
                      const std::string& cte, ByteView& body, std::uint64_t body_base,
                      std::vector<Work>& stack) {
    const Param* b = find_param(ct.ct, "boundary", false);
    if (b == nullptr) b = find_param(ct.ct, "boundary", true);
    std::string boundary = b != nullptr ? b->value : std::string();
    while (!boundary.empty() && (boundary.back() == ' ' || boundary.back() == '\t')) boundary.pop_back();
    header_issues(hs, w.base, kOnMessage);
    duplicates(hs, w.base, "content-type", kOnMessage);
    if (boundary.empty()) {
      anomaly("mime.missing_boundary_param", Severity::medium, w.base,
              "a multipart without a boundary parameter is read as one text part");
      return false;
    }
    if (w.depth >= limits_.max_depth) {
      out_.depth_limited = true;
      anomaly("mime.deep_nesting", Severity::medium, w.base,
              "multipart nesting deeper than " + std::to_string(limits_.max_depth) +
                  " levels; the rest is kept as one undivided part");
      return false;
    }
    if (!cte.empty() && cte != "7bit" && cte != "8bit" && cte != "binary") {
      anomaly("mime.encoded_multipart", Severity::medium, w.base,
              "a multipart declares Content-Transfer-Encoding '" + cte +
                  "' (RFC 2045 6.4 forbids it; parsers disagree on decoding it)");
    }
    if (boundary.size() > kMaxSaneBoundary) {
      anomaly("mime.long_boundary", Severity::low, w.base,
              "boundary of " + std::to_string(boundary.size()) + " characters (RFC 2046 allows 70)");
    }
    const Split sp = split_multipart(body.chars(), boundary);
    boundaries_.push_back(boundary);
    for (const auto& nm : sp.near_misses) near_misses_.push_back({nm.line, body_base + nm.offset});
    if (!sp.start_found) {
      anomaly("mime.boundary_not_found", Severity::medium, body_base,
              "no line matches the declared boundary '" + boundary.substr(0, 80) +
                  "'; the body is read as one part");
      if (sp.close_before_start) {
        epilogue(w, body, body_base, sp.epilogue, stack);
        body = body.clamp(0, sp.close_at);
      }
      return false;
    }
    out_.multipart = out_.multipart || top;
    if (!sp.close_found) {
      anomaly("mime.missing_close_boundary", Severity::low, body_base + body.size(),
              "the closing boundary '--" + boundary.substr(0, 80) +
                  "--' is missing; the last part runs to the end");
    } else {
      epilogue(w, body, body_base, sp.epilogue, stack);
    }
    const std::string child_default = ct.type == "multipart/digest" ? "message/rfc822" : "text/plain";
    // Reverse push: the stack pops them in document order, depth first,
    // which is the order Python's Message.walk() yields.
    for (std::size_t k = sp.parts.size(); k-- > 0;) {
      const Part& p = sp.parts[k];
      Work c;
      c.entity = body.clamp(p.begin, p.end - p.begin);
      c.base = body_base + p.begin;
      c.path = (w.path.empty() ? "" : w.path + ".") + std::to_string(k + 1);
      c.depth = w.depth + 1;
      c.default_type = child_default;
      stack.push_back(std::move(c));
    }
    return true;
  }

  void add_leaf(const Work& w, bool top, const HeaderSection& hs, const DeclaredType& ct,
                const std::string& cte, ByteView body, std::uint64_t body_base, std::size_t next_leaf) {
    const std::string& type = ct.type;
    Leaf leaf;
    leaf.path = w.path.empty() ? "1" : w.path;
    leaf.body = body;
    leaf.offset = body_base;
    leaf.content_type = type;
    leaf.declared_type = ct.raw;
    leaf.cte = cte;
    leaf.headerless = !top && hs.fields.empty();
    leaf.embedded_message = type == "message/rfc822" || type == "message/global";
    if (const Param* p = find_param(ct.ct, "charset", false)) leaf.charset = core::ascii_lower(p->value);
    if (type == "message/partial") {
      leaf.partial = true;
      leaf.fragment_valid = parse_fragment(ct.ct, leaf.fragment);
      leaf.fragment.body = body;
    }
    header_issues(hs, w.base, next_leaf);
    duplicates(hs, w.base, "content-type", next_leaf);
    duplicates(hs, w.base, "content-transfer-encoding", next_leaf);
    duplicates(hs, w.base, "content-disposition", next_leaf);
    if (leaf.headerless) {
      anomaly("mime.part_without_headers", Severity::low, w.base,
              "a body part with no header fields at all", next_leaf);
    }
    ParamValue cd;
    if (const HeaderField* f = find_field(hs, "content-disposition")) {
      cd = parse_param_header(f->value);
      leaf.disposition = cd.value;
      if (cd.had_comment) anomaly("mime.header_comment", Severity::low, w.base, "a comment inside Content-Disposition", next_leaf);
      if (cd.quoted_boundary_text) {
        anomaly("mime.boundary_in_quoted_value", Severity::medium, w.base,
                "a quoted Content-Disposition value contains 'boundary='", next_leaf);
      }
      if (cd.continuation_gap) {
        anomaly("mime.rfc2231_gap", Severity::low, w.base,
                "RFC 2231 continuations with a missing or repeated number", next_leaf);
      }
    }
    collect_names(leaf, cd, ct.ct, w.base, next_leaf);
    if (top && !leaf.names.empty() && !leaf.embedded_message &&
        !type.starts_with("text/") && !type.starts_with("multipart/")) {
      anomaly("mime.bare_attachment", Severity::low, w.base,
              "the whole message is one attachment (" + type + "), with no text part", next_leaf);
    }
    out_.leaves.push_back(std::move(leaf));
  }


  void add_name(Leaf& leaf, std::string view, const Param& p, std::uint64_t base, std::size_t idx) {
    std::string value;
    if (p.rfc2231) {
      value = charset_to_utf8(p.charset, p.value);
    } else if (p.value.find("=?") != std::string::npos) {
      const Rfc2047Result r = decode_rfc2047(p.value);
      if (r.malformed) anomaly("mime.rfc2047_malformed", Severity::low, base, "a broken RFC 2047 encoded word in a file name", idx);
      if (r.found) view = "rfc2047." + view.substr(view.find('.') + 1);
      value = r.text;
    } else {
      value = p.value;
    }
    value = std::string(trim(value));
    if (value.empty()) return;
    for (const auto& n : leaf.names) {
      if (n.view == view && n.value == value) return;
    }
    leaf.names.push_back({std::move(view), std::move(value)});
  }

  void collect_names(Leaf& leaf, const ParamValue& cd, const ParamValue& ct, std::uint64_t base,
                     std::size_t idx) {
    // RFC 2231 and RFC 6266 4.3: the extended form wins where a reader knows
    // it; Content-Disposition before the legacy Content-Type name (Outlook,
    // Thunderbird and Python all prefer the disposition's filename).
    if (const Param* p = find_param(cd, "filename", true)) add_name(leaf, "rfc2231.filename", *p, base, idx);
    if (const Param* p = find_param(cd, "filename", false)) add_name(leaf, "mime.filename", *p, base, idx);
    if (const Param* p = find_param(ct, "name", true)) add_name(leaf, "rfc2231.name", *p, base, idx);
    if (const Param* p = find_param(ct, "name", false)) add_name(leaf, "mime.name", *p, base, idx);
    // Writers that put a path in one parameter and the bare name in the
    // other (Outlook's "./Mail_files/image001.png") are not a conflict: the
    // file that lands on disk has the same name.
    auto base_name = [](std::string_view n) {
      const auto cut = n.find_last_of("/\\");
      return core::ascii_lower(cut == std::string_view::npos ? n : n.substr(cut + 1));
    };
    for (std::size_t i = 1; i < leaf.names.size(); ++i) {
      if (base_name(leaf.names[i].value) != base_name(leaf.names[0].value)) {
        anomaly("mime.conflicting_names", Severity::medium, base,
              "the part is named '" + leaf.names[0].value + "' (" + leaf.names[0].view + ") and '" +
                  leaf.names[i].value + "' (" + leaf.names[i].view + "): clients show different names",
              idx);
        break;
      }
    }
  }

  // Lines that extend a boundary ("--abc" when the boundary is "abc" and the
  // line is "--abcdef"): RFC 2046 parsers (Python, Sluice) ignore them, prefix
  // matchers (older ClamAV, several clients) split there, so each sees other
  // parts. A line that is itself another multipart's delimiter is benign
  // nesting, hence the check once every boundary of the message is known.
  void report_near_misses() {
    std::size_t reported = 0;
    for (const auto& [line, offset] : near_misses_) {
      std::string_view t = line;
      t.remove_prefix(kDash.size());
      if (t.ends_with(kDash)) t.remove_suffix(kDash.size());
      while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
      const bool known = std::any_of(boundaries_.begin(), boundaries_.end(),
                                     [&](const std::string& b) { return b == t; });
      if (known) continue;
      // Also benign: a boundary declared in a part this walk never opened
      // (depth limit, message/rfc822 payload); only the text decides there.
      if (msg_.chars().find("boundary=\"" + std::string(t) + "\"") != std::string_view::npos ||
          msg_.chars().find("boundary=" + std::string(t)) != std::string_view::npos) {
        continue;
      }
      anomaly("mime.boundary_prefix_line", Severity::medium, offset,
              "line '" + line.substr(0, 100) + "' starts with a delimiter but goes on: prefix-matching "
              "parsers split the part there, RFC 2046 parsers do not");
      if (++reported >= 4) break;
    }
  }

  ByteView msg_;
  const Limits& limits_;
  ParsedMessage out_;
  std::vector<std::pair<std::size_t, Anomaly>> pending_;  // with the leaf each concerns
  std::vector<std::string> boundaries_;
  std::vector<std::pair<std::string, std::uint64_t>> near_misses_;
};

}  // namespace

Result<Parsed<ParsedMessage>> parse(ByteView message, const Limits& limits) {
  return Walker(message, limits).run();
}

}  // namespace sluice::formats::mime
