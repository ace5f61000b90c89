#pragma once
// Registrable domains ("example.co.uk" for "mail.example.co.uk") through the
// Public Suffix List, and the distance measures used to spot look-alikes.
#include <string>
#include <string_view>
#include <unordered_set>

namespace sluice::analysis::lure {

class PublicSuffixList {
 public:
  // Debian's publicsuffix package; a built-in fallback of common suffixes is
  // used when the file is absent, so the detector never silently stops.
  static PublicSuffixList load(const std::string& path = "/usr/share/publicsuffix/public_suffix_list.dat");
  static PublicSuffixList parse(std::string_view text);

  [[nodiscard]] std::string registrable(std::string_view host) const;
  [[nodiscard]] std::size_t rule_count() const noexcept { return rules_.size() + wildcards_.size(); }

 private:
  std::unordered_set<std::string> rules_, wildcards_, exceptions_;
};

// The address inside "Display Name" <user@host>, and the display name.
struct Address {
  std::string display;
  std::string domain;  // lower-case host part, no trailing dot
};
[[nodiscard]] Address parse_address(std::string_view header);

[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t cap);

}  // namespace sluice::analysis::lure
