#include "decision.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

namespace sluice::milter {

namespace {

std::string score_text(double score) { return std::to_string(std::llround(score)); }

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

}  // namespace

Decision decide(const MilterSettings& m, const ScanOutcome& outcome, std::string scan_id) {
  Decision d;
  d.scan_id = std::move(scan_id);
  if (outcome.status == ScanStatus::busy) {
    d.reason = "busy";
    d.action = m.on_busy;
    return d;
  }
  if (outcome.status == ScanStatus::timeout || outcome.result == nullptr) {
    d.verdict = Outcome::error;
    d.reason = "timeout";
    d.action = m.on_error;
    return d;
  }
  const ScanResult& r = *outcome.result;
  d.scan_time = r.elapsed;
  d.score = r.score;
  for (const Finding& f : r.findings) {
    if (d.findings.size() >= m.header_findings) break;
    if (std::ranges::find(d.findings, f.id) == d.findings.end()) d.findings.push_back(f.id);
  }
  // A scan the deadline cut short has not looked at everything: it is an
  // error to retry, not a verdict (a real limit hit such as a bomb's ratio is
  // a verdict: the policy's floors make it at least suspicious).
  const bool cut = std::ranges::any_of(r.tree.limits_hit, [](const LimitHit& h) { return h.kind == LimitKind::deadline; });
  if (r.error || r.verdict == Verdict::error || cut) {
    d.verdict = Outcome::error;
    d.reason = cut ? "deadline" : "engine";
    if (r.error) d.detail = r.error->what;
    d.action = m.on_error;
    return d;
  }
  switch (r.verdict) {
    case Verdict::clean: d.verdict = Outcome::clean; d.action = m.on_clean; break;
    case Verdict::suspicious: d.verdict = Outcome::suspicious; d.action = m.on_suspicious; break;
    default: d.verdict = Outcome::malicious; d.action = m.on_malicious; break;
  }
  return d;
}

Decision unscanned(const Unscanned& why, std::string scan_id) {
  Decision d;
  d.scan_id = std::move(scan_id);
  d.reason = why.reason;
  d.action = why.action;
  return d;
}

std::string render_text(std::string_view templ, const Decision& d) {
  std::string out(templ);
  replace_all(out, "%", "%%");
  replace_all(out, "{verdict}", to_string(d.verdict));
  replace_all(out, "{score}", score_text(d.score));
  replace_all(out, "{scan_id}", d.scan_id);
  replace_all(out, "{findings}", findings_header(d));
  return out;
}

std::string verdict_header(const Decision& d) {
  if (d.verdict == Outcome::unscanned || d.verdict == Outcome::error) {
    return std::string(to_string(d.verdict)) + " reason=" + d.reason;
  }
  return std::string(to_string(d.verdict)) + " score=" + score_text(d.score);
}

std::string findings_header(const Decision& d) {
  if (d.findings.empty()) return "none";
  std::string out;
  for (const std::string& id : d.findings) out += (out.empty() ? "" : ", ") + id;
  return out;
}

std::string new_scan_id() {
  std::random_device rd;
  const std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) | rd();
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(v));
  return hex;
}

}  // namespace sluice::milter
