#pragma once
// URLs in mail text: http, https and ftp URLs and bare "www." hosts, found by
// a linear scan (no regex engine, no backtracking on hostile text), trimmed of
// the punctuation prose puts around them and normalised so that the same
// link written twice is one IOC.
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace sluice::codecs::text {

// "HTTP://WWW.Example.COM./a?b" → "http://www.example.com/a?b"; "www.x.org/p"
// → "http://www.x.org/p". "" when `raw` is not an http(s)/ftp URL with a host.
[[nodiscard]] std::string normalise_url(std::string_view raw);

// The lower-case host of a normalised URL ("" when none).
[[nodiscard]] std::string url_host(std::string_view url);

// Distinct URLs in order of first appearance, at most `max` of them.
class UrlSet {
 public:
  explicit UrlSet(std::size_t max) : max_(max) {}
  // Adds a normalised URL; false (and `limited`) once `max` are held.
  bool add(std::string url);
  [[nodiscard]] const std::vector<std::string>& urls() const noexcept { return urls_; }
  [[nodiscard]] bool limited() const noexcept { return limited_; }

 private:
  std::size_t max_;
  std::vector<std::string> urls_;
  std::unordered_set<std::string> seen_;
  bool limited_ = false;
};

// Adds the URLs of `text` (normalised) to `out`; false once `out` is full.
bool find_urls(std::string_view text, UrlSet& out);

// True when `a` and `b` are the same site: equal hosts, or one a subdomain of
// the other ("click.example.com" and "www.example.com" share "example.com"
// only if one is a suffix of the other after "www." is dropped).
[[nodiscard]] bool same_site(std::string_view a, std::string_view b);

}  // namespace sluice::codecs::text
