#include "codecs/text/dates.hpp"

#include <array>
#include <cctype>
#include <ctime>
#include <string>
#include <utility>

namespace sluice::codecs::text {
namespace {

constexpr std::array<std::string_view, 12> kMonths{"jan", "feb", "mar", "apr", "may", "jun",
                                                   "jul", "aug", "sep", "oct", "nov", "dec"};

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
// (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}
  void skip() {
    for (;;) {
      while (i_ < s_.size() && (std::isspace(static_cast<unsigned char>(s_[i_])) || s_[i_] == ',')) ++i_;
      if (i_ < s_.size() && s_[i_] == '(') {  // a comment, possibly nested
        int depth = 0;
        while (i_ < s_.size()) {
          if (s_[i_] == '(') ++depth;
          if (s_[i_] == ')' && --depth == 0) {
            ++i_;
            break;
          }
          ++i_;
        }
        continue;
      }
      return;
    }
  }
  std::optional<long> number(std::size_t max_digits) {
    skip();
    std::size_t n = 0;
    long v = 0;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_])) && n < max_digits) {
      v = v * 10 + (s_[i_++] - '0');
      ++n;
    }
    if (n == 0) return std::nullopt;
    return v;
  }
  std::string word() {
    skip();
    std::string w;
    while (i_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_])) && w.size() < 16) {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(s_[i_++])));
    }
    return w;
  }
  bool eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  [[nodiscard]] char peek() {
    skip();
    return i_ < s_.size() ? s_[i_] : '\0';
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

std::optional<long> zone_minutes(Lexer& lx) {
  const char c = lx.peek();
  if (c == '+' || c == '-') {
    lx.eat(c);
    const auto hhmm = lx.number(4);
    if (!hhmm) return std::nullopt;
    const long m = (*hhmm / 100) * 60 + *hhmm % 100;
    return c == '-' ? -m : m;
  }
  const std::string w = lx.word();
  if (w.empty() || w == "ut" || w == "gmt" || w == "z") return 0;
  // RFC 5322 §4.3's North American names.
  constexpr std::array<std::pair<std::string_view, long>, 8> kZones{
      {{"edt", -4}, {"est", -5}, {"cdt", -5}, {"cst", -6}, {"mdt", -6}, {"mst", -7}, {"pdt", -7}, {"pst", -8}}};
  for (const auto& [name, hours] : kZones) {
    if (w == name) return hours * 60;
  }
  return 0;  // RFC 5322 §4.3: other zone names read as +0000
}

}  // namespace

std::optional<std::int64_t> parse_mail_date(std::string_view text) {
  if (text.size() > 256) text = text.substr(0, 256);
  Lexer lx(text);
  if (std::isalpha(static_cast<unsigned char>(lx.peek()))) lx.word();  // day of week
  const auto day = lx.number(2);
  const std::string mon = lx.word();
  const auto year = lx.number(4);
  if (!day || !year || mon.size() < 3) return std::nullopt;
  unsigned month = 0;
  for (unsigned i = 0; i < kMonths.size(); ++i) {
    if (mon.substr(0, 3) == kMonths[i]) month = i + 1;
  }
  long y = *year;
  if (y < 50) y += 2000;
  else if (y < 1000) y += 1900;
  const auto hh = lx.number(2);
  if (!hh || !lx.eat(':')) return std::nullopt;
  const auto mm = lx.number(2);
  long ss = 0;
  if (lx.eat(':')) {
    const auto s = lx.number(2);
    if (!s) return std::nullopt;
    ss = *s;
  }
  if (month == 0 || *day < 1 || *day > 31 || !mm || *hh > 23 || *mm > 59 || ss > 60 || y > 9999) {
    return std::nullopt;
  }
  const auto zone = zone_minutes(lx);
  if (!zone) return std::nullopt;
  return days_from_civil(y, month, static_cast<unsigned>(*day)) * 86400 + *hh * 3600 + *mm * 60 + ss -
         *zone * 60;
}

std::optional<std::int64_t> received_time(std::string_view received) {
  const std::size_t semi = received.rfind(';');
  if (semi == std::string_view::npos) return std::nullopt;
  return parse_mail_date(received.substr(semi + 1));
}

std::string iso_time(std::int64_t unix_seconds) {
  const std::time_t tt = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (gmtime_r(&tt, &tm) == nullptr) return {};
  char buf[48];
  if (std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) return {};
  return buf;
}

}  // namespace sluice::codecs::text
