// sluice::WorkerPool: the parent side of sandboxed scanning (ADR 0011). Each
// slot is one worker process and its socket; a thread that takes a slot owns
// it (and its respawn) until it gives it back, so the mutex guards only the
// busy flags and the counters.
#include "sluice/worker_pool.hpp"

#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <limits>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "core/text.hpp"
#include "core/dynamic_library.hpp"
#include "core/wire.hpp"
#include "deferred_libraries.hpp"
#include "isolation/charset_preload.hpp"
#include "isolation/failure.hpp"
#include "isolation/protocol.hpp"
#include "isolation/result_wire.hpp"
#include "isolation/seccomp_filter.hpp"
#include "isolation/worker.hpp"

namespace sluice {

using Clock = std::chrono::steady_clock;
using namespace isolation;

namespace {

// A worker gets this long to lock itself down and say it is ready.
constexpr auto kStartTimeout = std::chrono::seconds(20);
// Room for names, anomalies, meta and findings on top of the bytes a result carries.
constexpr std::uint64_t kRecordOverhead = 64ull << 20;
// A batch's requests, sent before any result is read: well inside the
// smallest unix socket buffer Linux gives by default (net.core.wmem_default).
constexpr std::size_t kMaxBatchRequestBytes = 64u << 10;

struct Slot {
  pid_t pid = -1;
  int fd = -1;
  bool busy = false;
};

enum class Outcome { ok, eof, timeout, overflow, io };

int poll_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 1000));
}

// Reads exactly `size` bytes, or says why not. What has arrived is taken
// without waiting first: a batch's results come in one write, and polling
// before each length and record was two system calls per result for nothing.
Outcome read_exact(int fd, std::uint8_t* data, std::size_t size, Clock::time_point deadline) {
  bool wait = false;
  while (size > 0) {
    if (wait) {
      if (Clock::now() >= deadline) return Outcome::timeout;
      pollfd p{fd, POLLIN, 0};
      const int ready = ::poll(&p, 1, poll_ms(deadline));
      if (ready < 0 && errno != EINTR) return Outcome::io;
      if (ready <= 0) continue;
    }
    const ssize_t n = ::recv(fd, data, size, MSG_DONTWAIT);
    wait = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    if (wait || (n < 0 && errno == EINTR)) continue;
    if (n == 0) return Outcome::eof;
    if (n < 0) return Outcome::io;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return Outcome::ok;
}

// The length-prefixed result. The length is the worker's claim: the buffer
// grows with what actually arrives, up to `cap`.
Outcome read_record(int fd, std::vector<std::uint8_t>& out, std::uint64_t cap, Clock::time_point deadline) {
  std::uint8_t len[8];
  if (Outcome o = read_exact(fd, len, sizeof len, deadline); o != Outcome::ok) return o;
  std::uint64_t size = 0;
  for (int i = 0; i < 8; ++i) size |= static_cast<std::uint64_t>(len[i]) << (8 * i);
  if (size > cap) return Outcome::overflow;
  // Address space only: pages are touched as bytes arrive.
  out.reserve(static_cast<std::size_t>(size));
  constexpr std::uint64_t kChunk = 16ull << 20;
  while (out.size() < size) {
    const std::size_t at = out.size();
    const auto n = static_cast<std::size_t>(std::min(kChunk, size - at));
    out.resize(at + n);
    if (Outcome o = read_exact(fd, out.data() + at, n, deadline); o != Outcome::ok) return o;
  }
  return Outcome::ok;
}

// Waits for a worker that is ending anyway; one that lingers is killed.
int reap(pid_t pid, bool kill_now) {
  if (kill_now) ::kill(pid, SIGKILL);
  int status = 0;
  const auto until = Clock::now() + std::chrono::seconds(2);
  for (;;) {
    const pid_t got = ::waitpid(pid, &status, WNOHANG);
    if (got == pid) return status;
    if (got < 0 && errno != EINTR) return 0;
    if (Clock::now() >= until) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

WorkerFailure classify(int status, Outcome outcome, std::string detail) {
  WorkerFailure f;
  f.detail = std::move(detail);
  if (outcome == Outcome::timeout) {
    f.end = WorkerEnd::timed_out;
    return f;
  }
  if (WIFSIGNALED(status)) {
    f.signal = WTERMSIG(status);
    if (f.signal == SIGXCPU) {
      f.end = WorkerEnd::timed_out;
      f.cpu_limit = true;
    }
    return f;
  }
  if (WIFEXITED(status)) {
    f.exit_status = WEXITSTATUS(status);
    if (f.exit_status == kExitOutOfMemory) f.end = WorkerEnd::out_of_memory;
  }
  return f;
}

// Copies of the caller's inputs, one after another, in a sealed memfd of the
// pool's own: the worker maps it read-only, and no one — neither a confused
// parent nor the worker — can change it under the scan. A batch shares one
// (one file's life, not eight).
Result<SealedInput> sealed_copy(std::span<const ByteView> inputs) {
  auto in = SealedInput::create();
  if (!in) return in;
  for (const ByteView input : inputs) {
    if (auto st = in->append(input); !st) return std::unexpected(st.error());
  }
  if (auto st = in->seal(); !st) return std::unexpected(st.error());
  return in;
}

// One request's bytes, appended to `out`.
void put_request(std::vector<std::uint8_t>& out, std::uint64_t offset, ByteView input, std::string_view name,
                 const ScanOptions& o, bool same_input, bool more_follow) {
  name = name.substr(0, kMaxRequestName);
  out.insert(out.end(), kRequestMagic.begin(), kRequestMagic.end());
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(offset >> (8 * i)));
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(input.size()) >> (8 * i)));
  out.push_back(static_cast<std::uint8_t>((o.input_cut ? kInputCut : 0) | (o.root_type ? kHasRootType : 0) |
                                          (same_input ? kSameInput : 0) | (more_follow ? kMoreFollow : 0) |
                                          (o.in_flight ? kInFlight : 0)));
  const auto type = static_cast<std::uint16_t>(o.root_type.value_or(FileType::unknown));
  out.push_back(static_cast<std::uint8_t>(type & 0xff));
  out.push_back(static_cast<std::uint8_t>(type >> 8));
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(name.size() >> (8 * i)));
  out.insert(out.end(), name.begin(), name.end());
}

// Requests in one send, the memfd riding on their first byte.
bool send_requests(int sock, int input_fd, const std::vector<std::uint8_t>& req) {
  iovec iov{const_cast<std::uint8_t*>(req.data()), req.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &input_fd, sizeof(int));
  ssize_t n;
  do {
    n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return false;
  // The descriptor went with the first bytes; the rest is plain data.
  const auto sent = static_cast<std::size_t>(n);
  return core::wire::send_all(sock, req.data() + sent, req.size() - sent);
}

bool send_request(int sock, int input_fd, ByteView input, std::string_view name, const ScanOptions& o) {
  std::vector<std::uint8_t> req;
  put_request(req, 0, input, name, o, false, false);
  return send_requests(sock, input_fd, req);
}

ScanResult parent_error(ByteView input, const std::string& name, std::string what) {
  ScanResult r;
  r.input = core::to_valid_utf8(name);
  r.tree.add_root(input, "file", {});
  r.verdict = Verdict::error;
  r.error = Error{Errc::io, 0, std::move(what)};
  return r;
}

}  // namespace

struct WorkerPool::Impl {
  Engine engine;
  WorkerPoolOptions options;
  CharsetPreload charsets;  // loaded before the first fork: workers inherit the converters
  // The Sleuth Kit is opened by the first NTFS or exFAT volume (formats/ntfs/
  // tsk_api.hpp, docs/adr/0030), the PDF reader by the first PDF (formats/pdf/
  // pdf_api.hpp, ADR 0031), libarchive by the first 7z, RAR, CAB … (formats/
  // archive/archive_api.hpp, ADR 0032); a sandboxed worker cannot open files. Opened
  // here, before the first fork, they are already mapped in every worker,
  // whose own load then finds them without opening a file. Not installed:
  // those volumes and documents are reported unsupported, as in process.
  Result<core::DynamicLibrary> tsk = core::DynamicLibrary::open(deferred::k_tsk);
  Result<core::DynamicLibrary> pdf = core::DynamicLibrary::open_own(deferred::k_sluice_pdf);
  Result<core::DynamicLibrary> archive = core::DynamicLibrary::open(deferred::k_archive);
  WorkerSetup setup;
  mutable std::mutex mu;
  std::condition_variable cv;
  std::vector<Slot> slots;
  Stats stats;

  explicit Impl(Engine e, WorkerPoolOptions o) : engine(std::move(e)), options(o) {}

  Status spawn(Slot& s) {
    const auto start = Clock::now();
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
      return fail(Errc::io, 0, std::string("socketpair: ") + std::strerror(errno));
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
      ::close(sv[0]);
      ::close(sv[1]);
      return fail(Errc::io, 0, std::string("fork: ") + std::strerror(errno));
    }
    if (pid == 0) worker_main(engine, sv[1], setup);
    ::close(sv[1]);
    std::uint8_t ready = 0;
    const Outcome o = read_exact(sv[0], &ready, 1, start + kStartTimeout);
    if (o != Outcome::ok || ready != kReady) {
      ::close(sv[0]);
      const int status = reap(pid, o != Outcome::eof);
      const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      return fail(Errc::io, 0,
                  code == kExitSetupFailed
                      ? std::string("a scan worker could not lock itself down (seccomp, rlimits or setuid refused)")
                      : "a scan worker did not start (status " + std::to_string(status) + ")");
    }
    s.pid = pid;
    s.fd = sv[0];
    std::lock_guard lock(mu);
    ++stats.spawns;
    stats.spawn_time += std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    return {};
  }

  void retire(Slot& s) {
    if (s.fd >= 0) ::close(s.fd);
    s.fd = -1;
    s.pid = -1;
  }

  std::optional<std::size_t> acquire(std::optional<std::chrono::milliseconds> wait) {
    std::unique_lock lock(mu);
    std::size_t pick = slots.size();
    auto free = [&] {
      for (std::size_t i = 0; i < slots.size(); ++i) {
        if (!slots[i].busy) {
          pick = i;
          return true;
        }
      }
      return false;
    };
    if (!wait) {
      cv.wait(lock, free);
    } else if (!cv.wait_for(lock, *wait, free)) {
      return std::nullopt;
    }
    slots[pick].busy = true;
    return pick;
  }

  void release(std::size_t i) {
    {
      std::lock_guard lock(mu);
      slots[i].busy = false;
    }
    cv.notify_one();
  }

  ScanResult run(Slot& s, ByteView input, const std::string& name, const ScanOptions& scan_options);
  ScanResult run_on(Slot& s, int input_fd, ByteView input, const std::string& name, const ScanOptions& scan_options);
  ScanResult run_sealed(Slot& s, const SealedInput& input, const std::string& name, const ScanOptions& scan_options);
  void run_batch(Slot& s, std::span<const BatchInput> items,
                 const std::function<void(std::size_t, ScanResult&&)>& each);
};

// The caller's bytes, copied once into a memfd of our own.
ScanResult WorkerPool::Impl::run(Slot& s, ByteView input, const std::string& name,
                                 const ScanOptions& scan_options) {
  auto copy = sealed_copy(std::span(&input, 1));
  if (!copy) return parent_error(input, name, copy.error().what);
  {
    std::lock_guard lock(mu);
    stats.bytes_copied += input.size();
  }
  return run_on(s, copy->fd(), input, name, scan_options);
}

// The caller's memfd as it is: nothing copied.
ScanResult WorkerPool::Impl::run_sealed(Slot& s, const SealedInput& input, const std::string& name,
                                        const ScanOptions& scan_options) {
  if (!input.sealed()) return parent_error(input.bytes(), name, "the input was not sealed before its scan");
  return run_on(s, input.fd(), input.bytes(), name, scan_options);
}

// One input on one worker; `fd` is the caller's to close.
ScanResult WorkerPool::Impl::run_on(Slot& s, int fd, ByteView input, const std::string& name,
                                    const ScanOptions& scan_options) {
  const auto start = Clock::now();
  const Limits& limits = engine.config().limits;

  // A worker that died while idle (killed from outside, say) is replaced
  // without blaming this input: one retry on a fresh worker.
  bool sent = false;
  for (int attempt = 0; attempt < 2 && !sent; ++attempt) {
    if (s.pid < 0) {
      if (auto st = spawn(s); !st) return parent_error(input, name, st.error().what);
      std::lock_guard lock(mu);
      ++stats.respawns;
    }
    sent = send_request(s.fd, fd, input, name, scan_options);
    if (!sent) {
      (void)reap(s.pid, true);
      retire(s);
    }
  }
  if (!sent) return parent_error(input, name, "cannot hand the input to a scan worker");

  const auto deadline = start + std::chrono::milliseconds(limits.deadline_ms) + options.grace;
  std::vector<std::uint8_t> record;
  const std::uint64_t cap = input.size() + limits.max_total_bytes + kRecordOverhead;
  Outcome outcome = read_record(s.fd, record, cap, deadline);

  std::string detail;
  if (outcome == Outcome::ok) {
    auto decoded = decode_result(std::move(record), input, limits);
    if (decoded) {
      decoded->input = core::to_valid_utf8(name);
      std::lock_guard lock(mu);
      ++stats.scans;
      return std::move(*decoded);
    }
    detail = "its result did not decode: " + decoded.error().what;
  } else if (outcome == Outcome::overflow) {
    detail = "its result claimed more than " + std::to_string(cap) + " bytes";
  }
  // Anything but a good record: the worker is finished.
  const bool kill_now = outcome != Outcome::eof;
  const int status = reap(s.pid, kill_now);
  retire(s);
  // A worker that sent too much or nonsense was killed by us: its status says nothing.
  const WorkerFailure failure = (outcome == Outcome::ok || outcome == Outcome::overflow)
                                    ? WorkerFailure{WorkerEnd::crashed, 0, -1, false, detail}
                                    : classify(status, outcome, detail);
  ScanResult r = failure_result(input, name, failure, engine.config(),
                                std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start));
  {
    std::lock_guard lock(mu);
    ++stats.scans;
    ++stats.failures;
  }
  // The replacement starts now, so the next input does not wait for it.
  if (spawn(s)) {
    std::lock_guard lock(mu);
    ++stats.respawns;
  }
  return r;
}

void WorkerPool::Impl::run_batch(Slot& s, std::span<const BatchInput> items,
                                 const std::function<void(std::size_t, ScanResult&&)>& each) {
  std::size_t done = 0;
  const auto start = Clock::now();
  const Limits& limits = engine.config().limits;
  // Every request is sent before any result is read, so they must fit in the
  // socket's buffer whatever the worker does meanwhile (it may write a large
  // result and wait for us to read it): a batch whose requests do not (names
  // of kilobytes) is scanned one by one instead.
  std::size_t sent = 0;
  if (items.size() > 1 && s.pid < 0 && spawn(s)) {
    std::lock_guard lock(mu);
    ++stats.respawns;
  }
  bool offered = false;  // the whole batch went to the socket, or was meant to
  if (items.size() > 1 && s.pid >= 0) {
    std::vector<ByteView> inputs;
    for (const BatchInput& b : items) inputs.push_back(b.input);
    if (auto copy = sealed_copy(inputs)) {
      {
        std::lock_guard lock(mu);
        stats.bytes_copied += copy->size();
      }
      std::vector<std::uint8_t> req;
      std::uint64_t offset = 0;
      for (const BatchInput& b : items) {
        put_request(req, offset, b.input, b.name, b.options, &b != &items.front(), &b != &items.back());
        offset += b.input.size();
      }
      if (req.size() <= kMaxBatchRequestBytes) {
        offered = true;
        if (send_requests(s.fd, copy->fd(), req)) sent = items.size();
      }
    }  // our memfd closes here: the worker holds its own descriptor now
  }
  if (offered && sent == 0) {
    // A worker that could not take the whole batch (part of it may be in its
    // socket) takes none of it.
    (void)reap(s.pid, true);
    retire(s);
  }
  // Each result has the message deadline from the one before it (the worker
  // holds results for at most a few milliseconds, see isolation/worker.cpp).
  auto deadline = start + std::chrono::milliseconds(limits.deadline_ms) + options.grace;
  for (; done < sent; ++done) {
    std::vector<std::uint8_t> record;
    const std::uint64_t cap = items[done].input.size() + limits.max_total_bytes + kRecordOverhead;
    if (read_record(s.fd, record, cap, deadline) != Outcome::ok) break;
    deadline = Clock::now() + std::chrono::milliseconds(limits.deadline_ms) + options.grace;
    auto decoded = decode_result(std::move(record), items[done].input, limits);
    if (!decoded) break;
    decoded->input = core::to_valid_utf8(items[done].name);
    {
      std::lock_guard lock(mu);
      ++stats.scans;
    }
    each(done, std::move(*decoded));
  }
  if (done < sent) {
    // Crashed, overran the deadline or answered nonsense: which input did it
    // is found by scanning the rest again, each on its own.
    (void)reap(s.pid, true);
    retire(s);
  }
  for (; done < items.size(); ++done) each(done, run(s, items[done].input, items[done].name, items[done].options));
}

Result<std::unique_ptr<WorkerPool>> WorkerPool::create(Engine engine, WorkerPoolOptions options) {
  if (options.workers == 0) return fail(Errc::invalid_argument, 0, "a worker pool needs at least one worker");
  auto impl = std::make_unique<Impl>(std::move(engine), options);
  const Limits& limits = impl->engine.config().limits;
  if (!kSanitizedBuild) {
    const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    impl->setup.address_space = limits.max_worker_memory_bytes > max - limits.max_virtual_bytes
                                    ? max
                                    : limits.max_worker_memory_bytes + limits.max_virtual_bytes;
  }
  impl->setup.cpu_seconds_per_scan = limits.max_worker_cpu_seconds;
  if (::geteuid() == 0) {
    impl->setup.drop_privileges = true;
    if (const passwd* pw = ::getpwnam("nobody")) {
      impl->setup.uid = pw->pw_uid;
      impl->setup.gid = pw->pw_gid;
    }
  }
  impl->slots.resize(options.workers);
  for (Slot& s : impl->slots) {
    if (auto st = impl->spawn(s); !st) return std::unexpected(st.error());
  }
  return std::unique_ptr<WorkerPool>(new WorkerPool(std::move(impl)));
}

WorkerPool::WorkerPool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WorkerPool::~WorkerPool() {
  // Idle workers hold nothing worth waiting for.
  for (Slot& s : impl_->slots) {
    if (s.pid < 0) continue;
    (void)reap(s.pid, true);
    impl_->retire(s);
  }
}

ScanResult WorkerPool::scan(ByteView input, std::string input_name, const ScanOptions& options) {
  const std::size_t i = *impl_->acquire(std::nullopt);
  ScanResult r = impl_->run(impl_->slots[i], input, input_name, options);
  impl_->release(i);
  return r;
}

void WorkerPool::scan_batch(std::span<const BatchInput> inputs,
                            const std::function<void(std::size_t, ScanResult&&)>& each) {
  if (inputs.empty()) return;
  const std::size_t i = *impl_->acquire(std::nullopt);
  impl_->run_batch(impl_->slots[i], inputs, each);
  impl_->release(i);
}

std::vector<ScanResult> WorkerPool::scan_batch(std::span<const BatchInput> inputs) {
  std::vector<ScanResult> out;
  out.reserve(inputs.size());
  scan_batch(inputs, [&out](std::size_t, ScanResult&& r) { out.push_back(std::move(r)); });
  return out;
}

ScanResult WorkerPool::scan(const SealedInput& input, std::string input_name, const ScanOptions& options) {
  const std::size_t i = *impl_->acquire(std::nullopt);
  ScanResult r = impl_->run_sealed(impl_->slots[i], input, input_name, options);
  impl_->release(i);
  return r;
}

std::optional<ScanResult> WorkerPool::try_scan(const SealedInput& input, std::string input_name,
                                               std::chrono::milliseconds wait, const ScanOptions& options) {
  const auto i = impl_->acquire(wait);
  if (!i) return std::nullopt;
  ScanResult r = impl_->run_sealed(impl_->slots[*i], input, input_name, options);
  impl_->release(*i);
  return r;
}

std::optional<ScanResult> WorkerPool::try_scan(ByteView input, std::string input_name,
                                               std::chrono::milliseconds wait, const ScanOptions& options) {
  const auto i = impl_->acquire(wait);
  if (!i) return std::nullopt;
  ScanResult r = impl_->run(impl_->slots[*i], input, input_name, options);
  impl_->release(*i);
  return r;
}

WorkerPool::Stats WorkerPool::stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

unsigned WorkerPool::size() const noexcept { return static_cast<unsigned>(impl_->slots.size()); }
const Engine& WorkerPool::engine() const noexcept { return impl_->engine; }

}  // namespace sluice
