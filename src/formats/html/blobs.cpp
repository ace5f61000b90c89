#include "formats/html/blobs.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace sluice::formats::html {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}
int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// One string literal with its escapes decoded. Code units up to 0xFF become
// one byte each (so "\x4d\x5a" is the bytes of "MZ"); larger ones UTF-8.
struct Literal {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string value;
  std::size_t escapes = 0;
};

std::size_t read_literal(std::string_view s, std::size_t i, Literal& lit) {
  const char q = s[i];
  lit.begin = i;
  ++i;
  while (i < s.size() && s[i] != q) {
    const char c = s[i];
    if (c == '\n' && q != '`') break;  // an unterminated literal ends at the line
    if (c != '\\' || i + 1 >= s.size()) {
      lit.value.push_back(c);
      ++i;
      continue;
    }
    const char e = s[i + 1];
    i += 2;
    ++lit.escapes;
    auto hex_run = [&](std::size_t n, std::uint32_t& v) {
      if (i + n > s.size()) return false;
      v = 0;
      for (std::size_t k = 0; k < n; ++k) {
        const int h = core::hex_value(s[i + k]);
        if (h < 0) return false;
        v = v * 16 + static_cast<std::uint32_t>(h);
      }
      i += n;
      return true;
    };
    std::uint32_t v = 0;
    switch (e) {
      case 'n': lit.value.push_back('\n'); break;
      case 'r': lit.value.push_back('\r'); break;
      case 't': lit.value.push_back('\t'); break;
      case 'b': lit.value.push_back('\b'); break;
      case 'f': lit.value.push_back('\f'); break;
      case 'v': lit.value.push_back('\v'); break;
      case '0': lit.value.push_back('\0'); break;
      case '\r':
      case '\n': break;  // line continuation
      case 'x':
        if (hex_run(2, v)) lit.value.push_back(static_cast<char>(v));
        else lit.value.push_back('x');
        break;
      case 'u':
        if (i < s.size() && s[i] == '{') {
          const std::size_t close = s.find('}', i);
          v = 0;
          bool ok = close != std::string_view::npos && close - i <= 7 && close > i + 1;
          for (std::size_t k = i + 1; ok && k < close; ++k) {
            const int h = core::hex_value(s[k]);
            ok = h >= 0;
            v = v * 16 + static_cast<std::uint32_t>(std::max(h, 0));
          }
          if (ok) i = close + 1;
          else v = 'u';
        } else if (!hex_run(4, v)) {
          v = 'u';
        }
        if (v <= 0xFF) lit.value.push_back(static_cast<char>(v));
        else core::append_utf8(lit.value, static_cast<char32_t>(v > 0x10FFFF ? 0xFFFD : v));
        break;
      default: lit.value.push_back(e); break;
    }
  }
  lit.end = i < s.size() ? i + 1 : s.size();
  return lit.end;
}

// What may stand between two literals of one concatenated value.
bool joins(std::string_view between) {
  for (char c : between) {
    if (!(is_space(c) || c == '+' || c == ',')) return false;
  }
  return true;
}

void decode_hex(std::string_view in, std::vector<std::uint8_t>& out, std::uint64_t cap) {
  int high = -1;
  for (char c : in) {
    if (out.size() >= cap) return;
    const int h = core::hex_value(c);
    if (h < 0) continue;
    if (high < 0) {
      high = h;
    } else {
      out.push_back(static_cast<std::uint8_t>(high * 16 + h));
      high = -1;
    }
  }
}

struct Alphabet {
  std::size_t b64 = 0, hex = 0, other = 0, space = 0, pad = 0;
};
Alphabet census(std::string_view s) {
  Alphabet a;
  for (char c : s) {
    if (is_space(c)) ++a.space;
    else if (c == '=') ++a.pad;
    else if (core::hex_value(c) >= 0) ++a.hex, ++a.b64;
    else if (b64_value(c) >= 0) ++a.b64;
    else ++a.other;
  }
  return a;
}

Candidate try_text(std::string_view text, std::uint64_t max_bytes, const IsPayload& is_payload, bool allow_bytes,
                   std::size_t escapes) {
  Candidate c;
  const Alphabet a = census(text);
  const std::size_t signal = a.b64 + a.pad;
  auto attempt = [&](std::string encoding, auto&& decode) {
    std::vector<std::uint8_t> out;
    decode(out);
    if (out.empty() || !is_payload(out)) return false;
    c.encoding = std::move(encoding);
    c.capped = out.size() >= max_bytes;
    c.bytes = std::move(out);
    return true;
  };
  // Mostly one alphabet: a few stray characters (a '.', a '\n') are tolerated
  // the way atob-with-cleanup loaders tolerate them.
  if (a.other * 50 <= signal) {
    if (a.hex == a.b64 && attempt("hex", [&](auto& out) { decode_hex(text, out, max_bytes); })) return c;
    if (attempt("base64", [&](auto& out) { decode_base64_any(text, out, max_bytes); })) return c;
    const std::string reversed(text.rbegin(), text.rend());
    if (attempt("base64 reversed", [&](auto& out) { decode_base64_any(reversed, out, max_bytes); })) return c;
    if (a.hex == a.b64 && attempt("hex reversed", [&](auto& out) { decode_hex(reversed, out, max_bytes); })) return c;
  }
  // Raw bytes written as \x / \u escapes.
  if (allow_bytes && escapes * 2 >= text.size() / 2) {
    if (attempt("escaped bytes", [&](auto& out) {
          const std::size_t n = std::min<std::uint64_t>(text.size(), max_bytes);
          out.assign(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(n));
        })) {
      return c;
    }
  }
  return {};
}

}  // namespace

void decode_base64_any(std::string_view in, std::vector<std::uint8_t>& out, std::uint64_t cap) {
  std::uint32_t acc = 0;
  int bits = 0;
  for (char ch : in) {
    if (out.size() >= cap) return;
    if (ch == '=') break;  // padding ends the value, as atob reads it
    const int v = b64_value(ch);
    if (v < 0) continue;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFF));
    }
  }
}

Candidate decode_text_blob(std::string_view text, std::uint64_t max_bytes, const IsPayload& is_payload) {
  return try_text(text, max_bytes, is_payload, false, 0);
}

std::vector<Candidate> find_encoded_blobs(std::string_view s, std::size_t min_chars, std::size_t max_found,
                                          std::uint64_t max_bytes, const IsPayload& is_payload) {
  std::vector<Candidate> found;
  std::uint64_t spent = 0;
  auto budget = [&] { return max_bytes - std::min(spent, max_bytes); };
  auto keep = [&](Candidate&& c, std::size_t at) {
    if (c.bytes.empty() || found.size() >= max_found) return;
    c.offset = at;
    spent += c.bytes.size();
    found.push_back(std::move(c));
  };

  // A group of literals that concatenate to one value.
  std::vector<Literal> group;
  auto flush_group = [&] {
    if (group.empty()) return;
    std::string joined;
    std::size_t escapes = 0, longest = 0;
    for (std::size_t k = 0; k < group.size(); ++k) {
      joined += group[k].value;
      escapes += group[k].escapes;
      if (group[k].value.size() > group[longest].value.size()) longest = k;
    }
    if (joined.size() >= min_chars && budget() > 0) {
      Candidate c = try_text(joined, budget(), is_payload, true, escapes);
      // Unrelated neighbours ("…payload…", "name.zip") can spoil a join:
      // then the longest literal alone.
      if (c.bytes.empty() && group.size() > 1 && group[longest].value.size() >= min_chars) {
        c = try_text(group[longest].value, budget(), is_payload, true, group[longest].escapes);
      }
      keep(std::move(c), group.front().begin);
    }
    group.clear();
  };

  // A run of integer literals separated by commas.
  std::vector<std::uint8_t> codes;
  std::size_t codes_at = 0;
  bool codes_ok = true;
  std::size_t last_number_end = 0;
  auto flush_codes = [&] {
    if (codes.size() >= min_chars && codes_ok && budget() > 0) {
      if (codes.size() > budget()) codes.resize(budget());
      if (is_payload(codes)) {
        Candidate c;
        c.encoding = "char codes";
        c.bytes = codes;
        keep(std::move(c), codes_at);
      }
    }
    codes.clear();
    codes_ok = true;
  };

  std::size_t i = 0;
  std::size_t last_literal_end = 0;
  while (i < s.size() && found.size() < max_found) {
    const char c = s[i];
    if (c == '/' && i + 1 < s.size() && (s[i + 1] == '/' || s[i + 1] == '*')) {
      // Comments; a regex literal that happens to start with '/' followed by
      // '*' or '/' is not valid JavaScript, so this cannot misread one.
      const bool line = s[i + 1] == '/';
      const std::size_t e = line ? s.find('\n', i + 2) : s.find("*/", i + 2);
      i = e == std::string_view::npos ? s.size() : e + (line ? 1 : 2);
      continue;
    }
    if (c == '"' || c == '\'' || c == '`') {
      flush_codes();
      Literal lit;
      read_literal(s, i, lit);
      if (!group.empty() && !joins(s.substr(last_literal_end, i - last_literal_end))) flush_group();
      last_literal_end = lit.end;
      i = lit.end;
      group.push_back(std::move(lit));
      continue;
    }
    if (is_digit(c) && (i == 0 || !ident_char(s[i - 1]))) {
      std::size_t j = i;
      std::uint64_t v = 0;
      if (c == '0' && j + 1 < s.size() && (s[j + 1] == 'x' || s[j + 1] == 'X')) {
        j += 2;
        while (j < s.size() && core::hex_value(s[j]) >= 0 && v <= 0xFFFF) v = v * 16 + static_cast<std::uint64_t>(core::hex_value(s[j++]));
      } else {
        while (j < s.size() && is_digit(s[j]) && v <= 0xFFFF) v = v * 10 + static_cast<std::uint64_t>(s[j++] - '0');
      }
      if (j < s.size() && (ident_char(s[j]) || s[j] == '.')) {
        // A float, "10px", an identifier: not a byte of a char-code array.
        while (j < s.size() && (ident_char(s[j]) || s[j] == '.')) ++j;
        flush_codes();
        i = j;
        continue;
      }
      bool separated = true;
      if (!codes.empty()) {
        for (std::size_t k = last_number_end; k < i; ++k) {
          if (!(is_space(s[k]) || s[k] == ',')) separated = false;
        }
      }
      if (!separated) flush_codes();
      if (codes.empty()) {
        codes_at = i;
        codes_ok = true;
      }
      if (v > 0xFF) codes_ok = false;
      if (codes.size() < max_bytes) codes.push_back(static_cast<std::uint8_t>(v & 0xFF));
      last_number_end = j;
      i = j;
      continue;
    }
    if (!is_space(c) && c != '+' && c != ',') {
      if (!group.empty()) flush_group();
    }
    ++i;
  }
  flush_group();
  flush_codes();
  return found;
}

}  // namespace sluice::formats::html
