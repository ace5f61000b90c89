#pragma once
// Registrable domains ("example.co.uk" for "mail.example.co.uk") through the
// Public Suffix List, and the distance measures used to spot look-alikes.
#include <memory>
#include <string>
#include <string_view>

#include "core/view_set.hpp"
#include "sluice/result.hpp"

namespace sluice::analysis::lure {

class PublicSuffixList {
 public:
  // The list at `path` (LureConfig::public_suffix_list). "" is the built-in
  // list of common suffixes; so is kDebianPath when that file is absent (a
  // machine without the publicsuffix package still separates the common
  // ones). Any other path that cannot be read, or holds no rule, is an error.
  static Result<PublicSuffixList> load(const std::string& path);
  static PublicSuffixList builtin();
  static PublicSuffixList parse(std::string_view text);
  static constexpr std::string_view kDebianPath = "/usr/share/publicsuffix/public_suffix_list.dat";

  [[nodiscard]] std::string registrable(std::string_view host) const;
  [[nodiscard]] std::size_t rule_count() const noexcept { return rules_.size() + wildcards_.size(); }

 private:
  // The rules are views into the list's own lower-cased text, shared by
  // copies: one allocation for 9,000 rules instead of one each (a fifth of a
  // one-file scan's engine start, docs/adr/0030), and look-ups by view.
  std::shared_ptr<const std::string> text_;
  core::ViewSet rules_, wildcards_, exceptions_;
};

// Levenshtein distance when it is at most `cap`, else cap + 1 (also for
// labels longer than kMaxEditLength, which no brand has).
inline constexpr std::size_t kMaxEditLength = 256;
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t cap);

}  // namespace sluice::analysis::lure
