#pragma once
// The system calls a sandboxed scan worker may make once it holds its engine
// (and a script helper once it holds its browser)
// (docs/adr/0011): read its request and write its result on the one inherited
// socket, map the sealed input, manage memory, read clocks, end. Everything
// else — open, socket, execve, fork/clone, ptrace ... — kills the process with
// SIGSYS: the call traps (SCMP_ACT_TRAP) into a handler that names it on stderr
// and re-raises SIGSYS with the default action; it never runs or returns.
#include "sluice/result.hpp"

namespace sluice::isolation {

// The descriptor the worker talks to its parent on (dup2'd there before lockdown).
inline constexpr int kWorkerSocketFd = 3;

// True in builds whose sanitizer runtimes need more than a scan does
// (sigaltstack, rt_sigaction, a few reads of /proc answered with EACCES).
#if defined(SLUICE_SANITIZED)
inline constexpr bool kSanitizedBuild = true;
#else
inline constexpr bool kSanitizedBuild = false;
#endif

// Who is locked down. A script helper (sluice-script-helper, ADR 0042) runs
// pages' scripts on descriptor 3 as a worker runs scans, and also caps its own
// address space to each page's share (RLIMIT_AS) before running it.
enum class Confinement { scan_worker, script_helper };

// Sets PR_SET_NO_NEW_PRIVS and loads the filter for the calling process.
[[nodiscard]] Status install_seccomp_filter(Confinement who = Confinement::scan_worker);

}  // namespace sluice::isolation
