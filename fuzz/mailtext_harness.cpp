// fuzz_mailtext: bytes straight into the mail-text readers (charset → UTF-8,
// HTML → text, URL finder), without a message around them, so mutations reach
// the tokenizer and the URL scanner at once. The first byte picks the charset
// label, so stateful and multi-byte decoders (ISO-2022-JP, GB18030) are hit.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/text.hpp"
#include "codecs/text/charset.hpp"
#include "codecs/text/html.hpp"
#include "codecs/text/urls.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace text = sluice::codecs::text;
  constexpr std::string_view kLabels[] = {"utf-8",       "windows-1252", "koi8-r",
                                          "gb2312",      "shift_jis",    "iso-2022-jp",
                                          "ks_c_5601-1987", "utf-7",     "x-unknown"};
  if (size == 0) return 0;
  const std::string_view label = kLabels[data[0] % std::size(kLabels)];
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::uint64_t cap = bytes.size() * 4 + 64;
  const text::Utf8Text u = text::to_utf8(label, bytes, cap);
  if (u.text.size() > cap || sluice::core::to_valid_utf8(u.text) != u.text) std::abort();

  const text::HtmlText h = text::html_to_text(u.text, u.text.size(), 64);
  if (h.text.size() > u.text.size() || h.links.size() > 64) std::abort();
  if (sluice::core::to_valid_utf8(h.text) != h.text) std::abort();
  // The links-only pass (the html format's) finds exactly the same links.
  const text::HtmlLinks bare = text::html_links(u.text, 64);
  if (bare.links.size() != h.links.size() || bare.limited != h.links_limited) std::abort();
  for (std::size_t i = 0; i < h.links.size(); ++i) {
    if (bare.links[i].url != h.links[i].url || bare.links[i].offset != h.links[i].offset ||
        bare.links[i].anchor != h.links[i].anchor || bare.links[i].attribute != h.links[i].attribute) {
      std::abort();
    }
  }

  text::UrlSet urls(64);
  text::find_urls(h.text, urls);
  text::find_urls(u.text, urls);
  for (const auto& l : h.links) {
    if (std::string url = text::normalise_url(l.url); !url.empty()) urls.add(std::move(url));
  }
  if (urls.urls().size() > 64) std::abort();
  for (const auto& url : urls.urls()) {
    if (text::url_host(url).empty()) std::abort();  // a normalised URL always has a host
  }
  return 0;
}
