#pragma once
// The shipped lists (data/brands.tsv, data/lures.tsv, compiled in) and
// whole-word phrase matching over mail text.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/phrase_matcher.hpp"

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

// Many phrase lists (one per brand, one per theme) searched in one pass over
// a text, ASCII letters of either case alike, phrases matched as whole words.
class PhraseLists {
 public:
  explicit PhraseLists(std::vector<std::vector<std::string>> lists);

  class Found {
   public:
    // The first phrase of lists[list], in list order, found as a whole
    // word; empty when none is.
    [[nodiscard]] std::string_view first(std::size_t list) const;

   private:
    friend class PhraseLists;
    const PhraseLists* lists_ = nullptr;
    std::vector<bool> whole_word_;  // per phrase of the flattened lists
  };
  [[nodiscard]] Found find(std::string_view text) const;
  // The pieces as one text with a line break between each two (a subject
  // and body parts), without joining them: no phrase spans two pieces.
  [[nodiscard]] Found find(std::span<const std::string_view> pieces) const;

 private:
  std::vector<std::string> phrases_;       // flattened, list by list
  std::vector<std::size_t> list_begin_;    // list → its first phrase; one past the end last
  core::PhraseMatcher matcher_;
};

}  // namespace sluice::analysis::lure
