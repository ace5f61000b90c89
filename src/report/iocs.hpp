#pragma once
// Indicators of compromise gathered from a finished scan: what an analyst
// pastes into a blocklist or a threat-intel lookup. Collected from the tree
// (the unpackers' and detectors' `ioc.*` meta, plus the hashes of executables),
// so every consumer of a ScanResult — JSON, text, the milter — gets the same
// list from one function.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/artifact.hpp"

namespace sluice::report {

struct HashIoc {
  std::string sha256, md5, sha1;
  std::string type;  // sniffed type, e.g. "pe-exe"
  std::string path;  // evidence path of the first copy
};

struct Iocs {
  std::vector<std::string> urls, domains, ips, c2;  // each deduplicated and sorted
  std::vector<HashIoc> hashes;                       // tree order, one per content
  // Kinds ("urls", "hashes" …) cut at the per-kind bound: a message may carry
  // thousands of links, a report stays readable.
  std::vector<std::string> truncated;
};

inline constexpr std::size_t kMaxIocsPerKind = 1000;

// Pure; reads meta `ioc.url`, `ioc.domain`, `ioc.ip`, `ioc.c2` on any artifact
// and the type of every artifact. Domains and IPs also come from URL hosts.
[[nodiscard]] Iocs collect_iocs(const ArtifactTree& tree, std::size_t max_per_kind = kMaxIocsPerKind);

// The host of an absolute URL ("scheme://[user@]host[:port]/..."), lower-cased,
// brackets of an IPv6 literal removed, a trailing dot dropped; empty when the
// text has no authority part. IDNA names are kept as written (no punycode).
[[nodiscard]] std::string url_host(std::string_view url);
[[nodiscard]] bool is_ip_literal(std::string_view host);

}  // namespace sluice::report
