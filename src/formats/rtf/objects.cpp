#include "formats/rtf/objects.hpp"

#include "core/text.hpp"

namespace sluice::formats::rtf {
namespace {

// RTF 1.9.1: "a control word ... may not be longer than 32 letters".
constexpr std::size_t kMaxWordLength = 32;

bool is_alpha(std::uint8_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(std::uint8_t c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<Parsed<RtfScan>> parse(ByteView rtf, const Limits& limits) {
  Parsed<RtfScan> parsed;
  RtfScan& out = parsed.model;
  const std::size_t max_objects = limits.max_children;
  std::size_t& dropped = out.dropped;
  const std::uint8_t* p = rtf.data();
  const std::size_t n = rtf.size();
  std::size_t depth = 0;
  // Depth at which the open \objdata and \objclass destinations started (0:
  // none).
  std::size_t data_depth = 0, class_depth = 0;
  std::string pending_class, class_text;
  RtfObject cur;
  int nibble = -1;

  auto finish_object = [&] {
    if (nibble >= 0) cur.odd_hex = true;
    nibble = -1;
    if (out.objects.size() < max_objects) {
      out.objects.push_back(std::move(cur));
    } else {
      ++dropped;
    }
    cur = RtfObject{};
    data_depth = 0;
  };

  std::size_t i = 0;
  while (i < n) {
    const std::uint8_t c = p[i];
    if (c == '{') {
      if (depth >= limits.rtf.max_group_depth) {
        out.too_deep = true;  // counted as text: the nesting stops growing here
      } else {
        ++depth;
      }
      ++i;
      continue;
    }
    if (c == '}') {
      if (depth == 0) {
        out.unbalanced = true;
        ++i;
        continue;
      }
      if (data_depth == depth) finish_object();
      if (class_depth == depth) {
        pending_class = core::latin1_to_utf8(trim(class_text));
        class_depth = 0;
      }
      --depth;
      ++i;
      continue;
    }
    if (c == '\\') {
      std::size_t j = i + 1;
      if (j < n && is_alpha(p[j])) {
        const std::size_t word_start = j;
        while (j < n && is_alpha(p[j]) && j - word_start < kMaxWordLength) ++j;
        const std::string_view word(reinterpret_cast<const char*>(p + word_start), j - word_start);
        bool has_param = false;
        std::uint64_t param = 0;
        if (j < n && p[j] == '-') ++j;
        while (j < n && is_digit(p[j])) {
          has_param = true;
          if (param < (1ull << 40)) param = param * 10 + (p[j] - '0');
          ++j;
        }
        if (j < n && p[j] == ' ') ++j;  // the delimiting space belongs to the word
        if (word == "bin") {
          // \binN: N raw bytes follow, data of whatever destination is open.
          const std::uint64_t take = has_param ? std::min<std::uint64_t>(param, n - j) : 0;
          if (data_depth != 0 && depth >= data_depth) {
            if (nibble >= 0) {
              cur.odd_hex = true;
              nibble = -1;
            }
            cur.data.insert(cur.data.end(), p + j, p + j + take);
          }
          j += take;
        } else if (word == "objdata" && data_depth == 0) {
          data_depth = depth == 0 ? 1 : depth;
          cur = RtfObject{};
          cur.offset = i;
          cur.class_name = pending_class;
        } else if (word == "objclass" && class_depth == 0) {
          class_depth = depth == 0 ? 1 : depth;
          class_text.clear();
        } else if (word == "object") {
          pending_class.clear();
        }
        i = j;
        continue;
      }
      // A control symbol: \'hh is a character, anything else one symbol.
      if (j < n && p[j] == '\'') {
        i = std::min(n, j + 3);
        continue;
      }
      i = std::min(n, j + 1);
      continue;
    }
    if (data_depth != 0 && depth >= data_depth) {
      const int v = core::hex_value(static_cast<char>(c));
      if (v >= 0) {
        if (nibble < 0) {
          nibble = v;
        } else {
          cur.data.push_back(static_cast<std::uint8_t>((nibble << 4) | v));
          nibble = -1;
        }
      }
    } else if (class_depth != 0 && depth >= class_depth && c != '\r' && c != '\n' &&
               class_text.size() < limits.rtf.max_class_length) {
      class_text += static_cast<char>(c);
    }
    ++i;
  }
  if (data_depth != 0) finish_object();  // a document cut inside its object
  if (depth != 0) out.unbalanced = true;
  if (out.too_deep) {
    parsed.anomalies.push_back({"rtf.nesting_too_deep", Severity::medium, 0,
                                "RTF groups nest deeper than any editor writes"});
  }
  return parsed;
}

}  // namespace sluice::formats::rtf
