#include "isolation/seccomp_filter.hpp"

#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace sluice::isolation {
namespace {

class Filter {
 public:
  Filter() : ctx_(::seccomp_init(SCMP_ACT_TRAP)) {}
  ~Filter() {
    if (ctx_ != nullptr) ::seccomp_release(ctx_);
  }
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;

  [[nodiscard]] bool ok() const { return ctx_ != nullptr && error_ == 0; }
  [[nodiscard]] int error() const { return error_; }
  [[nodiscard]] scmp_filter_ctx get() const { return ctx_; }

  template <typename... Cmp>
  void allow(int syscall, Cmp... cmp) {
    add(SCMP_ACT_ALLOW, syscall, cmp...);
  }
  template <typename... Cmp>
  void add(std::uint32_t action, int syscall, Cmp... cmp) {
    if (ctx_ == nullptr || error_ != 0) return;
    const scmp_arg_cmp args[] = {cmp..., scmp_arg_cmp{}};
    const int rc = ::seccomp_rule_add_array(ctx_, action, syscall, sizeof...(Cmp), args);
    if (rc != 0) error_ = -rc;
  }

 private:
  scmp_filter_ctx ctx_;
  int error_ = 0;
};

// A forbidden call traps here instead of killing silently: the handler names
// the call on stderr (the one diagnostic a sandbox gap leaves, in CI logs
// too), then the worker dies of SIGSYS all the same. The call itself never
// runs and never returns to the code that made it.
void on_forbidden_call(int, siginfo_t* info, void*) {
  char msg[96] = "sluice sandbox: forbidden system call ";
  std::size_t n = std::strlen(msg);
  int nr = info != nullptr ? info->si_syscall : -1;
  char digits[16];
  std::size_t d = 0;
  if (nr < 0) {
    msg[n++] = '-';
    nr = -nr;
  }
  do {
    digits[d++] = static_cast<char>('0' + nr % 10);
    nr /= 10;
  } while (nr > 0 && d < sizeof digits);
  while (d > 0) msg[n++] = digits[--d];
  msg[n++] = '\n';
  [[maybe_unused]] const ssize_t w = ::write(STDERR_FILENO, msg, n);
  // SA_RESETHAND made SIGSYS fatal again; SA_NODEFER lets it land now.
  ::raise(SIGSYS);
  ::_exit(128 + SIGSYS);
}

bool install_trap_handler() {
  struct sigaction sa{};
  sa.sa_sigaction = on_forbidden_call;
  sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  return ::sigaction(SIGSYS, &sa, nullptr) == 0;
}

void allow_scan_syscalls(Filter& f, Confinement who) {
  const auto fd_is = [](int fd) { return SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(fd)); };
  // The one socket to the parent: requests in (with the input's memfd), results out.
  f.allow(SCMP_SYS(recvmsg), fd_is(kWorkerSocketFd));
  f.allow(SCMP_SYS(read), fd_is(kWorkerSocketFd));
  f.allow(SCMP_SYS(write), fd_is(kWorkerSocketFd));
  f.allow(SCMP_SYS(writev), fd_is(kWorkerSocketFd));  // a result's length and record together
  // stderr stays open for glibc's and the sanitizers' last words.
  f.allow(SCMP_SYS(write), fd_is(STDERR_FILENO));
  f.allow(SCMP_SYS(writev), fd_is(STDERR_FILENO));
  f.allow(SCMP_SYS(close));
  // glibc's fstat() is newfstatat(fd, "", AT_EMPTY_PATH): metadata of a descriptor.
  f.allow(SCMP_SYS(fstat));
  f.allow(SCMP_SYS(newfstatat), SCMP_A3(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH));
  // Memory, never executable: a worker that was exploited cannot map shellcode.
  f.allow(SCMP_SYS(mmap), SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
  f.allow(SCMP_SYS(mprotect), SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
  f.allow(SCMP_SYS(munmap));
  f.allow(SCMP_SYS(mremap));
  f.allow(SCMP_SYS(madvise));
  f.allow(SCMP_SYS(brk));
  f.allow(SCMP_SYS(futex));
  f.allow(SCMP_SYS(clock_gettime));
  f.allow(SCMP_SYS(clock_getres));
  f.allow(SCMP_SYS(gettimeofday));
  f.allow(SCMP_SYS(time));
  f.allow(SCMP_SYS(getrandom));
  f.allow(SCMP_SYS(sched_yield));
  // Each scan sets its own CPU limit (RLIMIT_CPU) and nothing else.
  f.allow(SCMP_SYS(prlimit64), SCMP_A0(SCMP_CMP_EQ, 0), SCMP_A1(SCMP_CMP_EQ, RLIMIT_CPU));
  // A script helper caps its address space to each page's share, measured
  // through the /proc/self/statm descriptor it opened before the filter (its
  // only others are the socket and /dev/null).
  if (who == Confinement::script_helper) {
    f.allow(SCMP_SYS(prlimit64), SCMP_A0(SCMP_CMP_EQ, 0), SCMP_A1(SCMP_CMP_EQ, RLIMIT_AS));
    f.allow(SCMP_SYS(pread64));
  }
  // No signal handler may be changed: libyara's per-scan SIGBUS/SIGSEGV guard
  // (YR_TRYCATCH) is switched off in workers (SCAN_FLAGS_NO_TRYCATCH: a fault
  // here is contained anyway), so nothing a scan runs installs one.
  // (Sanitizer builds allow every rt_sigaction, below.)
  // abort(): block signals, then signal this very process.
  f.allow(SCMP_SYS(rt_sigprocmask));
  f.allow(SCMP_SYS(getpid));
  f.allow(SCMP_SYS(gettid));
  f.allow(SCMP_SYS(tgkill), SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(::getpid())));
  f.allow(SCMP_SYS(rt_sigreturn));
  f.allow(SCMP_SYS(restart_syscall));
  f.allow(SCMP_SYS(exit));
  f.allow(SCMP_SYS(exit_group));
  if constexpr (kSanitizedBuild) {
    // ASan/UBSan report on an alternate stack, install handlers, and read
    // /proc/self/maps to symbolise: the open is refused (EACCES), not fatal,
    // so a report still prints, with raw addresses. Nothing here opens,
    // forks or executes on the worker's behalf.
    f.allow(SCMP_SYS(sigaltstack));
    f.allow(SCMP_SYS(rt_sigaction));
    f.allow(SCMP_SYS(sched_getaffinity));
    f.allow(SCMP_SYS(getppid));
    f.allow(SCMP_SYS(readlink));
    f.add(SCMP_ACT_ERRNO(EACCES), SCMP_SYS(open));
    f.add(SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat));
  }
}

// Local time (libarchive's RAR reader; strftime, which a page's
// toLocaleString uses, though pages' Dates are UTC since ADR 0043) is
// converted with mktime/localtime/strftime. With TZ unset glibc stats /etc/localtime on every call to
// see whether it changed, which the filter forbids; with TZ naming that file
// (or the zone the process was given) it reads it once, here.
void read_time_zone_now() {
  if (::getenv("TZ") == nullptr) ::setenv("TZ", ":/etc/localtime", 1);
  ::tzset();
}

}  // namespace

Status install_seccomp_filter(Confinement who) {
  read_time_zone_now();
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return fail(Errc::io, 0, std::string("PR_SET_NO_NEW_PRIVS: ") + std::strerror(errno));
  }
  if (!install_trap_handler()) return fail(Errc::io, 0, std::string("SIGSYS handler: ") + std::strerror(errno));
  Filter f;
  if (f.get() == nullptr) return fail(Errc::io, 0, "seccomp_init failed");
  allow_scan_syscalls(f, who);
  if (!f.ok()) return fail(Errc::io, 0, std::string("seccomp rule: ") + std::strerror(f.error()));
  if (const int rc = ::seccomp_load(f.get()); rc != 0) {
    return fail(Errc::io, 0, std::string("seccomp_load: ") + std::strerror(-rc));
  }
  return {};
}

}  // namespace sluice::isolation
