#include "analysis/lure/domains.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "core/files.hpp"
#include "core/text.hpp"

namespace sluice::analysis::lure {

PublicSuffixList PublicSuffixList::parse(std::string_view text_in) {
  PublicSuffixList psl;
  psl.text_ = std::make_shared<const std::string>(core::ascii_lower(text_in));
  const std::string_view text = *psl.text_;
  // The Public Suffix List has one rule per two lines (the rest comments);
  // wildcards and exceptions are a few dozen. The sets grow past a guess.
  psl.rules_ = core::ViewSet(text, static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) / 2 + 16);
  psl.wildcards_ = core::ViewSet(text, 64);
  psl.exceptions_ = core::ViewSet(text, 16);
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    // Rules end at the first whitespace; "//" starts a comment line.
    if (const auto ws = core::find_any(line, " \t\r"); ws != std::string_view::npos) line = line.substr(0, ws);
    if (line.empty() || line.starts_with("//")) continue;
    if (line.starts_with("!")) {
      psl.exceptions_.insert(line.substr(1));
    } else if (line.starts_with("*.")) {
      psl.wildcards_.insert(line.substr(2));
    } else {
      psl.rules_.insert(line);
    }
  }
  return psl;
}

Result<PublicSuffixList> PublicSuffixList::load(const std::string& path) {
  if (path.empty()) return builtin();
  if (const auto text = core::read_whole_file(path)) {
    PublicSuffixList p = parse(*text);
    if (p.rule_count() > 0) return p;
  }
  if (path == kDebianPath) return builtin();
  return fail(Errc::invalid_argument, 0, "lure.public_suffix_list: cannot read rules from '" + path + "'");
}

PublicSuffixList PublicSuffixList::builtin() {
  return parse("com\nnet\norg\nedu\ngov\nmil\nint\nio\nco\ninfo\nbiz\nuk\nco.uk\ngov.uk\nac.uk\n"
               "org.uk\nde\nfr\nit\nes\nnl\nru\ncn\njp\nco.jp\nau\ncom.au\nca\nin\nco.in\nbr\ncom.br\n");
}

std::string PublicSuffixList::registrable(std::string_view host) const {
  std::string h = core::ascii_lower(host);
  while (!h.empty() && h.back() == '.') h.pop_back();
  std::vector<std::string_view> labels;
  std::string_view rest = h;
  while (!rest.empty()) {
    const auto dot = rest.find('.');
    labels.push_back(rest.substr(0, dot));
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  if (labels.size() < 2) return h;
  // The public suffix is the longest matching rule (PSL algorithm, with the
  // implicit "*" rule meaning one label when nothing matches).
  std::size_t suffix_labels = 1;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::string_view tail = std::string_view(h).substr(
        static_cast<std::size_t>(labels[i].data() - h.data()));
    if (exceptions_.contains(tail)) {
      suffix_labels = labels.size() - i - 1;
      break;
    }
    if (rules_.contains(tail)) {
      suffix_labels = std::max(suffix_labels, labels.size() - i);
    }
    if (i + 1 < labels.size()) {
      const std::string_view parent = std::string_view(h).substr(
          static_cast<std::size_t>(labels[i + 1].data() - h.data()));
      if (wildcards_.contains(parent)) suffix_labels = std::max(suffix_labels, labels.size() - i);
    }
  }
  if (suffix_labels >= labels.size()) return h;
  const std::size_t first = labels.size() - suffix_labels - 1;
  return std::string(std::string_view(h).substr(static_cast<std::size_t>(labels[first].data() - h.data())));
}

std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t cap) {
  const std::size_t over = cap + 1;
  const std::size_t diff = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (diff > cap || a.size() > kMaxEditLength || b.size() > kMaxEditLength) return over;
  // Only cells within `cap` of the diagonal can stay within `cap` (a domain
  // label against every brand of every message: cap is 1): the band, on the
  // stack, with the row's minimum as an early stop. Cells outside it are `over`.
  // Every cell a row reads was written by the row before (or the first row),
  // so the rows need no clearing; they swap as pointers.
  std::array<std::size_t, kMaxEditLength + 2> row_a, row_b;
  std::size_t* prev = row_a.data();
  std::size_t* cur = row_b.data();
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = std::min(j, over);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    const std::size_t lo = i > cap ? i - cap : 1;
    const std::size_t hi = std::min(b.size(), i + cap);
    cur[lo - 1] = lo == 1 ? std::min(i, over) : over;
    std::size_t row_min = cur[lo - 1];
    for (std::size_t j = lo; j <= hi; ++j) {
      const std::size_t v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1] ? 1u : 0u)});
      cur[j] = std::min(v, over);
      row_min = std::min(row_min, cur[j]);
    }
    if (hi < b.size()) cur[hi + 1] = over;
    if (row_min > cap) return over;
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace sluice::analysis::lure
