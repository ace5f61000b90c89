#pragma once
// HTML mail bodies reduced to the text a reader sees, plus the links behind it.
// A single forward pass over the bytes (a tokenizer, no DOM, no recursion):
// comments, <script> and <style> are dropped, entities decoded, block tags
// become line breaks. Hostile HTML (unclosed comments, endless attributes,
// nesting a million deep) costs one pass and bounded memory.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::codecs::text {

// A URL an attribute points to (href, src, action, background …). For <a>
// links, `text` is the anchor's visible text (cut at kMaxAnchorText bytes).
struct HtmlLink {
  std::string url;
  std::string attribute;  // lower-case attribute name
  std::string text;       // anchor text, <a href> only
  std::uint64_t offset = 0;
  bool anchor = false;
};

struct HtmlText {
  std::string text;                // UTF-8 (the input must be UTF-8 already)
  std::vector<HtmlLink> links;     // in document order, at most `max_links`
  std::uint64_t hidden_chars = 0;  // non-space characters inside hidden elements
  std::string hidden_sample;       // the first hidden text, cut short
  bool links_limited = false;
  bool capped = false;             // text stopped at `max_text`
};

// Anchor text longer than this is no URL lookalike: the comparison only needs
// the start of it. A grammar bound, not a resource limit.
inline constexpr std::size_t kMaxAnchorText = 256;

[[nodiscard]] HtmlText html_to_text(std::string_view html, std::size_t max_text,
                                    std::size_t max_links);

// The same pass's links alone (no anchor text): the same list html_to_text
// gives, for readers that want no text, at the cost of reading the tags.
struct HtmlLinks {
  std::vector<HtmlLink> links;
  bool limited = false;
};
[[nodiscard]] HtmlLinks html_links(std::string_view html, std::size_t max_links);

// One tag of the tokenizer above, for other readers of markup (the html
// format reads scripts and attributes with it). `pos` is at '<' followed by a
// letter or '/'; attribute values have their entities decoded. `tag` is
// overwritten, its storage reused: readers keep one across a page's tags.
struct HtmlAttribute {
  std::string name;  // lower-case
  std::string value;
};
struct HtmlTag {
  std::string name;  // lower-case, without '/'
  bool closing = false;
  bool self_closing = false;
  std::vector<HtmlAttribute> attributes;
  std::size_t end = 0;  // past '>'
  bool closed = false;  // a '>' ended it (browsers drop a tag cut off by the end)
};
void read_html_tag(std::string_view html, std::size_t pos, HtmlTag& tag);
// At a "<!" or "<?" (comment, conditional comment, doctype, processing
// instruction): the position past its end, or html.size() when it never ends.
[[nodiscard]] std::size_t skip_html_declaration(std::string_view html, std::size_t pos);
// Case-insensitive search for `needle` (lower-case ASCII) from `from`.
[[nodiscard]] std::size_t find_ascii_ci(std::string_view hay, std::string_view needle, std::size_t from);

// HTML character references ("&amp;", "&#x41;", "&#65;"), decoded into `out`.
// Returns how many input bytes the reference used, 0 when `s` (which starts at
// '&') holds none: the '&' is then literal text, as browsers read it.
std::size_t decode_entity(std::string_view s, std::string& out);

}  // namespace sluice::codecs::text
