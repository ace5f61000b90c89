#include "codecs/icon/reference.hpp"

#include <charconv>

namespace sluice::embedded {
extern const char* const kIconsTsv;
}

namespace sluice::codecs::icon {
namespace {

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> out;
  while (true) {
    const auto tab = line.find('\t');
    out.push_back(line.substr(0, tab));
    if (tab == std::string_view::npos) break;
    line.remove_prefix(tab + 1);
  }
  return out;
}

template <class T>
bool parse_number(std::string_view s, T& out, int base) {
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc{} && p == s.data() + s.size();
}

}  // namespace

ReferenceSet parse_references(std::string_view tsv) {
  ReferenceSet set;
  while (!tsv.empty()) {
    const auto nl = tsv.find('\n');
    std::string_view line = tsv.substr(0, nl);
    tsv.remove_prefix(nl == std::string_view::npos ? tsv.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const auto f = split_tabs(line);
    Reference r;
    unsigned hue = 0;
    if (f.size() < 7 || !parse_number(f[0], r.hash.phash, 16) || !parse_number(f[1], r.hash.dhash, 16) ||
        !parse_number(f[2], hue, 10) || hue > 12 || !parse_number(f[5], r.size, 10) || f[3].empty()) {
      ++set.skipped;
      continue;
    }
    r.hash.hue = static_cast<std::uint8_t>(hue);
    r.category = std::string(f[3]);
    r.theme = std::string(f[4]);
    r.name = std::string(f[6]);
    set.refs.push_back(std::move(r));
  }
  return set;
}

const ReferenceSet& builtin_references() {
  // Immutable once built (thread-safe static initialisation): a constant table
  // parsed from the compiled-in TSV, not mutable global state.
  static const ReferenceSet set = parse_references(embedded::kIconsTsv);
  return set;
}

std::optional<Match> closest(const IconHash& hash, const std::vector<Reference>& refs) {
  std::optional<Match> best;
  for (const Reference& r : refs) {
    const int d = distance(hash, r.hash);
    if (!best || d < best->distance) best = Match{&r, d};
  }
  return best;
}

}  // namespace sluice::codecs::icon
