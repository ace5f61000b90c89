#include "formats/mime/body_text.hpp"

#include <algorithm>

#include "codecs/text/charset.hpp"
#include "codecs/text/html.hpp"
#include "formats/mime/layout.hpp"
#include "codecs/text/urls.hpp"
#include "core/text.hpp"
#include "meta/ioc.hpp"
#include "meta/mime.hpp"

namespace sluice::formats::mime {

using codecs::text::UrlSet;
using codecs::text::find_urls;
using codecs::text::url_host;
using codecs::text::HtmlLink;
using codecs::text::HtmlText;
using codecs::text::Utf8Text;
using codecs::text::html_to_text;
using codecs::text::kUtf8Expansion;
using codecs::text::to_utf8;
using codecs::text::normalise_url;
using codecs::text::same_site;
namespace {

// Hidden text shorter than this is a preheader or a spacer, which benign
// newsletters use everywhere; text meant for filters runs longer.
constexpr std::uint64_t kHiddenTextMin = 60;

// Mail security gateways rewrite every link to pass through their checker
// and leave the anchor text alone: a mismatch by design, not by deceit.
constexpr std::string_view kLinkRewriters[] = {
    "urldefense.proofpoint.com", "urldefense.com", "safelinks.protection.outlook.com",
    "linkprotect.cudasvc.com", "mimecast.com", "secure-web.cisco.com", "clicktime.symantec.com"};

bool rewriter(std::string_view host) {
  for (std::string_view r : kLinkRewriters) {
    if (host == r || (host.size() > r.size() && host.ends_with(r) &&
                      (host[host.size() - r.size() - 1] == '.' || host[host.size() - r.size() - 1] == '-'))) {
      return true;
    }
  }
  return false;
}

// The site an anchor's visible text claims ("https://sba.gov", "www.sba.gov",
// "sba.gov/loans"), or "" when the text is not a URL lookalike.
std::string claimed_host(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n')) text.remove_prefix(1);
  UrlSet one(1);
  find_urls(text, one);
  if (!one.urls().empty()) {
    // Only when the URL is what the anchor says, not a word inside a sentence.
    const std::string host = url_host(one.urls().front());
    if (text.size() <= one.urls().front().size() + 16) return host;
    return {};
  }
  // A bare domain: one word with a dot and a letters-only last label.
  std::string_view word = text.substr(0, core::find_any(text, " \n/"));
  if (word.size() != text.size() && text.find(' ') != std::string_view::npos) return {};
  const std::size_t dot = word.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || word.size() - dot < 3) return {};
  for (std::size_t i = dot + 1; i < word.size(); ++i) {
    const char c = word[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return {};
  }
  for (char c : word) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.';
    if (!ok) return {};
  }
  return url_host("http://" + std::string(word));
}

void link_checks(core::UnpackContext& ctx, ArtifactId part, const Leaf& leaf, const HtmlText& h,
                 UrlSet& urls) {
  std::size_t mismatches = 0;
  std::string first;
  for (const HtmlLink& l : h.links) {
    const std::string url = normalise_url(l.url);
    if (url.empty()) continue;  // mailto:, cid:, relative paths
    urls.add(url);
    if (!l.anchor) continue;
    const std::string shown = claimed_host(l.text);
    const std::string real = url_host(url);
    if (shown.empty() || real.empty() || same_site(shown, real) || rewriter(real)) continue;
    if (++mismatches == 1) first = "a link shows '" + l.text.substr(0, 80) + "' but goes to " + real;
    // The host the reader is shown, for the lure detector to compare with the
    // brands' official domains (a fact; whether it impersonates is judged there).
    if (mismatches <= 16) ctx.meta_on(part, meta::html::link_shown_host, shown);
  }
  if (mismatches > 0) {
    ctx.anomaly_on(part, "html.link_text_mismatch", Severity::medium, leaf.offset,
                   first + (mismatches > 1 ? " (and " + std::to_string(mismatches - 1) + " more)" : ""));
  }
  if (h.hidden_chars >= kHiddenTextMin) {
    ctx.anomaly_on(part, "html.hidden_text", Severity::low, leaf.offset,
                   std::to_string(h.hidden_chars) +
                       " characters of text styled invisible (display:none, font-size:0 …): '" +
                       h.hidden_sample + "…'");
  }
}

}  // namespace

bool has_body_text(const Leaf& leaf) {
  return leaf.content_type == "text/plain" || leaf.content_type == "text/html";
}

void read_body_text(core::UnpackContext& ctx, ArtifactId part, const Leaf& leaf, ByteView content) {
  const auto allowance = ctx.budget().decode_allowance(content.size());
  const std::uint64_t natural = content.size() * kUtf8Expansion + 64;
  const std::uint64_t max_out = std::min(allowance.bytes, natural);
  Utf8Text u = to_utf8(leaf.charset, content.chars(), max_out);
  if (!u.known) {
    ctx.anomaly_on(part, "mime.unknown_charset", Severity::low, leaf.offset,
                   "unknown charset '" + leaf.charset.substr(0, 64) +
                       "': the text is read as UTF-8, undecodable bytes as U+FFFD");
  }
  if (u.capped && max_out < natural) {
    ctx.limit_hit(allowance.binding, "the text of part[" + leaf.path + "] was cut at " +
                                         std::to_string(u.text.size()) + " bytes");
  }
  const std::size_t max_urls = ctx.limits().max_children;
  UrlSet urls(max_urls);
  std::string text;
  if (leaf.content_type == "text/html") {
    HtmlText h = html_to_text(u.text, u.text.size(), max_urls);
    link_checks(ctx, part, leaf, h, urls);
    text = std::move(h.text);
  } else {
    text = std::move(u.text);
  }
  find_urls(text, urls);
  if (urls.limited()) {
    ctx.limit_hit(LimitKind::children, "more than " + std::to_string(max_urls) +
                                           " URLs in part[" + leaf.path + "]");
  }
  for (const std::string& url : urls.urls()) ctx.meta_on(part, meta::ioc::url, url);
  // Plain UTF-8 text is its own readable text: no second copy.
  if (text == content.chars()) return;
  ctx.budget().charge_decoded(text.size());
  ctx.text_on(part, std::vector<std::uint8_t>(text.begin(), text.end()));
}

}  // namespace sluice::formats::mime
