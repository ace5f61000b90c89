#include "core/text.hpp"

#include <cstdint>

#include "core/swar.hpp"

namespace sluice::core {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is invalid
// (overlongs, surrogates and code points past U+10FFFF included).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<std::uint8_t>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) { len = 2; cp = b0 & 0x1F; }
  else if ((b0 & 0xF0) == 0xE0) { len = 3; cp = b0 & 0x0F; }
  else if ((b0 & 0xF8) == 0xF0) { len = 4; cp = b0 & 0x07; }
  else return 0;
  if (s.size() - i < len) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<std::uint8_t>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// Where the first byte that starts no valid sequence is, from `i`; the size
// when there is none. ASCII is checked eight bytes at a time: every text part
// and metadata value of every message passes through here (issue #17).
std::size_t first_invalid_utf8(std::string_view raw, std::size_t i) {
  while (i < raw.size()) {
    if (raw.size() - i >= 8 && swar::any_high(swar::load(raw.data() + i)) == 0) {
      i += 8;
      continue;
    }
    const std::size_t n = utf8_sequence(raw, i);
    if (n == 0) return i;
    i += n;
  }
  return raw.size();
}

}  // namespace

std::string to_valid_utf8(std::string_view raw) {
  std::string out;
  std::size_t run = 0;  // where the current valid run began
  for (std::size_t bad = first_invalid_utf8(raw, 0); bad < raw.size(); bad = first_invalid_utf8(raw, run)) {
    if (out.empty()) out.reserve(raw.size() + 2);
    out.append(raw.data() + run, bad - run);
    out += "\xEF\xBF\xBD";
    run = bad + 1;
  }
  out.append(raw.data() + run, raw.size() - run);
  return out;
}

void make_valid_utf8(std::string& s) {
  // Nearly every value is valid already: checked in place, copied only if not.
  if (first_invalid_utf8(s, 0) < s.size()) s = to_valid_utf8(s);
}

std::string truncate_utf8(std::string s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<std::uint8_t>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string latin1_to_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) append_utf8(out, static_cast<unsigned char>(c));
  return out;
}

namespace {

template <class Unit>
std::string decode_utf16(std::size_t n, Unit&& unit) {
  std::string out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    char32_t cp = unit(i);
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < n) {
      const char32_t lo = unit(i + 1);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        ++i;
      }
    }
    append_utf8(out, cp);
  }
  return out;
}

}  // namespace

std::string utf16_to_utf8(ByteView bytes, std::endian order, Utf16Stop stop) {
  auto at = [&](std::size_t i) -> char32_t {
    std::uint8_t a = 0, b = 0;
    (void)bytes.byte_at(2 * i, a);
    (void)bytes.byte_at(2 * i + 1, b);
    return order == std::endian::little ? char32_t(a | (b << 8)) : char32_t((a << 8) | b);
  };
  std::size_t n = bytes.size() / 2;
  if (stop == Utf16Stop::at_nul) {
    for (std::size_t i = 0; i < n; ++i) {
      if (at(i) == 0) {
        n = i;
        break;
      }
    }
  }
  return decode_utf16(n, at);
}

std::string utf16_to_utf8(std::span<const std::uint16_t> units) {
  return decode_utf16(units.size(), [&](std::size_t i) { return char32_t{units[i]}; });
}

bool ascii_lower_equals(std::string_view s, std::string_view lower) noexcept {
  if (s.size() != lower.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (ascii_lower(s[i]) != lower[i]) return false;
  }
  return true;
}

void ascii_lower_in_place(std::string& s) noexcept {
  // Eight bytes a step (the sniffer lowers the first 4 KiB of every text
  // part): a byte's high bit marks A-Z after two additions on its low seven
  // bits, and 0x80 >> 2 is the 0x20 that lowers it. Bytes >= 0x80 never change.
  using namespace swar;
  std::size_t i = 0;
  for (; s.size() - i >= 8; i += 8) {
    std::uint64_t w = load(s.data() + i);
    const std::uint64_t low = w & kLow7;
    const std::uint64_t at_least_a = low + broadcast(0x80 - 'A');
    const std::uint64_t past_z = low + broadcast(0x7F - 'Z');
    const std::uint64_t upper = (at_least_a ^ past_z) & ~w & kHigh;
    store(s.data() + i, w | upper >> 2);
  }
  for (; i < s.size(); ++i) s[i] = ascii_lower(s[i]);
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  ascii_lower_in_place(out);
  return out;
}

std::string ascii_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace sluice::core

namespace sluice::core {

bool extensions_differ(std::string_view a, std::string_view b) {
  auto ext = [](std::string_view n) -> std::string_view {
    const auto dot = n.find_last_of('.');
    return dot == std::string_view::npos || dot + 1 == n.size() ? std::string_view{} : n.substr(dot + 1);
  };
  const std::string_view x = ext(a), y = ext(b);
  return !x.empty() && !y.empty() && ascii_lower(x) != ascii_lower(y);
}

std::vector<std::uint8_t> password_utf16le(std::string_view s) {
  std::vector<std::uint8_t> out;
  out.reserve(s.size() * 2);
  auto put = [&out](std::uint32_t u) {
    out.push_back(static_cast<std::uint8_t>(u & 0xFF));
    out.push_back(static_cast<std::uint8_t>(u >> 8));
  };
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<std::uint8_t>(s[i]);
    std::uint32_t cp = c;
    std::size_t n = 1;
    if (c >= 0xC2 && c <= 0xDF) {
      cp = c & 0x1Fu, n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      cp = c & 0x0Fu, n = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      cp = c & 0x07u, n = 4;
    }
    bool ok = n == 1 || n <= s.size() - i;
    for (std::size_t k = 1; ok && k < n; ++k) {
      const auto cc = static_cast<std::uint8_t>(s[i + k]);
      if ((cc & 0xC0u) != 0x80u) ok = false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if (!ok || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = c, n = 1;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      put(0xD800 + (cp >> 10));
      put(0xDC00 + (cp & 0x3FF));
    } else {
      put(cp);
    }
    i += n;
  }
  return out;
}

}  // namespace sluice::core
