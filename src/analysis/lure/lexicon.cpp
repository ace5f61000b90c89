#include "analysis/lure/lexicon.hpp"

#include "core/text.hpp"

namespace sluice::embedded {
extern const char* const kBrandsTsv;
extern const char* const kLuresTsv;
}  // namespace sluice::embedded

namespace sluice::analysis::lure {
namespace {

std::vector<std::string> split(std::string_view s, char sep, bool lower = true) {
  std::vector<std::string> out;
  while (true) {
    const auto p = s.find(sep);
    std::string_view part = s.substr(0, p);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && (part.back() == ' ' || part.back() == '\r')) part.remove_suffix(1);
    if (!part.empty()) out.push_back(lower ? core::ascii_lower(part) : std::string(part));
    if (p == std::string_view::npos) break;
    s.remove_prefix(p + 1);
  }
  return out;
}

template <class F>
void for_each_row(std::string_view tsv, F&& f) {
  for (const std::string& line : split(tsv, '\n', false)) {
    if (line.empty() || line.front() == '#') continue;
    f(split(line, '\t', false));
  }
}

bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         static_cast<unsigned char>(c) >= 0x80;
}

}  // namespace

std::vector<Brand> parse_brands(std::string_view tsv) {
  std::vector<Brand> out;
  // "-" is an empty column (split() drops empty fields, so a tab pair cannot be one).
  auto list = [](const std::string& col) {
    return col == "-" ? std::vector<std::string>{} : split(col, ',');
  };
  for_each_row(tsv, [&](const std::vector<std::string>& cols) {
    if (cols.size() != 3 && cols.size() != 4) return;
    // The name keeps its case.
    out.push_back({cols[0], list(cols[1]), list(cols[2]), cols.size() == 4 ? list(cols[3]) : std::vector<std::string>{}});
  });
  return out;
}

std::vector<Theme> parse_themes(std::string_view tsv) {
  std::vector<Theme> out;
  for_each_row(tsv, [&](const std::vector<std::string>& cols) {
    if (cols.size() != 2) return;
    out.push_back({core::ascii_lower(cols[0]), split(cols[1], ',')});
  });
  return out;
}

std::vector<Brand> builtin_brands() { return parse_brands(embedded::kBrandsTsv); }
std::vector<Theme> builtin_themes() { return parse_themes(embedded::kLuresTsv); }

namespace {
std::vector<std::string> flatten(const std::vector<std::vector<std::string>>& lists) {
  std::vector<std::string> all;
  for (const auto& l : lists) all.insert(all.end(), l.begin(), l.end());
  return all;
}
}  // namespace

PhraseLists::PhraseLists(std::vector<std::vector<std::string>> lists)
    : phrases_(flatten(lists)), matcher_(phrases_, core::PhraseMatcher::Case::ascii_insensitive) {
  std::size_t at = 0;
  for (const auto& l : lists) {
    list_begin_.push_back(at);
    at += l.size();
  }
  list_begin_.push_back(at);
}

PhraseLists::Found PhraseLists::find(std::string_view text) const { return find(std::span(&text, 1)); }

PhraseLists::Found PhraseLists::find(std::span<const std::string_view> pieces) const {
  Found f;
  f.lists_ = this;
  f.whole_word_.assign(phrases_.size(), false);
  for (const std::string_view text : pieces) {
    matcher_.scan_unordered(text, [&](std::size_t phrase, std::size_t end) {
      const std::size_t at = end - phrases_[phrase].size();
      const bool left = at == 0 || !word_char(text[at - 1]);
      const bool right = end >= text.size() || !word_char(text[end]);
      if (left && right) f.whole_word_[phrase] = true;
    });
  }
  return f;
}

std::string_view PhraseLists::Found::first(std::size_t list) const {
  for (std::size_t i = lists_->list_begin_[list]; i < lists_->list_begin_[list + 1]; ++i) {
    if (whole_word_[i]) return lists_->phrases_[i];
  }
  return {};
}

}  // namespace sluice::analysis::lure
