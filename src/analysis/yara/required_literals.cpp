#include "analysis/yara/required_literals.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/text.hpp"

namespace sluice::analysis::yara {
namespace {

// One position of a match: the bytes that can stand there, folded to lower
// case (the literals are matched case-blind) and deduplicated; or "unknown"
// (`any`): a class too large, a group, a repeated atom, an assertion.
struct Atom {
  bool any = true;
  std::string bytes;
};

// Larger choices end a run instead of multiplying it.
constexpr std::size_t kMaxChoice = 8;
// Definitions longer than any hand-written one are not read.
constexpr std::size_t kMaxAtoms = 4096;

Atom one(unsigned char c) {
  Atom a;
  a.any = false;
  a.bytes.push_back(core::ascii_lower(static_cast<char>(c)));
  return a;
}

Atom unknown() { return Atom{}; }

void add(Atom& a, unsigned char c) {
  const char l = core::ascii_lower(static_cast<char>(c));
  if (a.bytes.find(l) == std::string::npos) a.bytes.push_back(l);
}

bool is_alnum(char c) { return core::hex_value(c) >= 0 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// A sequence of atoms, or nothing when the text is not understood.
using Sequence = std::optional<std::vector<Atom>>;

// An escape at `s[i]` (the backslash), as YARA's regexes read it: one byte
// (`\x41`, `\n`, `\.`), YARA's six spaces (`\s`), or unknown (`\w`, `\d`,
// their negations, the assertions `\b`, `\B`); with the characters it takes.
// Nothing for an escape this reading does not know.
struct Escape {
  std::optional<unsigned char> byte;  // a single byte, as written (not folded)
  Atom atom;
  std::size_t taken = 2;
};

std::optional<Escape> escape(std::string_view s, std::size_t i) {
  if (i + 1 >= s.size()) return std::nullopt;
  const char c = s[i + 1];
  Escape e;
  auto single = [&e](unsigned char b) {
    e.byte = b;
    e.atom = one(b);
    return e;
  };
  switch (c) {
    case 'x': {
      if (i + 3 >= s.size()) return std::nullopt;
      const int hi = core::hex_value(s[i + 2]);
      const int lo = core::hex_value(s[i + 3]);
      if (hi < 0 || lo < 0) return std::nullopt;
      e.taken = 4;
      return single(static_cast<unsigned char>(hi * 16 + lo));
    }
    case 'n': return single('\n');
    case 't': return single('\t');
    case 'r': return single('\r');
    case 'f': return single('\f');
    case 'a': return single('\a');
    case 's':
      e.atom.any = false;
      for (const char sp : {' ', '\t', '\n', '\v', '\f', '\r'}) add(e.atom, static_cast<unsigned char>(sp));
      return e;
    case 'w': case 'W': case 'S': case 'd': case 'D': case 'b': case 'B':
      return e;  // unknown
    default:
      if (is_alnum(c)) return std::nullopt;
      return single(static_cast<unsigned char>(c));
  }
}

// A class at `s[i]` (the '['): its bytes when few and not negated, else
// unknown; with the characters it takes. Nothing when it does not end or
// holds what this reading does not know.
std::optional<std::pair<Atom, std::size_t>> char_class(std::string_view s, std::size_t i) {
  std::size_t j = i + 1;
  bool negated = false;
  if (j < s.size() && s[j] == '^') {
    negated = true;
    ++j;
  }
  // One member at s[j]: a byte as written, or a set (`\s`) or unknown.
  auto member = [&s](std::size_t at) -> std::optional<Escape> {
    if (at >= s.size()) return std::nullopt;
    if (s[at] == '\\') return escape(s, at);
    Escape e;
    e.byte = static_cast<unsigned char>(s[at]);
    e.atom = one(*e.byte);
    e.taken = 1;
    return e;
  };
  Atom a;
  a.any = false;
  bool too_many = false;
  for (bool first = true; j < s.size() && (first || s[j] != ']'); first = false) {
    const std::optional<Escape> m = member(j);
    if (!m) return std::nullopt;
    j += m->taken;
    // A range "a-z"; a '-' just before the closing ']' is a member.
    if (m->byte && j + 1 < s.size() && s[j] == '-' && s[j + 1] != ']') {
      const std::optional<Escape> hi = member(j + 1);
      if (!hi || !hi->byte || *hi->byte < *m->byte) return std::nullopt;
      j += 1 + hi->taken;
      if (static_cast<std::size_t>(*hi->byte - *m->byte) + 1 > 2 * kMaxChoice) {
        too_many = true;
      } else {
        for (unsigned v = *m->byte; v <= *hi->byte; ++v) add(a, static_cast<unsigned char>(v));
      }
      continue;
    }
    if (m->atom.any) {
      too_many = true;
    } else {
      for (const char b : m->atom.bytes) add(a, static_cast<unsigned char>(b));
    }
  }
  if (j >= s.size()) return std::nullopt;
  const std::size_t taken = j + 1 - i;
  if (negated || too_many || a.bytes.size() > kMaxChoice) return std::pair{unknown(), taken};
  return std::pair{a, taken};
}

// The characters a group at `s[i]` (the '(') takes, to its matching ')'.
std::optional<std::size_t> group(std::string_view s, std::size_t i) {
  int depth = 0;
  for (std::size_t j = i; j < s.size();) {
    const char c = s[j];
    if (c == '\\') {
      j += 2;
    } else if (c == '[') {
      auto cl = char_class(s, j);
      if (!cl) return std::nullopt;
      j += cl->second;
    } else {
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0) return j + 1 - i;
      ++j;
    }
  }
  return std::nullopt;
}

// A quantifier at `s[i]`: the characters it takes (0 for none); nothing for
// a '{' that is not one, which this reading does not guess at.
std::optional<std::size_t> quantifier(std::string_view s, std::size_t i) {
  if (i >= s.size()) return 0;
  std::size_t j = i;
  if (s[j] == '*' || s[j] == '+' || s[j] == '?') {
    ++j;
  } else if (s[j] == '{') {
    ++j;
    std::size_t digits = 0;
    while (j < s.size() && ((s[j] >= '0' && s[j] <= '9') || s[j] == ',')) {
      ++j;
      ++digits;
    }
    if (j >= s.size() || s[j] != '}' || digits == 0) return std::nullopt;
    ++j;
  } else {
    return 0;
  }
  if (j < s.size() && s[j] == '?') ++j;  // lazy
  return j - i;
}

// A regex's top-level alternatives, each a sequence of atoms.
std::optional<std::vector<std::vector<Atom>>> regex(std::string_view s) {
  std::vector<std::vector<Atom>> branches(1);
  for (std::size_t i = 0; i < s.size();) {
    std::vector<Atom>& atoms = branches.back();
    if (atoms.size() > kMaxAtoms) return std::nullopt;
    const char c = s[i];
    Atom a;
    if (c == '|') {  // groups are skipped whole, so this one is top-level
      branches.emplace_back();
      ++i;
      continue;
    }
    if (c == '\\') {
      auto e = escape(s, i);
      if (!e) return std::nullopt;
      a = std::move(e->atom);
      i += e->taken;
    } else if (c == '[') {
      auto cl = char_class(s, i);
      if (!cl) return std::nullopt;
      a = std::move(cl->first);
      i += cl->second;
    } else if (c == '(') {
      const auto g = group(s, i);
      if (!g) return std::nullopt;
      i += *g;
    } else if (c == '.' || c == '^' || c == '$') {
      ++i;
    } else if (c == ')' || c == ']' || c == '{' || c == '}' || c == '*' || c == '+' || c == '?') {
      return std::nullopt;
    } else {
      a = one(static_cast<unsigned char>(c));
      ++i;
    }
    const auto q = quantifier(s, i);
    if (!q) return std::nullopt;
    if (*q > 0) {
      a = unknown();  // repeated or optional: no fixed bytes here
      i += *q;
    }
    atoms.push_back(std::move(a));
  }
  return branches;
}

// A text string's bytes: YARA's escapes are \" \\ \t \n \r and \xHH.
Sequence text(std::string_view s) {
  std::vector<Atom> atoms;
  for (std::size_t i = 0; i < s.size();) {
    if (atoms.size() > kMaxAtoms) return std::nullopt;
    if (s[i] != '\\') {
      atoms.push_back(one(static_cast<unsigned char>(s[i++])));
      continue;
    }
    if (i + 1 >= s.size()) return std::nullopt;
    const char c = s[i + 1];
    if (c == '"' || c == '\\') {
      atoms.push_back(one(static_cast<unsigned char>(c)));
    } else if (c == 't' || c == 'n' || c == 'r') {
      atoms.push_back(one(c == 't' ? '\t' : c == 'n' ? '\n' : '\r'));
    } else if (c == 'x' && i + 3 < s.size() && core::hex_value(s[i + 2]) >= 0 && core::hex_value(s[i + 3]) >= 0) {
      atoms.push_back(one(static_cast<unsigned char>(core::hex_value(s[i + 2]) * 16 + core::hex_value(s[i + 3]))));
      i += 2;
    } else {
      return std::nullopt;
    }
    i += 2;
  }
  return atoms;
}

// A hex string: byte pairs; wildcards (`??`, `4?`), negations (`~4D`), jumps
// (`[2-4]`) and alternatives (`( 4D | 5A )`) are unknown positions.
Sequence hex(std::string_view s) {
  std::vector<Atom> atoms;
  for (std::size_t i = 0; i < s.size();) {
    if (atoms.size() > kMaxAtoms) return std::nullopt;
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else if (core::hex_value(c) >= 0 || c == '?' || c == '~') {
      const std::size_t at = c == '~' ? i + 1 : i;
      if (at + 1 >= s.size()) return std::nullopt;
      const int hi = s[at] == '?' ? 16 : core::hex_value(s[at]);
      const int lo = s[at + 1] == '?' ? 16 : core::hex_value(s[at + 1]);
      if (hi < 0 || lo < 0) return std::nullopt;
      atoms.push_back(c == '~' || hi == 16 || lo == 16 ? unknown() : one(static_cast<unsigned char>(hi * 16 + lo)));
      i = at + 2;
    } else if (c == '[') {
      const std::size_t end = s.find(']', i);
      if (end == std::string_view::npos) return std::nullopt;
      atoms.push_back(unknown());
      i = end + 1;
    } else if (c == '(') {
      int depth = 0;
      std::size_t j = i;
      for (; j < s.size(); ++j) {
        if (s[j] == '(') ++depth;
        if (s[j] == ')' && --depth == 0) break;
      }
      if (j >= s.size()) return std::nullopt;
      atoms.push_back(unknown());
      i = j + 1;
    } else {
      return std::nullopt;  // a comment, or anything else
    }
  }
  return atoms;
}

// The best window of known atoms in a sequence: the longest whose choices
// multiply to at most kMaxLiteralsPerString, then the one with fewest
// literals. Every match of the sequence contains one of its spellings.
struct Window {
  std::size_t begin = 0, length = 0, product = 0;
};

std::optional<Window> best_window(const std::vector<Atom>& atoms) {
  std::optional<Window> best;
  std::size_t begin = 0;
  std::size_t product = 1;
  for (std::size_t end = 0; end < atoms.size(); ++end) {
    if (atoms[end].any || atoms[end].bytes.empty()) {
      begin = end + 1;
      product = 1;
      continue;
    }
    product *= atoms[end].bytes.size();
    while (product > kMaxLiteralsPerString) product /= atoms[begin++].bytes.size();
    const Window w{begin, end + 1 - begin, product};
    if (!best || w.length > best->length || (w.length == best->length && w.product < best->product)) best = w;
  }
  return best;
}

void spell(const std::vector<Atom>& atoms, const Window& w, std::vector<std::string>& out) {
  std::vector<std::string> words{std::string()};
  for (std::size_t k = w.begin; k < w.begin + w.length; ++k) {
    std::vector<std::string> next;
    next.reserve(words.size() * atoms[k].bytes.size());
    for (const std::string& word : words) {
      for (const char b : atoms[k].bytes) next.push_back(word + b);
    }
    words = std::move(next);
  }
  out.insert(out.end(), words.begin(), words.end());
}

// "ab" as UTF-16LE ASCII, the way `wide` matches it ("a\0b"; the last
// character's zero is left out, which only widens what is found).
std::string widen(std::string_view s) {
  std::string w;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0) w.push_back('\0');
    w.push_back(s[i]);
  }
  return w;
}

}  // namespace

std::optional<RequiredLiterals> required_literals(const StringDef& def) {
  if (def.transformed) return std::nullopt;
  std::vector<std::vector<Atom>> branches;
  switch (def.kind) {
    case StringDef::Kind::text: {
      Sequence s = text(def.body);
      if (!s) return std::nullopt;
      branches.push_back(std::move(*s));
      break;
    }
    case StringDef::Kind::hex: {
      Sequence s = hex(def.body);
      if (!s) return std::nullopt;
      branches.push_back(std::move(*s));
      break;
    }
    case StringDef::Kind::regex: {
      auto r = regex(def.body);
      if (!r) return std::nullopt;
      branches = std::move(*r);
      break;
    }
  }
  // The best window of each alternative, spelled out; then, for a string
  // with one alternative, its best window elsewhere, which every match also
  // contains (`cmd(\.exe)?…\/[ck]\s` needs "cmd" and one of "/c ", "/k " …).
  std::vector<std::vector<std::string>> sets(1);
  std::size_t shortest = 0;
  Window first;
  for (const std::vector<Atom>& b : branches) {
    const std::optional<Window> w = best_window(b);
    if (!w) return std::nullopt;  // a branch with no fixed byte: anything may match
    shortest = sets[0].empty() ? w->length : std::min(shortest, w->length);
    first = *w;
    spell(b, *w, sets[0]);
    if (sets[0].size() > kMaxLiteralsPerString) return std::nullopt;
  }
  if (sets[0].empty()) return std::nullopt;
  if (branches.size() == 1) {
    std::vector<Atom> rest = branches[0];
    for (std::size_t k = first.begin; k < first.begin + first.length; ++k) rest[k] = unknown();
    if (const std::optional<Window> second = best_window(rest); second && second->length >= 2) {
      sets.emplace_back();
      spell(rest, *second, sets.back());
    }
  }
  // Hex strings take no modifiers; text and regex strings are ASCII unless
  // `wide` alone is given.
  const bool narrow = def.kind == StringDef::Kind::hex || def.ascii || !def.wide;
  const bool wide = def.kind != StringDef::Kind::hex && def.wide;
  RequiredLiterals out;
  out.shortest = shortest;
  for (const std::vector<std::string>& set : sets) {
    std::vector<std::string>& any_of = out.all_of.emplace_back();
    for (const std::string& p : set) {
      if (narrow) any_of.push_back(p);
      if (wide) any_of.push_back(widen(p));
    }
  }
  return out;
}

}  // namespace sluice::analysis::yara
