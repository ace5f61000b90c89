// Screnc decoding. The tables and the pattern are the algorithm itself (the
// same in every decoder: scrdec.c, Didier Stevens' decode-vbe.py, CyberChef,
// binref's wshenc); see README.md for the references and how the fixture
// encoder in tests/fixtures cross-checks them against a published sample.
#include "formats/script/screnc.hpp"

#include <array>
#include <optional>

namespace sluice::formats::script {
namespace {

// Decoded character for encoded characters 0x20..0x7F, one row per table.
// Rows hold placeholders at '<', '>' and '@' (0x3C, 0x3E, 0x40): those bytes
// never carry substituted text, the encoder writes them only inside escapes.
constexpr std::array<std::string_view, 3> kTables{
    ".GzVBj/&IA42[vrC89pEhqO\011bD#uJ~J^@wJa]\042KoN;LPg*}tT+-,0nkf5%!dMRc\077{x)(sY3\177mUS|:_eFX1ilZH'\134=$y7`Q 6",
    "-uR`q^I\134b})6 |z\177kc3+hQfv1dTCL:L~LE,*t'7DyY/o&rj9{\0778wgSG4x]0#Z[lHUpi.L!$NP\011Vs5aKX;W\042mM%(FJ2A=_OBe",
    "20!)[83=X:5e9\134VsfNEkbYx^}JmqA`AS@B'Hru17MR\042TjGd- \177.L]~loytC&v%$+(#A4\011*D\077w;UiacPgQIOFh|6pnz/_KZ,W",
};
// Tab (0x09) is the one control character that is substituted.
constexpr std::array<std::uint8_t, 3> kTab{0x57, 0x6E, 0x7B};
// Which table decodes the n-th character (n counted over bytes below 0x80).
constexpr std::string_view kPattern = "0120121221210212021200122102122100212120200120210212001220012021";
static_assert(kPattern.size() == 64);
static_assert(kTables[0].size() == 96 && kTables[1].size() == 96 && kTables[2].size() == 96);

constexpr std::string_view kBegin = "#@~^";
constexpr std::string_view kEnd = "^#~@";
constexpr std::size_t kFieldLength = 8;  // "XXXXXX=="

int b64_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// "XXXXXX==": six base64 characters carrying a little-endian uint32 (the
// top four bits of the 36 must be zero for a value Windows would write).
std::optional<std::uint32_t> decode_field(std::string_view f) noexcept {
  if (f.size() != kFieldLength || f.substr(6) != "==") return std::nullopt;
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < 6; ++i) {
    const int v = b64_value(f[i]);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint64_t>(v);
  }
  if ((bits & 0xF) != 0) return std::nullopt;
  bits >>= 4;  // 32 bits: bytes b0 b1 b2 b3 in stream order, little-endian value
  const auto b0 = static_cast<std::uint32_t>((bits >> 24) & 0xFF), b1 = static_cast<std::uint32_t>((bits >> 16) & 0xFF),
             b2 = static_cast<std::uint32_t>((bits >> 8) & 0xFF), b3 = static_cast<std::uint32_t>(bits & 0xFF);
  return b0 | (b1 << 8) | (b2 << 16) | (b3 << 24);
}

std::uint8_t unescape(char c) noexcept {
  switch (c) {
    case '&': return '\n';
    case '#': return '\r';
    case '*': return '>';
    case '!': return '<';
    case '$': return '@';
    default: return 0;
  }
}

}  // namespace

std::vector<std::uint8_t> decode_body(std::string_view data, std::uint64_t cap, bool& capped) {
  std::vector<std::uint8_t> out;
  out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(data.size(), cap)));
  std::size_t n = 0;  // characters below 0x80 seen: selects the table
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (out.size() >= cap) {
      capped = true;
      break;
    }
    auto c = static_cast<std::uint8_t>(data[i]);
    if (c == '@' && i + 1 < data.size() && unescape(data[i + 1]) != 0) {
      out.push_back(unescape(data[++i]));
      ++n;
      continue;
    }
    if (c < 0x80) {
      const int table = kPattern[n % kPattern.size()] - '0';
      if (c == '\t') {
        c = kTab[static_cast<std::size_t>(table)];
      } else if (c >= 0x20 && c != '<' && c != '>' && c != '@') {
        c = static_cast<std::uint8_t>(kTables[static_cast<std::size_t>(table)][c - 0x20]);
      }
      ++n;
    }
    // Bytes from 0x80 up (a DBCS code page's lead and trail bytes) pass
    // through and do not advance the pattern, as in the Windows decoder.
    out.push_back(c);
  }
  return out;
}

std::vector<EncodedBlock> decode_encoded_blocks(std::string_view text, std::size_t max_blocks,
                                                std::uint64_t cap) {
  std::vector<EncodedBlock> blocks;
  std::uint64_t spent = 0;
  std::size_t from = 0;
  while (blocks.size() < max_blocks) {
    const std::size_t at = text.find(kBegin, from);
    if (at == std::string_view::npos) break;
    from = at + 1;
    const std::size_t body = at + kBegin.size() + kFieldLength;
    if (body > text.size()) break;
    const auto length = decode_field(text.substr(at + kBegin.size(), kFieldLength));
    if (!length && text.substr(at + kBegin.size() + 6, 2) != "==") continue;  // not a header at all

    EncodedBlock b;
    b.begin = at;
    b.length_valid = length.has_value();
    // value_or(0): only read when length_valid says the field decoded.
    b.declared_length = length.value_or(0);
    std::size_t body_end = std::string_view::npos;
    // Where the length says the body ends, a checksum and the end marker follow.
    if (length && *length <= text.size() - body &&
        text.size() - body - *length >= kFieldLength + kEnd.size() &&
        text.substr(body + *length + kFieldLength, kEnd.size()) == kEnd) {
      body_end = body + *length;
      b.terminated = true;
    } else if (const std::size_t stop = text.find(kEnd, body);
               stop != std::string_view::npos && stop >= body + kFieldLength) {
      body_end = stop - kFieldLength;  // a wrong length: decode up to the marker
    }
    const std::string_view data =
        text.substr(body, body_end == std::string_view::npos ? std::string_view::npos : body_end - body);
    b.decoded = decode_body(data, cap - spent, b.capped);
    spent += b.decoded.size();
    if (body_end != std::string_view::npos) {
      const auto sum = decode_field(text.substr(body_end, kFieldLength));
      b.checksum_present = sum.has_value();
      if (sum && !b.capped) {
        std::uint32_t total = 0;
        for (std::uint8_t c : b.decoded) total += c;  // wraps, as the encoder's sum does
        b.checksum_ok = total == *sum;
      }
      b.end = body_end + kFieldLength + kEnd.size();
    } else {
      b.end = text.size();
    }
    from = b.end > from ? static_cast<std::size_t>(b.end) : from;
    blocks.push_back(std::move(b));
    if (spent >= cap) break;
  }
  return blocks;
}

}  // namespace sluice::formats::script
