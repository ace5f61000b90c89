#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "core/text.hpp"
#include "report/iocs.hpp"
#include "sluice/report.hpp"

namespace sluice::report {
namespace {

constexpr std::size_t kMaxTreeLines = 200;

std::string human_size(std::uint64_t n) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, kUnits[u]);
  return buf;
}

std::string upper(std::string_view s) {
  std::string o(s);
  for (char& c : o) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return o;
}

// Terminal output of hostile names: control characters (including ESC, which
// could rewrite the analyst's screen) are shown escaped.
std::string printable(std::string_view s) {
  std::string o;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    // Bidi controls (U+200E/F, U+202A-E, U+2066-9) would reorder the line the
    // analyst reads, which is the attack: show them as code points.
    if (c == 0xE2 && i + 2 < s.size()) {
      const auto b1 = static_cast<unsigned char>(s[i + 1]), b2 = static_cast<unsigned char>(s[i + 2]);
      const bool bidi = (b1 == 0x80 && ((b2 >= 0x8E && b2 <= 0x8F) || (b2 >= 0xAA && b2 <= 0xAE))) ||
                        (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9);
      if (bidi) {
        char buf[12];
        std::snprintf(buf, sizeof buf, "<U+%04X>", ((c & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu));
        o += buf;
        i += 2;
        continue;
      }
    }
    if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      o += buf;
    } else {
      o.push_back(static_cast<char>(c));
    }
  }
  return o;
}

const char* verdict_color(Verdict v) {
  switch (v) {
    case Verdict::clean: return "\x1b[32m";
    case Verdict::suspicious: return "\x1b[33m";
    case Verdict::malicious: return "\x1b[1;31m";
    case Verdict::error: return "\x1b[35m";
  }
  return "";
}

void tree_lines(const ScanResult& r, std::string& out) {
  // (id, prefix, is_last) on an explicit stack: no recursion on hostile depth.
  std::vector<std::tuple<ArtifactId, std::string, bool>> stack{{0, "", true}};
  std::size_t lines = 0;
  while (!stack.empty()) {
    auto [id, prefix, last] = std::move(stack.back());
    stack.pop_back();
    if (++lines > kMaxTreeLines) {
      out += "  … " + std::to_string(r.tree.size() - kMaxTreeLines) + " more artifacts (see --format json)\n";
      break;
    }
    const Artifact& a = r.tree[id];
    out += "  " + prefix;
    if (id != 0) out += last ? "└─ " : "├─ ";
    out += printable(r.tree.segment(id)) + "  " + std::string(to_string(a.type)) + "  " +
           human_size(a.bytes.size());
    if (is_executable(a.type)) out += "  sha256 " + to_hex(a.hashes.sha256);
    if (a.truncated) out += "  (truncated)";
    if (a.duplicate_of) out += "  (same as #" + std::to_string(*a.duplicate_of) + ")";
    out += '\n';
    const std::string child_prefix = id == 0 ? "" : prefix + (last ? "   " : "│  ");
    for (std::size_t i = a.children.size(); i-- > 0;) {
      stack.emplace_back(a.children[i], child_prefix, i + 1 == a.children.size());
    }
  }
}

// Entries of each IOC kind shown in text; JSON has them all.
constexpr std::size_t kIocsShown = 3;

std::string count_of(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// One summary line, then the first entries of each kind: what an analyst copies
// into a blocklist first. Nothing when the message carried no indicators.
void ioc_lines(const ScanResult& r, std::string& out) {
  const Iocs i = collect_iocs(r.tree);
  if (i.urls.empty() && i.domains.empty() && i.ips.empty() && i.c2.empty() && i.hashes.empty()) return;
  out += "  iocs: " + count_of(i.urls.size(), "url", "urls") + ", " +
         count_of(i.domains.size(), "domain", "domains") + ", " + count_of(i.ips.size(), "ip", "ips") +
         ", " + count_of(i.c2.size(), "c2", "c2") + ", " +
         count_of(i.hashes.size(), "executable", "executables");
  if (!i.truncated.empty()) out += " (some lists cut; see --format json)";
  out += '\n';
  const auto list = [&out](std::string_view label, const std::vector<std::string>& values) {
    for (std::size_t k = 0; k < values.size() && k < kIocsShown; ++k) {
      out += "    " + std::string(label) + "  " + printable(values[k]) + "\n";
    }
    if (values.size() > kIocsShown) {
      out += "    " + std::string(label) + "  … " + std::to_string(values.size() - kIocsShown) + " more\n";
    }
  };
  list("c2     ", i.c2);
  list("url    ", i.urls);
  list("domain ", i.domains);
  list("ip     ", i.ips);
  for (std::size_t k = 0; k < i.hashes.size() && k < kIocsShown; ++k) {
    out += "    sha256   " + i.hashes[k].sha256 + "  " + i.hashes[k].type + "  " +
           printable(i.hashes[k].path) + "\n";
  }
  if (i.hashes.size() > kIocsShown) {
    out += "    sha256   … " + std::to_string(i.hashes.size() - kIocsShown) + " more\n";
  }
}

}  // namespace

std::string to_text(const ScanResult& r, const TextOptions& o) {
  std::string out = printable(r.input) + ": ";
  if (o.color) out += verdict_color(r.verdict);
  out += upper(to_string(r.verdict));
  if (o.color) out += "\x1b[0m";
  char score[32];
  std::snprintf(score, sizeof score, "  score %.0f", r.score);
  out += score;
  if (r.error) out += "  (" + printable(r.error->what) + ")";
  out += '\n';
  if (r.tree.empty()) return out;
  ioc_lines(r, out);
  tree_lines(r, out);
  if (!r.findings.empty()) {
    out += "  findings:\n";
    std::size_t shown = 0;
    for (const Finding& f : r.findings) {
      if (shown++ == o.max_findings) {
        out += "    … " + std::to_string(r.findings.size() - o.max_findings) + " more\n";
        break;
      }
      char w[16];
      std::snprintf(w, sizeof w, "%3.0f", f.score);
      out += "    " + std::string(w) + "  " + std::string(to_string(f.severity)) + "  " + f.id +
             "  " + printable(r.tree.evidence_path(f.artifact)) + "\n         " +
             printable(f.message) + "\n";
    }
  }
  for (const LimitHit& h : r.tree.limits_hit) {
    out += "  limit hit: " + std::string(to_string(h.kind)) + " = " + std::to_string(h.limit) +
           " (" + printable(h.detail) + ")\n";
  }
  return out;
}

}  // namespace sluice::report
