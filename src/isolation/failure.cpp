#include "isolation/failure.hpp"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <cerrno>

#include "core/hash.hpp"
#include "core/text.hpp"
#include "core/wire.hpp"
#include "scoring/scorer.hpp"

namespace sluice::isolation {
namespace {

std::string signal_text(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return std::to_string(sig) + (abbrev != nullptr ? std::string(" (SIG") + abbrev + ")" : std::string());
}

}  // namespace

Result<std::string> keep_input(const std::string& dir, ByteView input, const std::string& sha256_hex) {
  const std::string path = dir + "/" + sha256_hex + ".input";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    // The same bytes are already kept: the name is their hash.
    if (errno == EEXIST) return path;
    return fail(Errc::io, 0, path + ": " + std::strerror(errno));
  }
  if (!core::wire::write_all(fd, input.data(), input.size())) {
    const int err = errno;
    ::close(fd);
    ::unlink(path.c_str());
    return fail(Errc::io, 0, path + ": " + (err != 0 ? std::strerror(err) : "short write"));
  }
  if (::close(fd) != 0) return fail(Errc::io, 0, path + ": " + std::strerror(errno));
  return path;
}

ScanResult failure_result(ByteView input, const std::string& input_name, const WorkerFailure& f,
                          const Config& config, std::chrono::microseconds elapsed) {
  ScanResult r;
  r.input = core::to_valid_utf8(input_name);
  // The root as the engine names it: by its file name.
  std::string base = r.input;
  if (const auto slash = base.find_last_of('/'); slash != std::string::npos && slash + 1 < base.size()) {
    base.erase(0, slash + 1);
  }
  r.tree.add_root(input, "file", base.empty() ? std::vector<Name>{} : std::vector<Name>{{"input", base}});
  Artifact& root = r.tree.at(0);
  root.hashes = core::compute_hashes(input);
  root.hashed = true;
  const std::string sha256 = to_hex(root.hashes.sha256);
  const Limits& limits = config.limits;

  Finding finding;
  finding.severity = Severity::high;
  finding.artifact = 0;
  switch (f.end) {
    case WorkerEnd::crashed: {
      finding.id = "engine.worker_crashed";
      if (f.signal != 0) {
        finding.message = "the scan worker was killed by signal " + signal_text(f.signal);
        if (f.signal == SIGSYS) finding.message += ": it attempted a system call the sandbox forbids";
        finding.evidence.emplace_back("signal", signal_text(f.signal));
      } else if (f.exit_status >= 0) {
        finding.message = "the scan worker exited with status " + std::to_string(f.exit_status);
        finding.evidence.emplace_back("exit_status", std::to_string(f.exit_status));
      } else {
        finding.message = "the scan worker failed";
      }
      break;
    }
    case WorkerEnd::timed_out: {
      finding.id = "engine.worker_timeout";
      const LimitKind kind = f.cpu_limit ? LimitKind::worker_cpu : LimitKind::deadline;
      finding.message = f.cpu_limit ? "the scan worker used " + std::to_string(limits.max_worker_cpu_seconds) +
                                          " s of CPU and was stopped"
                                    : "the scan worker did not finish within the deadline of " +
                                          std::to_string(limits.deadline_ms) + " ms and was killed";
      finding.evidence.emplace_back("limit", std::string(to_string(kind)) + " = " +
                                                 std::to_string(limits.value(kind)));
      if (f.signal != 0) finding.evidence.emplace_back("signal", signal_text(f.signal));
      r.tree.limits_hit.push_back(LimitHit{kind, 0, limits.value(kind), finding.message});
      break;
    }
    case WorkerEnd::out_of_memory: {
      finding.id = "engine.worker_oom";
      finding.message = "the scan worker ran out of its address space (max_worker_memory_bytes " +
                        std::to_string(limits.max_worker_memory_bytes) + " + max_virtual_bytes)";
      finding.evidence.emplace_back("limit", "max_worker_memory_bytes = " +
                                                 std::to_string(limits.max_worker_memory_bytes));
      r.tree.limits_hit.push_back(
          LimitHit{LimitKind::worker_memory, 0, limits.max_worker_memory_bytes, finding.message});
      break;
    }
  }
  if (!f.detail.empty()) finding.message += " (" + f.detail + ")";
  finding.evidence.emplace_back("sha256", sha256);
  if (!config.isolation.crash_dir.empty()) {
    auto kept = keep_input(config.isolation.crash_dir, input, sha256);
    finding.evidence.emplace_back(kept ? "kept_as" : "keep_failed", kept ? *kept : kept.error().what);
  }
  r.findings.push_back(std::move(finding));
  const scoring::Score s = scoring::score(r.findings, config.policy);
  r.score = s.score;
  // Not a verdict about the content: nothing of it was judged.
  r.verdict = Verdict::error;
  r.elapsed = elapsed;
  return r;
}

}  // namespace sluice::isolation
