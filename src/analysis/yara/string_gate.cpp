#include "analysis/yara/string_gate.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::analysis::yara {
namespace {

bool ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }

// A condition's tokens, as much as the analysis needs to tell them apart.
enum class Tok : std::uint8_t { ident, string_id, number, text, open, close, other };
struct Token {
  Tok kind;
  std::string_view text;
};

bool modifier(std::string_view w) {
  return w == "nocase" || w == "wide" || w == "ascii" || w == "fullword" || w == "private" || w == "xor" ||
         w == "base64" || w == "base64wide";
}

// A condition longer or deeper than any hand-written one is not read (the
// answer is "scan every part"): the reading stays linear-ish on any text.
constexpr std::size_t kMaxTokens = 4096;
constexpr int kMaxDepth = 64;

class Reader {
 public:
  Reader(std::string_view s, std::vector<StringDef>& defs) : s_(s), defs_(defs) {}

  bool file() {
    for (;;) {
      skip_space();
      if (pos_ >= s_.size()) return !unterminated_;
      const std::string_view word = ident();
      if (word == "import") {
        skip_space();
        if (!quoted()) return false;
      } else if (word == "global" || word == "private") {
        continue;
      } else if (word == "rule") {
        if (!rule()) return false;
      } else {
        return false;  // include, or anything this reader does not know
      }
    }
  }

 private:
  bool rule() {
    rule_first_ = defs_.size();
    skip_space();
    if (ident().empty()) return false;
    skip_space();
    if (eat(':')) {
      for (skip_space(); pos_ < s_.size() && ident_start(s_[pos_]); skip_space()) ident();
    }
    if (!eat('{')) return false;
    for (;;) {
      skip_space();
      const std::string_view section = ident();
      skip_space();
      if (section.empty() || !eat(':')) return false;
      if (section == "meta") {
        if (!meta()) return false;
      } else if (section == "strings") {
        if (!strings()) return false;
      } else if (section == "condition") {
        std::vector<Token> tokens;
        if (!condition(tokens)) return false;  // also consumes the rule's '}'
        Cover cover;
        if (tokens.size() > kMaxTokens || !gated(tokens, 0, tokens.size(), 0, cover)) return false;
        for (std::size_t i = rule_first_; i < defs_.size(); ++i) defs_[i].needed = covered(defs_[i].name, cover);
        return true;
      } else {
        return false;
      }
    }
  }

  bool meta() {
    for (;;) {
      skip_space();
      const std::size_t at = pos_;
      const std::string_view key = ident();
      skip_space();
      if (key.empty() || !eat('=')) {
        pos_ = at;  // the next section's name
        return true;
      }
      skip_space();
      if (pos_ < s_.size() && s_[pos_] == '"') {
        if (!quoted()) return false;
      } else {
        eat('-');
        if (pos_ >= s_.size() || !ident_char(s_[pos_])) return false;
        while (pos_ < s_.size() && ident_char(s_[pos_])) ++pos_;  // a number, true or false
      }
    }
  }

  bool strings() {
    for (;;) {
      skip_space();
      if (pos_ >= s_.size() || s_[pos_] != '$') return true;
      const std::size_t name_at = pos_;
      ++pos_;
      ident();  // "" for an anonymous string
      const std::string_view name = s_.substr(name_at, pos_ - name_at);
      skip_space();
      if (!eat('=')) return false;
      skip_space();
      if (pos_ >= s_.size()) return false;
      StringDef def;
      def.name = name;
      def.needed = false;  // until the condition says
      const std::size_t body = pos_ + 1;
      if (s_[pos_] == '"') {
        if (!quoted()) return false;
        def.kind = StringDef::Kind::text;
        def.body = s_.substr(body, pos_ - 1 - body);
      } else if (s_[pos_] == '{') {
        const std::size_t end = s_.find('}', pos_);
        if (end == std::string_view::npos) return false;
        pos_ = end + 1;
        def.kind = StringDef::Kind::hex;
        def.body = s_.substr(body, end - body);
      } else if (s_[pos_] == '/') {
        if (!regex()) return false;
        def.kind = StringDef::Kind::regex;
        const std::size_t close = s_.rfind('/', pos_ - 1);
        def.body = s_.substr(body, close - body);
        def.nocase = s_.substr(close + 1, pos_ - close - 1).find('i') != std::string_view::npos;
      } else {
        return false;
      }
      // Modifiers, some with an argument: xor(1-31), base64("alphabet").
      for (skip_space(); pos_ < s_.size() && ident_start(s_[pos_]); skip_space()) {
        const std::size_t at = pos_;
        const std::string_view word = ident();
        if (!modifier(word)) {
          pos_ = at;  // the next section's name
          break;
        }
        def.nocase = def.nocase || word == "nocase";
        def.ascii = def.ascii || word == "ascii";
        def.wide = def.wide || word == "wide";
        def.transformed = def.transformed || word == "xor" || word == "base64" || word == "base64wide";
        skip_space();
        if (pos_ < s_.size() && s_[pos_] == '(') {
          ++pos_;
          for (;;) {
            skip_space();
            if (pos_ >= s_.size()) return false;
            if (s_[pos_] == ')') {
              ++pos_;
              break;
            }
            if (s_[pos_] == '"') {
              if (!quoted()) return false;
            } else {
              ++pos_;
            }
          }
        }
      }
      defs_.push_back(def);
    }
  }

  // A regex string, which must not be anchored: `^x` matches at the start of
  // what is scanned, which a part's start is and the message's bytes there
  // are not. A '^' first in a class is negation; anything escaped is literal.
  bool regex() {
    ++pos_;
    bool in_class = false;
    std::size_t class_start = 0;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == '\n') return false;
      if (c == '\\') {
        pos_ += 2;
        continue;
      }
      if (in_class) {
        if (c == ']' && pos_ > class_start) in_class = false;
        ++pos_;
        continue;
      }
      if (c == '[') {
        in_class = true;
        ++pos_;
        if (pos_ < s_.size() && s_[pos_] == '^') ++pos_;
        class_start = pos_;  // a ']' right here is a literal
        continue;
      }
      if (c == '^' || c == '$') return false;
      if (c == '/') {
        ++pos_;
        while (pos_ < s_.size() && (s_[pos_] == 'i' || s_[pos_] == 's')) ++pos_;
        return true;
      }
      ++pos_;
    }
    return false;
  }

  bool condition(std::vector<Token>& out) {
    for (;;) {
      skip_space();
      if (pos_ >= s_.size()) return false;
      const char c = s_[pos_];
      const std::size_t at = pos_;
      if (c == '}') {
        ++pos_;
        return true;
      }
      if (c == '{') return false;
      if (c == '"') {
        if (!quoted()) return false;
        out.push_back({Tok::text, s_.substr(at, pos_ - at)});
      } else if (c == '$') {
        ++pos_;
        ident();
        eat('*');
        out.push_back({Tok::string_id, s_.substr(at, pos_ - at)});
      } else if ((c == '#' || c == '@' || c == '!') && pos_ + 1 < s_.size() && ident_start(s_[pos_ + 1])) {
        ++pos_;
        ident();
        out.push_back({Tok::other, s_.substr(at, pos_ - at)});
      } else if (ident_start(c)) {
        const std::string_view word = ident();
        // A regex literal follows `matches`; rather than read it, give up.
        if (word == "matches") return false;
        out.push_back({Tok::ident, word});
      } else if (c >= '0' && c <= '9') {
        while (pos_ < s_.size() && ident_char(s_[pos_])) ++pos_;  // 12, 0x4D5A, 2KB
        out.push_back({Tok::number, s_.substr(at, pos_ - at)});
      } else if (c == '(' || c == '[') {
        ++pos_;
        out.push_back({Tok::open, s_.substr(at, 1)});
      } else if (c == ')' || c == ']') {
        ++pos_;
        out.push_back({Tok::close, s_.substr(at, 1)});
      } else {
        ++pos_;
        out.push_back({Tok::other, s_.substr(at, 1)});
      }
    }
  }

  // The index of the token closing the bracket at `open`, or `end`.
  static std::size_t closing(const std::vector<Token>& t, std::size_t open, std::size_t end) {
    int depth = 0;
    for (std::size_t i = open; i < end; ++i) {
      if (t[i].kind == Tok::open) ++depth;
      if (t[i].kind == Tok::close && --depth == 0) return i;
    }
    return end;
  }

  // Splits [b, e) at the keyword `word` where no bracket is open.
  static std::vector<std::pair<std::size_t, std::size_t>> split(const std::vector<Token>& t, std::size_t b,
                                                                std::size_t e, std::string_view word) {
    std::vector<std::pair<std::size_t, std::size_t>> parts;
    int depth = 0;
    std::size_t start = b;
    for (std::size_t i = b; i < e; ++i) {
      if (t[i].kind == Tok::open) ++depth;
      if (t[i].kind == Tok::close) --depth;
      if (depth == 0 && t[i].kind == Tok::ident && t[i].text == word) {
        parts.emplace_back(start, i);
        start = i + 1;
      }
    }
    parts.emplace_back(start, e);
    return parts;
  }

  // The string identifiers (`$a`, `$a*`, `them`) of which at least one
  // matched wherever a condition holds.
  using Cover = std::vector<std::string_view>;

  static bool covered(std::string_view name, const Cover& cover) {
    for (const std::string_view c : cover) {
      if (c == "them" || c == name || (c.ends_with('*') && name.starts_with(c.substr(0, c.size() - 1)))) return true;
    }
    return false;
  }

  // How likely a definition is to hold a long literal, the prefilter's
  // currency: text before hex before a regex, longer before shorter.
  static std::size_t promise(const StringDef& d) {
    if (d.transformed) return 0;
    switch (d.kind) {
      case StringDef::Kind::text:
        return 100'000 + d.body.size();
      case StringDef::Kind::hex:
        return 50'000 + d.body.size();
      case StringDef::Kind::regex:
        return d.body.size();
    }
    return 0;
  }

  // A cover's worth: its weakest string's.
  std::size_t promise(const Cover& cover) const {
    std::size_t least = SIZE_MAX;
    for (std::size_t i = rule_first_; i < defs_.size(); ++i) {
      if (covered(defs_[i].name, cover)) least = std::min(least, promise(defs_[i]));
    }
    return least == SIZE_MAX ? 0 : least;
  }

  // Whether the expression [b, e) can be true only when one of the rule's
  // strings matched; if so, `cover` gains the strings one of which must have.
  // `or` binds loosest, then `and`; `not`, comparisons and everything else
  // bind tighter, so they are inside one operand. Of the operands of an `and`
  // that need a string, any one will do: the most promising is taken.
  bool gated(const std::vector<Token>& t, std::size_t b, std::size_t e, int depth, Cover& cover) const {
    if (b >= e || depth > kMaxDepth) return false;
    if (t[b].kind == Tok::open && t[b].text == "(" && closing(t, b, e) == e - 1) {
      return gated(t, b + 1, e - 1, depth + 1, cover);
    }
    if (const auto ors = split(t, b, e, "or"); ors.size() > 1) {
      for (const auto& [pb, pe] : ors) {
        if (!gated(t, pb, pe, depth + 1, cover)) return false;
      }
      return true;
    }
    if (const auto ands = split(t, b, e, "and"); ands.size() > 1) {
      bool any = false;
      Cover best;
      std::size_t best_promise = 0;
      for (const auto& [pb, pe] : ands) {
        if (pb == pe) return false;  // "$a and": not a condition
        Cover c;
        if (!gated(t, pb, pe, depth + 1, c)) continue;
        const std::size_t p = promise(c);
        if (!any || p > best_promise) {
          best = std::move(c);
          best_promise = p;
        }
        any = true;
      }
      cover.insert(cover.end(), best.begin(), best.end());
      return any;
    }
    // `$a` alone (not `$a at 0`, `$a in (…)`: offsets are the part's).
    if (e - b == 1) {
      if (t[b].kind != Tok::string_id || t[b].text.size() <= 1 || t[b].text.back() == '*') return false;
      cover.push_back(t[b].text);
      return true;
    }
    // `any of them`, `all of ($a*, $b)`, `2 of them`.
    if (e - b < 3 || t[b + 1].kind != Tok::ident || t[b + 1].text != "of") return false;
    const Token& q = t[b];
    const bool at_least_one = (q.kind == Tok::ident && (q.text == "any" || q.text == "all")) ||
                              (q.kind == Tok::number &&
                               q.text.find_first_not_of("0123456789") == std::string_view::npos &&
                               q.text.find_first_not_of('0') != std::string_view::npos);
    if (!at_least_one) return false;
    if (e - b == 3) {
      if (t[b + 2].kind != Tok::ident || t[b + 2].text != "them") return false;
      cover.push_back("them");
      return true;
    }
    if (t[b + 2].kind != Tok::open || t[b + 2].text != "(" || closing(t, b + 2, e) != e - 1) return false;
    // "$a, $b*": string identifiers between commas, at least one.
    const std::size_t n = e - 1 - (b + 3);
    if (n % 2 == 0) return false;
    for (std::size_t i = b + 3; i < e - 1; ++i) {
      const bool comma = t[i].kind == Tok::other && t[i].text == ",";
      if ((i - b - 3) % 2 == 0 ? t[i].kind != Tok::string_id : !comma) return false;
    }
    for (std::size_t i = b + 3; i < e - 1; i += 2) cover.push_back(t[i].text);
    return true;
  }

  bool quoted() {
    if (!eat('"')) return false;
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '\\') {
        ++pos_;
      } else if (c == '"') {
        return true;
      } else if (c == '\n') {
        return false;
      }
    }
    return false;
  }

  std::string_view ident() {
    const std::size_t at = pos_;
    if (pos_ < s_.size() && ident_start(s_[pos_])) {
      while (pos_ < s_.size() && ident_char(s_[pos_])) ++pos_;
    }
    return s_.substr(at, pos_ - at);
  }

  bool eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  void skip_space() {
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++pos_;
      } else if (s_.substr(pos_, 2) == "//") {
        const std::size_t nl = s_.find('\n', pos_);
        pos_ = nl == std::string_view::npos ? s_.size() : nl + 1;
      } else if (s_.substr(pos_, 2) == "/*") {
        const std::size_t end = s_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) unterminated_ = true;  // not YARA: libyara rejects it
        pos_ = end == std::string_view::npos ? s_.size() : end + 2;
      } else {
        return;
      }
    }
  }

  std::string_view s_;
  std::vector<StringDef>& defs_;  // every string definition read
  std::size_t pos_ = 0;
  std::size_t rule_first_ = 0;  // the rule being read: its first definition
  bool unterminated_ = false;   // a block comment ran to the end
};

}  // namespace

bool every_rule_needs_a_string(std::string_view source) { return gated_strings(source).has_value(); }

std::optional<std::vector<StringDef>> gated_strings(std::string_view source) {
  std::vector<StringDef> defs;
  if (!Reader(source, defs).file()) return std::nullopt;
  return defs;
}

}  // namespace sluice::analysis::yara
