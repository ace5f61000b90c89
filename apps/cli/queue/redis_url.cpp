#include "redis_url.hpp"

#include <charconv>

namespace sluice::queue {
namespace {

// The URL may carry a password: the message names the problem, never the URL.
std::unexpected<Error> bad(std::string_view /*url*/, std::string_view why) {
  return fail(Errc::invalid_argument, 0, "redis URL: " + std::string(why));
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Userinfo and query values are percent-encoded when they hold '@', ':' or '/'.
Result<std::string> decode(std::string_view url, std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return bad(url, "a % escape is cut short");
    const int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
    if (hi < 0 || lo < 0) return bad(url, "a % escape is not two hex digits");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

Result<int> number(std::string_view url, std::string_view s, int lo, int hi, std::string_view what) {
  int v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size() || v < lo || v > hi) {
    return bad(url, std::string(what) + " must be a number from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return v;
}

Status userinfo(std::string_view url, std::string_view info, RedisEndpoint& ep) {
  const std::size_t colon = info.find(':');
  auto user = decode(url, info.substr(0, colon));
  if (!user) return std::unexpected(user.error());
  ep.user = std::move(*user);
  if (colon != std::string_view::npos) {
    auto pw = decode(url, info.substr(colon + 1));
    if (!pw) return std::unexpected(pw.error());
    ep.password = std::move(*pw);
  } else if (!ep.user.empty()) {
    // redis://secret@host is how many clients spell a password without a user.
    ep.password = std::move(ep.user);
    ep.user.clear();
  }
  return {};
}

Status query(std::string_view url, std::string_view q, RedisEndpoint& ep) {
  while (!q.empty()) {
    const std::size_t amp = q.find('&');
    const std::string_view kv = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    const std::size_t eq = kv.find('=');
    if (eq == std::string_view::npos) return bad(url, "query parameters look like db=1");
    const std::string_view k = kv.substr(0, eq);
    auto v = decode(url, kv.substr(eq + 1));
    if (!v) return std::unexpected(v.error());
    if (k == "db") {
      auto n = number(url, *v, 0, 65535, "db");
      if (!n) return std::unexpected(n.error());
      ep.db = *n;
    } else if (k == "password") {
      ep.password = std::move(*v);
    } else if (k == "user") {
      ep.user = std::move(*v);
    } else {
      return bad(url, "unknown query parameter '" + std::string(k) + "'");
    }
  }
  return {};
}

}  // namespace

std::string RedisEndpoint::describe() const {
  if (!unix_path.empty()) return "unix:" + unix_path;
  const bool v6 = host.find(':') != std::string::npos;
  return std::string(tls ? "rediss://" : "") + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<RedisEndpoint> parse_redis_url(std::string_view url) {
  RedisEndpoint ep;
  std::string_view rest;
  if (url.starts_with("redis://")) {
    rest = url.substr(8);
  } else if (url.starts_with("rediss://")) {
    rest = url.substr(9);
    ep.tls = true;
    ep.port = 6379;
  } else if (url.starts_with("unix://")) {
    rest = url.substr(7);
    const std::size_t q = rest.find('?');
    const std::string_view path = rest.substr(0, q);
    if (path.empty() || path.front() != '/') return bad(url, "unix:// needs an absolute socket path");
    ep.unix_path = std::string(path);
    if (q != std::string_view::npos) {
      if (auto s = query(url, rest.substr(q + 1), ep); !s) return std::unexpected(s.error());
    }
    return ep;
  } else {
    return bad(url, "must start with redis://, rediss:// or unix://");
  }
  const std::size_t q = rest.find('?');
  std::string_view params = q == std::string_view::npos ? std::string_view{} : rest.substr(q + 1);
  rest = rest.substr(0, q);
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos && slash + 1 < rest.size()) {
    auto n = number(url, rest.substr(slash + 1), 0, 65535, "the database number");
    if (!n) return std::unexpected(n.error());
    ep.db = *n;
  }
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    if (auto s = userinfo(url, authority.substr(0, at), ep); !s) return std::unexpected(s.error());
    authority = authority.substr(at + 1);
  }
  std::string_view port;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad(url, "an IPv6 host needs its closing ]");
    ep.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad(url, "expected :port after the IPv6 host");
      port = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    ep.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (ep.host.empty()) return bad(url, "no host");
  if (!port.empty()) {
    auto n = number(url, port, 1, 65535, "the port");
    if (!n) return std::unexpected(n.error());
    ep.port = *n;
  }
  if (!params.empty()) {
    if (auto s = query(url, params, ep); !s) return std::unexpected(s.error());
  }
  return ep;
}

}  // namespace sluice::queue
