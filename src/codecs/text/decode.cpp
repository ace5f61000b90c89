#include "codecs/text/decode.hpp"

#include <algorithm>
#include <array>

#include "core/text.hpp"
#include "codecs/text/charset.hpp"

namespace sluice::codecs::text {
namespace {

constexpr std::uint8_t kNotB64 = 0xFF;
constexpr std::uint8_t kPad = 0xFE;

// Table-driven: one lookup per input byte, no branches on character classes.
constexpr std::array<std::uint8_t, 256> make_b64_table() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = kNotB64;
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    t[static_cast<std::uint8_t>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
  }
  t['='] = kPad;
  return t;
}
constexpr auto kB64 = make_b64_table();

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

void decode_base64(ByteView in, std::vector<std::uint8_t>& out, std::uint64_t cap,
                   DecodeStats& stats) {
  std::uint32_t acc = 0;
  int quad = 0;
  int pads = 0;
  bool done = false;
  const std::string_view s = in.chars();
  // The output is sized once (it cannot exceed 3 bytes per 4 symbols) and
  // written through an index: no per-byte push_back, no reallocation.
  const std::size_t start = out.size();
  const std::uint64_t room = cap > start ? cap - start : 0;
  const std::size_t max_out =
      static_cast<std::size_t>(std::min<std::uint64_t>(room, s.size() / 4 * 3 + 3));
  out.resize(start + max_out);
  std::uint8_t* o = out.data() + start;
  std::size_t n = 0;
  const std::size_t len = s.size();
  for (std::size_t i = 0; i < len;) {
    // Fast path: a whole quantum of four alphabet symbols, the bulk of any
    // MIME body. Markers for junk and '=' are >= 64, so one OR tests all four.
    if (quad == 0 && !done && len - i >= 4 && max_out - n >= 3) {
      const std::uint32_t a = kB64[static_cast<std::uint8_t>(s[i])];
      const std::uint32_t b = kB64[static_cast<std::uint8_t>(s[i + 1])];
      const std::uint32_t c = kB64[static_cast<std::uint8_t>(s[i + 2])];
      const std::uint32_t d = kB64[static_cast<std::uint8_t>(s[i + 3])];
      if ((a | b | c | d) < 64) {
        const std::uint32_t q = (a << 18) | (b << 12) | (c << 6) | d;
        o[n] = static_cast<std::uint8_t>(q >> 16);
        o[n + 1] = static_cast<std::uint8_t>(q >> 8);
        o[n + 2] = static_cast<std::uint8_t>(q);
        n += 3;
        i += 4;
        pads = 0;
        continue;
      }
    }
    const char ch = s[i++];
    const std::uint8_t v = kB64[static_cast<std::uint8_t>(ch)];
    if (done) {
      if (v < 64) ++stats.after_padding;
      continue;
    }
    if (v == kNotB64) {
      if (!is_space(ch)) ++stats.junk;
      continue;
    }
    if (v == kPad) {
      // binascii: padding only counts once two symbols of the quantum are in;
      // once it completes the quantum, decoding stops.
      if (quad >= 2 && quad + ++pads >= 4) done = true;
      continue;
    }
    pads = 0;
    acc = (acc << 6) | v;
    std::uint8_t byte = 0;
    bool emit = true;
    switch (quad) {
      case 0: emit = false; break;
      case 1: byte = static_cast<std::uint8_t>(acc >> 4); break;
      case 2: byte = static_cast<std::uint8_t>(acc >> 2); break;
      default: byte = static_cast<std::uint8_t>(acc); break;
    }
    quad = (quad + 1) & 3;
    if (quad == 0) acc = 0;
    if (emit) {
      if (n >= max_out) {
        stats.capped = true;
        break;
      }
      o[n++] = byte;
    }
  }
  out.resize(start + n);
  if (quad == 1 && !stats.capped) stats.bad_length = true;
}

void decode_quoted_printable(ByteView in, std::vector<std::uint8_t>& out, std::uint64_t cap,
                             DecodeStats& stats) {
  const std::string_view s = in.chars();
  std::size_t i = 0;
  while (i < s.size()) {
    if (out.size() >= cap) {
      stats.capped = true;
      return;
    }
    const char c = s[i];
    if (c != '=') {
      out.push_back(static_cast<std::uint8_t>(c));
      ++i;
      continue;
    }
    ++i;
    if (i >= s.size()) break;
    if (s[i] == '\n' || s[i] == '\r') {
      // Soft line break; like binascii, a "=\r" swallows up to the next LF.
      if (s[i] != '\n') {
        while (i < s.size() && s[i] != '\n') ++i;
      }
      if (i < s.size()) ++i;
    } else if (s[i] == '=') {
      out.push_back('=');
      ++i;
    } else if (i + 1 < s.size() && core::hex_value(s[i]) >= 0 && core::hex_value(s[i + 1]) >= 0) {
      out.push_back(static_cast<std::uint8_t>(core::hex_value(s[i]) * 16 + core::hex_value(s[i + 1])));
      i += 2;
    } else {
      stats.bad_escape = true;
      out.push_back('=');
    }
  }
}

std::vector<UuBlock> find_uu_blocks(ByteView in, std::size_t limit) {
  std::vector<UuBlock> blocks;
  const std::string_view s = in.chars();
  std::size_t pos = 0;
  UuBlock* open = nullptr;
  while (pos < s.size()) {
    if (open == nullptr) {
      // Outside a block only a line that starts "begin " matters: go straight
      // to the next one rather than line by line (a memchr call per line was
      // 0.9 % of a ham scan).
      const std::size_t at = s.find("begin ", pos);
      if (at == std::string_view::npos) break;
      if (at != 0 && s[at - 1] != '\n') {
        pos = at + 1;
        continue;
      }
      pos = at;
    }
    std::size_t nl = s.find('\n', pos);
    const std::size_t next = nl == std::string_view::npos ? s.size() : nl + 1;
    std::string_view line = s.substr(pos, (nl == std::string_view::npos ? s.size() : nl) - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (open != nullptr) {
      if (line == "end" || line.starts_with("end ")) {
        open->end = next;
        open->terminated = true;
        open = nullptr;
      }
    } else if (line.starts_with("begin ")) {
      // "begin" SP mode SP name, mode 3 or 4 octal digits (POSIX uuencode).
      std::string_view rest = line.substr(6);
      std::size_t digits = 0;
      while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '7') ++digits;
      if (digits >= 3 && digits <= 4 && digits < rest.size() && rest[digits] == ' ') {
        if (blocks.size() >= limit) break;
        UuBlock b;
        b.begin = pos;
        b.data = next;
        b.end = s.size();
        b.mode = std::string(rest.substr(0, digits));
        b.name = std::string(rest.substr(digits + 1));
        blocks.push_back(std::move(b));
        open = &blocks.back();
      }
    }
    pos = next;
  }
  return blocks;
}

void decode_uu(ByteView lines, std::vector<std::uint8_t>& out, std::uint64_t cap,
               DecodeStats& stats) {
  const std::string_view s = lines.chars();
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t nl = s.find('\n', pos);
    const std::size_t next = nl == std::string_view::npos ? s.size() : nl + 1;
    std::string_view line = s.substr(pos, (nl == std::string_view::npos ? s.size() : nl) - pos);
    pos = next;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line == "end" || line.starts_with("end ")) return;
    const int n = (static_cast<unsigned char>(line[0]) - 32) & 63;
    if (n == 0) continue;  // the "`" line before "end"
    // Each symbol is (c - 32) & 63, so "`" and " " are both zero, as in binascii.
    int produced = 0;
    for (std::size_t i = 1; produced < n; i += 4) {
      std::uint32_t group = 0;
      for (std::size_t k = 0; k < 4; ++k) {
        const std::size_t at = i + k;
        const unsigned char c = at < line.size() ? static_cast<unsigned char>(line[at]) : ' ';
        group = (group << 6) | ((c - 32u) & 63u);
      }
      if (i >= line.size()) ++stats.junk;  // the line is shorter than its length byte claims
      for (int k = 2; k >= 0 && produced < n; --k) {
        if (out.size() >= cap) {
          stats.capped = true;
          return;
        }
        out.push_back(static_cast<std::uint8_t>(group >> (8 * k)));
        ++produced;
      }
      if (i > line.size()) break;
    }
  }
}

std::string charset_to_utf8(std::string_view charset, std::string_view bytes) {
  return to_utf8(charset, bytes, bytes.size() * kUtf8Expansion + 64).text;
}

Rfc2047Result decode_rfc2047(std::string_view v) {
  Rfc2047Result r;
  std::size_t pos = 0;
  bool last_was_word = false;
  // Adjacent words in one charset are joined before decoding: writers split
  // multi-byte characters across words (invalid by 2047 5, but Python,
  // Thunderbird and Outlook all join them, so the name they show is whole).
  std::string pending;
  std::string pending_charset;
  auto flush = [&] {
    if (!pending.empty()) r.text += charset_to_utf8(pending_charset, pending);
    pending.clear();
  };
  while (pos < v.size()) {
    const std::size_t start = v.find("=?", pos);
    if (start == std::string_view::npos) break;
    // =?charset?E?text?=
    const std::size_t q1 = v.find('?', start + 2);
    const char enc = (q1 != std::string_view::npos && q1 + 2 < v.size() && v[q1 + 2] == '?') ? v[q1 + 1] : '\0';
    const std::size_t end = enc == '\0' ? std::string_view::npos : v.find("?=", q1 + 3);
    if (enc != '\0' && end == std::string_view::npos) {
      // No "?=" after this point, so no later word can close either: stop
      // here rather than search again for every "=?" (quadratic on a header
      // of a million "=?x?B?" fragments).
      r.malformed = true;
      break;
    }
    if (end == std::string_view::npos || (enc != 'B' && enc != 'b' && enc != 'Q' && enc != 'q')) {
      if (enc != '\0') r.malformed = true;
      flush();
      r.text.append(v.substr(pos, start + 2 - pos));
      pos = start + 2;
      last_was_word = false;
      continue;
    }
    const std::string_view between = v.substr(pos, start - pos);
    const bool only_ws = std::all_of(between.begin(), between.end(), is_space);
    const std::string charset = iconv_charset_name(v.substr(start + 2, q1 - start - 2));
    // RFC 2047 6.2: linear white space between adjacent encoded words is ignored.
    if (!(last_was_word && only_ws) || charset != pending_charset) flush();
    if (!(last_was_word && only_ws)) r.text.append(between);
    pending_charset = charset;
    const std::string_view text = v.substr(q1 + 3, end - q1 - 3);
    std::vector<std::uint8_t> raw;
    DecodeStats st;
    if (enc == 'B' || enc == 'b') {
      decode_base64(ByteView::of(text), raw, text.size(), st);
      if (st.junk > 0 || st.bad_length) r.malformed = true;
    } else {
      for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '_') {
          raw.push_back(' ');
        } else if (c == '=' && i + 2 < text.size() && core::hex_value(text[i + 1]) >= 0 &&
                   core::hex_value(text[i + 2]) >= 0) {
          raw.push_back(static_cast<std::uint8_t>(core::hex_value(text[i + 1]) * 16 + core::hex_value(text[i + 2])));
          i += 2;
        } else {
          if (c == '=') r.malformed = true;
          raw.push_back(static_cast<std::uint8_t>(c));
        }
      }
    }
    pending.append(raw.begin(), raw.end());
    r.found = true;
    last_was_word = true;
    pos = end + 2;
  }
  flush();
  r.text.append(v.substr(pos < v.size() ? pos : v.size()));
  return r;
}

}  // namespace sluice::codecs::text
