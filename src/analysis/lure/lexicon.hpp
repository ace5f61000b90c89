#pragma once
// The shipped lists (data/brands.tsv, data/lures.tsv, compiled in) and
// whole-word phrase matching over mail text.
#include <string>
#include <string_view>
#include <vector>

namespace sluice::analysis::lure {

struct Brand {
  std::string name;
  std::vector<std::string> phrases;  // lower-case
  std::vector<std::string> domains;  // registrable, lower-case
  std::vector<std::string> software;  // words its programs' VERSIONINFO carries, lower-case
};
struct Theme {
  std::string name;
  std::vector<std::string> phrases;
};

[[nodiscard]] std::vector<Brand> parse_brands(std::string_view tsv);
[[nodiscard]] std::vector<Theme> parse_themes(std::string_view tsv);
[[nodiscard]] std::vector<Brand> builtin_brands();
[[nodiscard]] std::vector<Theme> builtin_themes();

// First phrase of `phrases` found in `lower_text` as a whole word, or empty.
[[nodiscard]] std::string_view find_phrase(std::string_view lower_text,
                                           const std::vector<std::string>& phrases);

}  // namespace sluice::analysis::lure
