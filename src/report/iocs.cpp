// IOC collection. Sender addresses are deliberately not here: the From and
// Reply-To domains are the lure detector's evidence (sender.*), often a
// legitimate but spoofed organisation, and listing them as indicators would
// invite blocking the impersonated victim rather than the attacker.
#include "report/iocs.hpp"

#include <arpa/inet.h>

#include <set>
#include <variant>

#include "core/text.hpp"
#include "meta/ioc.hpp"

namespace sluice::report {
namespace {

// Hostile text can be long; an indicator longer than this is not one a person
// or a blocklist can use, and the full value stays in the artifact's meta.
constexpr std::size_t kMaxIocBytes = 2048;

class Bucket {
 public:
  Bucket(std::string kind, std::size_t max) : kind_(std::move(kind)), max_(max) {}
  void add(std::string v, std::vector<std::string>& truncated) {
    if (v.empty() || values_.contains(v)) return;
    if (values_.size() >= max_) {
      if (!cut_) truncated.push_back(kind_);
      cut_ = true;
      return;
    }
    values_.insert(std::move(v));
  }
  // The values in order, moved out of the set (a ham message's report lists
  // dozens of URLs; each was copied twice before).
  [[nodiscard]] std::vector<std::string> take_sorted() {
    std::vector<std::string> out;
    out.reserve(values_.size());
    while (!values_.empty()) out.push_back(std::move(values_.extract(values_.begin()).value()));
    return out;
  }

 private:
  std::string kind_;
  std::size_t max_;
  std::set<std::string> values_;
  bool cut_ = false;
};

std::string clean(std::string_view raw) {
  std::size_t b = 0, e = raw.size();
  while (b < e && (raw[b] == ' ' || raw[b] == '\t' || raw[b] == '\r' || raw[b] == '\n')) ++b;
  while (e > b && (raw[e - 1] == ' ' || raw[e - 1] == '\t' || raw[e - 1] == '\r' || raw[e - 1] == '\n')) --e;
  return core::truncate_utf8(core::to_valid_utf8(raw.substr(b, e - b)), kMaxIocBytes);
}

std::string lower_host(std::string_view h) {
  std::string out = core::ascii_lower(h);
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

}  // namespace

bool is_ip_literal(std::string_view host) {
  if (host.empty() || host.size() > 64) return false;
  // IPv4 is digits and dots only, IPv6 always has a colon: a host name (the
  // usual case) is answered without a copy and two inet_pton calls.
  if (host.find(':') == std::string_view::npos &&
      host.find_first_not_of("0123456789.") != std::string_view::npos) {
    return false;
  }
  const std::string s(host);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

std::string url_host(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return {};
  std::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, core::find_any(rest, "/?#\\"));
  if (const std::size_t at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return {};
    return lower_host(rest.substr(1, close - 1));
  }
  rest = rest.substr(0, rest.find(':'));
  for (const char c : rest) {
    // Whitespace, quotes or angle brackets mean the "URL" ran into prose.
    if (static_cast<unsigned char>(c) <= 0x20 || c == '"' || c == '<' || c == '>') return {};
  }
  return lower_host(rest);
}

Iocs collect_iocs(const ArtifactTree& tree, std::size_t max_per_kind) {
  Iocs out;
  Bucket urls("urls", max_per_kind), domains("domains", max_per_kind), ips("ips", max_per_kind),
      c2("c2", max_per_kind);
  bool hashes_cut = false;
  for (const Artifact& a : tree) {
    for (const Meta& m : a.meta) {
      const auto* text = std::get_if<std::string>(&m.value);
      if (text == nullptr || !m.key.starts_with(meta::kIocPrefix)) continue;
      std::string v = clean(*text);
      if (m.key == meta::ioc::url) {
        const std::string host = url_host(v);
        if (is_ip_literal(host)) {
          ips.add(host, out.truncated);
        } else {
          domains.add(host, out.truncated);
        }
        urls.add(std::move(v), out.truncated);
      } else if (m.key == meta::ioc::domain) {
        domains.add(lower_host(v), out.truncated);
      } else if (m.key == meta::ioc::ip) {
        ips.add(core::ascii_lower(v), out.truncated);
      } else if (m.key == meta::ioc::c2) {
        c2.add(std::move(v), out.truncated);
      }
    }
    // Executables only, once per content: the duplicate's hashes are its first copy's.
    if (!is_executable(a.type) || a.duplicate_of || !a.hashed) continue;
    if (out.hashes.size() >= max_per_kind) {
      if (!hashes_cut) out.truncated.emplace_back("hashes");
      hashes_cut = true;
      continue;
    }
    out.hashes.push_back({to_hex(a.hashes.sha256), to_hex(a.hashes.md5), to_hex(a.hashes.sha1),
                          std::string(to_string(a.type)), tree.evidence_path(a.id)});
  }
  out.urls = urls.take_sorted();
  out.domains = domains.take_sorted();
  out.ips = ips.take_sorted();
  out.c2 = c2.take_sorted();
  return out;
}

}  // namespace sluice::report
