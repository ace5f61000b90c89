#include "codecs/office/fields.hpp"

#include <array>

#include "core/text.hpp"

namespace sluice::codecs::office {
namespace {

constexpr std::size_t kMaxInstruction = 2048;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-' || c == '$' || c == '\\' || c == ':' || static_cast<unsigned char>(c) >= 0x80;
}

}  // namespace

std::string collapse_spaces(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : s) {
    if (is_space(c)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::optional<std::string> external_field_keyword(std::string_view instruction) {
  std::size_t i = 0;
  while (i < instruction.size() && (is_space(instruction[i]) || instruction[i] == '{')) ++i;
  std::size_t j = i;
  while (j < instruction.size() && ((instruction[j] >= 'a' && instruction[j] <= 'z') ||
                                    (instruction[j] >= 'A' && instruction[j] <= 'Z')))
    ++j;
  const std::string word = core::ascii_lower(instruction.substr(i, j - i));
  static constexpr std::array<std::string_view, 6> kExternal{"dde", "ddeauto", "includetext", "includepicture",
                                                             "import", "link"};
  for (std::string_view k : kExternal) {
    if (word == k) return core::ascii_upper(word);
  }
  return std::nullopt;
}

std::vector<std::string> word_binary_fields(ByteView doc, std::size_t max) {
  std::vector<std::string> out;
  const std::string_view s = doc.chars();
  auto take = [&](std::string instruction) {
    std::string clean = collapse_spaces(core::to_valid_utf8(instruction));
    if (clean.empty() || !external_field_keyword(clean)) return;
    for (const auto& seen : out) {
      if (seen == clean) return;
    }
    if (out.size() < max) out.push_back(std::move(clean));
  };
  for (std::size_t at = s.find('\x13'); at != std::string_view::npos && out.size() < max;
       at = s.find('\x13', at + 1)) {
    // 8-bit piece: characters until the separator, end or a nested field.
    std::string narrow;
    for (std::size_t k = at + 1; k < s.size() && narrow.size() < kMaxInstruction; ++k) {
      const char c = s[k];
      if (c == '\x13' || c == '\x14' || c == '\x15' || c == '\0') break;
      narrow += c;
    }
    take(core::latin1_to_utf8(narrow));
    // UTF-16LE piece: 0x13 0x00, then code units until 0x14/0x15/0x13.
    if (at + 1 < s.size() && s[at + 1] == '\0') {
      std::vector<std::uint16_t> units;
      for (std::size_t k = at + 2; k + 1 < s.size() && units.size() < kMaxInstruction; k += 2) {
        const auto u = static_cast<std::uint16_t>(static_cast<unsigned char>(s[k]) |
                                                  (static_cast<unsigned char>(s[k + 1]) << 8));
        if (u == 0x13 || u == 0x14 || u == 0x15 || u == 0) break;
        units.push_back(u);
      }
      take(core::utf16_to_utf8(units));
    }
  }
  return out;
}

std::optional<std::string> dde_formula(std::string_view cell) {
  std::string_view t = cell;
  while (!t.empty() && (is_space(t.front()) || t.front() == '"')) t.remove_prefix(1);
  if (t.empty() || (t.front() != '=' && t.front() != '+' && t.front() != '-' && t.front() != '@')) return std::nullopt;
  // The service is the word before '|' ("cmd", "msexcel"), possibly inside a
  // function call: =SUM(1+1)*cmd|' /C calc'!A0, @SUM(cmd|'...'!A0).
  const std::size_t bar = t.find('|');
  if (bar == std::string_view::npos || bar == 0) return std::nullopt;
  std::size_t start = bar;
  while (start > 0 && is_word_char(t[start - 1])) --start;
  const std::string_view service = t.substr(start, bar - start);
  if (service.empty()) return std::nullopt;
  std::string_view rest = t.substr(bar + 1);
  std::string topic;
  if (!rest.empty() && rest.front() == '\'') {
    const std::size_t close = rest.find('\'', 1);
    if (close == std::string_view::npos) return std::nullopt;
    topic = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
  } else {
    const std::size_t bang = rest.find('!');
    if (bang == std::string_view::npos) return std::nullopt;
    topic = std::string(rest.substr(0, bang));
    rest.remove_prefix(bang);
  }
  if (rest.empty() || rest.front() != '!') return std::nullopt;
  std::string out(service);
  const std::string clean = collapse_spaces(topic);
  if (!clean.empty()) out += " " + clean;
  return collapse_spaces(core::to_valid_utf8(out));
}

}  // namespace sluice::codecs::office
