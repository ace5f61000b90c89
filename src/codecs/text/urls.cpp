#include "codecs/text/urls.hpp"

#include <algorithm>
#include <array>

#include "core/text.hpp"

namespace sluice::codecs::text {
namespace {

constexpr std::string_view kSchemes[] = {"http://", "https://", "ftp://"};

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Characters a URL in prose runs over. Bytes >= 0x80 are kept: IDN hosts and
// UTF-8 paths are written raw in mail.
bool url_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u == 0x7F) return false;
  return c != '<' && c != '>' && c != '"' && c != '\'' && c != '`' && c != '{' && c != '}' &&
         c != '|' && c != '\\' && c != '^';
}

// Prose punctuation after a URL ("see http://x.com/a." or "(http://x.com)").
bool trailing_punct(char c) {
  return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == ')' ||
         c == ']' || c == '*';
}

bool host_char(char c) {
  return is_alnum(c) || c == '-' || c == '.' || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

}  // namespace

std::string normalise_url(std::string_view raw) {
  std::string_view scheme;
  std::string_view rest;
  for (std::string_view s : kSchemes) {
    if (core::ascii_lower_starts(raw, s)) {
      scheme = s;
      rest = raw.substr(s.size());
      break;
    }
  }
  if (scheme.empty()) {
    if (!core::ascii_lower_starts(raw, "www.")) return {};
    scheme = "http://";
    rest = raw;
  }
  // authority = [userinfo@]host[:port]; userinfo is where "https://sba.gov@evil"
  // hides the real host, so the host is what follows the last '@'.
  std::size_t auth_end = 0;
  while (auth_end < rest.size() && rest[auth_end] != '/' && rest[auth_end] != '?' &&
         rest[auth_end] != '#') {
    ++auth_end;
  }
  const std::string_view authority = rest.substr(0, auth_end);
  const std::size_t at = authority.rfind('@');
  const std::string_view userinfo = at == std::string_view::npos ? std::string_view{} : authority.substr(0, at + 1);
  std::string_view hostport = at == std::string_view::npos ? authority : authority.substr(at + 1);
  std::string_view port;
  std::string_view host = hostport;
  if (!hostport.empty() && hostport.front() == '[') {  // IPv6 literal
    const std::size_t close = hostport.find(']');
    if (close == std::string_view::npos) return {};
    host = hostport.substr(0, close + 1);
    port = hostport.substr(close + 1);
  } else if (const std::size_t colon = hostport.find(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon);
  }
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty()) return {};
  if (host.front() != '[') {
    for (char c : host) {
      if (!host_char(c)) return {};
    }
    if (host.find('.') == std::string_view::npos && host != "localhost") return {};
  }
  const std::string_view path = rest.substr(auth_end);
  std::string out;
  out.reserve(scheme.size() + userinfo.size() + host.size() + port.size() + path.size());
  out += scheme;
  out += userinfo;
  for (char c : host) out.push_back(core::ascii_lower(c));
  out += port;
  out += path;
  core::make_valid_utf8(out);
  return out;
}

std::string url_host(std::string_view url) {
  const std::size_t sep = url.find("://");
  if (sep == std::string_view::npos) return {};
  std::string_view rest = url.substr(sep + 3);
  std::size_t end = 0;
  while (end < rest.size() && rest[end] != '/' && rest[end] != '?' && rest[end] != '#') ++end;
  std::string_view auth = rest.substr(0, end);
  if (const std::size_t at = auth.rfind('@'); at != std::string_view::npos) auth.remove_prefix(at + 1);
  if (!auth.empty() && auth.front() == '[') {
    const std::size_t close = auth.find(']');
    return core::ascii_lower(auth.substr(0, close == std::string_view::npos ? auth.size() : close + 1));
  }
  if (const std::size_t colon = auth.find(':'); colon != std::string_view::npos) auth = auth.substr(0, colon);
  while (!auth.empty() && auth.back() == '.') auth.remove_suffix(1);
  return core::ascii_lower(auth);
}

bool UrlSet::add(std::string url) {
  if (seen_.contains(url)) return true;
  if (urls_.size() >= max_) {
    limited_ = true;
    return false;
  }
  seen_.insert(url);
  urls_.push_back(std::move(url));
  return true;
}

namespace {

// A URL starts at a word boundary: "xhttp://" and "awww.b" are not URLs.
bool at_boundary(std::string_view text, std::size_t p) {
  return p == 0 || !(is_alnum(text[p - 1]) || text[p - 1] == '.' || text[p - 1] == '-');
}

// Every URL start has an anchor that string_view::find of one character (a
// vectorised memchr) finds: the ':' of its "://" or the '.' of "www.". Prose
// is mostly bytes that are neither, so the scan jumps from anchor to anchor
// instead of testing each letter that could begin "http", "ftp" or "www" (a
// tenth of English text).
class StartFinder {
 public:
  explicit StartFinder(std::string_view text) : text_(text), scheme_(next_scheme(0)), www_(next_www(0)) {}

  // The first URL start at or after `from`; npos when none is left. The last
  // answers stay the first at or after a later `from` unless they lie before it.
  std::size_t next(std::size_t from) {
    if (scheme_ < from) scheme_ = next_scheme(from);
    if (www_ < from) www_ = next_www(from);
    return std::min(scheme_, www_);
  }

 private:
  static constexpr std::size_t npos = std::string_view::npos;

  // "http://", "https://" or "ftp://" at a boundary, starting at or after
  // `from`: its ':' is 3 to 5 bytes in.
  std::size_t next_scheme(std::size_t from) const {
    for (std::size_t q = text_.find(':', from + 3); q != npos; q = text_.find(':', q + 1)) {
      if (text_.substr(q, 3) != "://") continue;
      for (const std::string_view scheme : kSchemes) {
        const std::size_t letters = scheme.size() - 3;  // before its "://"
        if (letters > q || q - letters < from) continue;
        const std::size_t p = q - letters;
        if (core::ascii_lower_starts(text_.substr(p), scheme) && at_boundary(text_, p)) return p;
      }
    }
    return npos;
  }

  // "www." at a boundary, starting at or after `from`.
  std::size_t next_www(std::size_t from) const {
    for (std::size_t d = text_.find('.', from + 3); d != npos; d = text_.find('.', d + 1)) {
      const std::size_t p = d - 3;
      if (core::ascii_lower_starts(text_.substr(p), "www.") && at_boundary(text_, p)) return p;
    }
    return npos;
  }

  std::string_view text_;
  std::size_t scheme_;
  std::size_t www_;
};

}  // namespace

bool find_urls(std::string_view text, UrlSet& out) {
  StartFinder starts(text);
  for (std::size_t i = starts.next(0); i != std::string_view::npos; i = starts.next(i)) {
    std::size_t end = i;
    while (end < text.size() && url_char(text[end])) ++end;
    std::string_view raw = text.substr(i, end - i);
    // Trailing punctuation belongs to the prose, except a ')' that closes a
    // '(' inside the URL (Wikipedia-style paths).
    const auto opens = std::count(raw.begin(), raw.end(), '(');
    auto closes = std::count(raw.begin(), raw.end(), ')');
    while (!raw.empty() && trailing_punct(raw.back())) {
      if (raw.back() == ')') {
        if (closes <= opens) break;
        --closes;
      }
      raw.remove_suffix(1);
    }
    // A start holds at least "www." or "ftp://", so `end` is past it.
    i = end;
    std::string url = normalise_url(raw);
    if (url.empty()) continue;
    if (!out.add(std::move(url))) return false;
  }
  return true;
}

bool same_site(std::string_view a, std::string_view b) {
  auto strip = [](std::string_view h) {
    if (h.starts_with("www.")) h.remove_prefix(4);
    return h;
  };
  a = strip(a);
  b = strip(b);
  if (a == b) return true;
  auto sub = [](std::string_view child, std::string_view parent) {
    return child.size() > parent.size() && child.ends_with(parent) &&
           child[child.size() - parent.size() - 1] == '.';
  };
  return sub(a, b) || sub(b, a);
}

}  // namespace sluice::codecs::text
