#include "report/json_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "core/swar.hpp"

namespace sluice::report {
namespace {

// Length of the well-formed UTF-8 sequence at s[i] (Unicode table 3-7), or the
// length of its longest well-formed prefix negated (-1 when even the lead
// byte is bad): that maximal subpart is what one U+FFFD replaces, as
// nlohmann's `replace` handler and every conforming decoder do.
int utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  int need = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) {
    need = 1;
  } else if (b >= 0xE0 && b <= 0xEF) {
    need = 2;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    need = 3;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    return -1;
  }
  for (int k = 1; k <= need; ++k) {
    if (i + static_cast<std::size_t>(k) >= s.size()) return -k;
    const auto c = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if (c < lo || c > hi) return -k;
    lo = 0x80;
    hi = 0xBF;
  }
  return need + 1;
}

bool plain_ascii(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

// Whether any of eight bytes needs more than a copy: a control, a quote, a
// backslash or a non-ASCII byte (the classic has-zero and has-less tests,
// which never miss one). Reports are mostly long plain strings (Received
// lines, URLs, hashes): eight bytes a step instead of one.
bool word_needs_care(std::uint64_t w) {
  using namespace core::swar;
  return (any_high(w) | any_below(w, 0x20) | any_equal(w, '"') | any_equal(w, '\\')) != 0;
}

}  // namespace

void JsonWriter::quote(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t run = i;
    while (s.size() - run >= 8 && !word_needs_care(core::swar::load(s.data() + run))) run += 8;
    while (run < s.size() && plain_ascii(static_cast<unsigned char>(s[run]))) ++run;
    out.append(s.data() + i, run - i);
    i = run;
    if (i == s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\t': out += "\\t"; break;
        case '\n': out += "\\n"; break;
        case '\f': out += "\\f"; break;
        case '\r': out += "\\r"; break;
        default:
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
      }
      ++i;
      continue;
    }
    const int n = utf8_sequence(s, i);
    if (n > 0) {
      out.append(s.data() + i, static_cast<std::size_t>(n));
      i += static_cast<std::size_t>(n);
    } else {
      out += "\xEF\xBF\xBD";
      i += static_cast<std::size_t>(-n);
    }
  }
  out.push_back('"');
}

void JsonWriter::newline(std::size_t level) {
  out_.push_back('\n');
  out_.append(level * static_cast<std::size_t>(indent_), ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (has_items_.empty()) return;
  if (has_items_.back()) out_.push_back(',');
  has_items_.back() = true;
  if (indent_ >= 0) newline(has_items_.size());
}

void JsonWriter::key(std::string_view name) {
  before_value();
  quote(out_, name);
  out_ += indent_ >= 0 ? ": " : ":";
  after_key_ = true;
}

void JsonWriter::open(char c) {
  before_value();
  out_.push_back(c);
  has_items_.push_back(false);
}

void JsonWriter::close(char c) {
  const bool had = has_items_.back();
  has_items_.pop_back();
  if (had && indent_ >= 0) newline(has_items_.size());
  out_.push_back(c);
}

void JsonWriter::value(std::string_view s) {
  before_value();
  quote(out_, s);
}

void JsonWriter::value(std::int64_t v) {
  before_value();
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
}

void JsonWriter::value(std::uint64_t v) {
  before_value();
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
}

void JsonWriter::value(bool v) {
  before_value();
  out_ += v ? "true" : "false";
}

void JsonWriter::null() {
  before_value();
  out_ += "null";
}

// nlohmann's own Grisu2 formatting, so that numbers read exactly as before
// ("3.0", "1e-05"), byte for byte.
void JsonWriter::value(double v) {
  before_value();
  if (!std::isfinite(v)) {
    out_ += "null";
    return;
  }
  char buf[64];
  const char* end = nlohmann::detail::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, static_cast<std::size_t>(end - buf));
}

}  // namespace sluice::report
