#include "isolation/worker.hpp"

#include <grp.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "core/isolate.hpp"
#include "core/wire.hpp"
#include "isolation/protocol.hpp"
#include "isolation/result_wire.hpp"
#include "isolation/seccomp_filter.hpp"

namespace sluice::isolation {
namespace {

using core::wire::write_all;

// A finished scan's framed result (u64 length, record), held until written.
struct Held {
  std::uint8_t len[8];
  std::vector<std::uint8_t> record;
};

// Every held result in one write: the parent waits on this socket, and in a
// virtual machine waking another process costs more than scanning a small
// message. (Two writes per result, length then record, woke it twice.)
bool write_results(std::vector<Held>& held) {
  std::vector<iovec> iov;
  iov.reserve(2 * held.size());
  for (Held& h : held) {
    iov.push_back({h.len, sizeof h.len});
    iov.push_back({h.record.data(), h.record.size()});
  }
  std::size_t at = 0;
  while (at < iov.size()) {
    const int count = static_cast<int>(std::min<std::size_t>(iov.size() - at, IOV_MAX));
    const ssize_t n = ::writev(kWorkerSocketFd, iov.data() + at, count);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    auto done = static_cast<std::size_t>(n);
    while (at < iov.size() && done >= iov[at].iov_len) {
      done -= iov[at].iov_len;
      ++at;
    }
    if (at < iov.size()) {
      iov[at].iov_base = static_cast<std::uint8_t*>(iov[at].iov_base) + done;
      iov[at].iov_len -= done;
    }
  }
  held.clear();
  return true;
}

template <typename T>
T load_le(const std::uint8_t* p) {
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<T>(p[i]) << (8 * i));
  return v;
}

// Everything that needs the file system or privileges happens here, before
// the filter: afterwards the worker can only talk to its parent.
void lock_down(int sock, const WorkerSetup& setup) {
  if (sock != kWorkerSocketFd) {
    if (::dup2(sock, kWorkerSocketFd) < 0) ::_exit(kExitSetupFailed);
  }
  // Other workers' sockets and in-flight memfds were inherited by fork: a
  // worker holding a sibling's socket would hide that sibling's death.
  ::close_range(kWorkerSocketFd + 1, ~0u, 0);
  rlimit none{0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (setup.drop_privileges) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(setup.gid) != 0 || ::setuid(setup.uid) != 0) {
      ::_exit(kExitSetupFailed);
    }
  }
  if (setup.address_space != 0) {
    // On top of what the worker inherited from its parent (thread stacks and
    // malloc arenas of a busy multi-threaded caller can be gigabytes).
    const std::uint64_t inherited = core::AddressSpaceGauge().bytes();
    const std::uint64_t cap = inherited > UINT64_MAX - setup.address_space ? UINT64_MAX : inherited + setup.address_space;
    rlimit as{cap, cap};
    if (::setrlimit(RLIMIT_AS, &as) != 0) ::_exit(kExitSetupFailed);
  }
  // No exceptions below the CLI: a failed allocation ends the worker with a
  // status the parent reads as engine.worker_oom.
  std::set_new_handler([] { ::_exit(kExitOutOfMemory); });
  if (!install_seccomp_filter()) ::_exit(kExitSetupFailed);
}

// RLIMIT_CPU counts the process's whole life: each scan gets its own allowance
// on top of what the worker used so far.
void arm_cpu_limit(std::uint32_t seconds) {
  timespec used{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &used);
  const rlim_t soft = static_cast<rlim_t>(used.tv_sec) + 1 + seconds;
  rlimit cpu{soft, RLIM_INFINITY};
  ::setrlimit(RLIMIT_CPU, &cpu);
}

struct Request {
  int fd = -1;
  bool more_follow = false;  // the batch's memfd is needed again after this scan
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::string name;
  ScanOptions options;
};

enum class Received { request, nothing_yet, eof };

// Requests as they arrive. A batch comes as one send, so it is read in as few
// recvmsg calls as the kernel allows rather than two reads per request; its
// memfd rides on the first byte, and the requests after the first say
// kSameInput instead of carrying it again.
class Requests {
 public:
  // EOF (the pool closed the socket) is the worker's normal end. Without
  // `wait`, a request that has not begun to arrive is nothing_yet.
  Received next(Request& req, bool wait) {
    while (end_ - begin_ < kRequestHeader) {
      const Fill f = fill(wait || end_ > begin_);
      if (f == Fill::nothing) return Received::nothing_yet;
      if (f == Fill::eof) {
        if (end_ > begin_) ::_exit(kExitBadRequest);
        return Received::eof;
      }
    }
    const std::uint8_t* head = buf_.data() + begin_;
    if (std::memcmp(head, kRequestMagic.data(), 4) != 0) ::_exit(kExitBadRequest);
    req.offset = load_le<std::uint64_t>(head + 4);
    req.size = load_le<std::uint64_t>(head + 12);
    const std::uint8_t flags = head[20];
    const auto root_type = load_le<std::uint16_t>(head + 21);
    const auto name_len = load_le<std::uint32_t>(head + 23);
    if (name_len > kMaxRequestName) ::_exit(kExitBadRequest);
    while (end_ - begin_ < kRequestHeader + name_len) {
      if (fill(true) != Fill::data) ::_exit(kExitBadRequest);
    }
    head = buf_.data() + begin_;
    req.name.assign(reinterpret_cast<const char*>(head + kRequestHeader), name_len);
    begin_ += kRequestHeader + name_len;
    if ((flags & kSameInput) != 0) {
      req.fd = -1;
    } else {
      if (fd_ < 0) ::_exit(kExitBadRequest);
      req.fd = fd_;
      fd_ = -1;
    }
    req.more_follow = (flags & kMoreFollow) != 0;
    req.options.input_cut = (flags & kInputCut) != 0;
    req.options.in_flight = (flags & kInFlight) != 0;
    if (flags & kHasRootType) req.options.root_type = static_cast<FileType>(root_type);
    req.options.sandboxed = true;
    return Received::request;
  }

 private:
  enum class Fill { data, nothing, eof };

  Fill fill(bool wait) {
    if (begin_ == end_) begin_ = end_ = 0;
    if (end_ == buf_.size()) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
      if (end_ == buf_.size()) buf_.resize(2 * buf_.size());
    }
    iovec iov{buf_.data() + end_, buf_.size() - end_};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
      n = ::recvmsg(kWorkerSocketFd, &msg, MSG_CMSG_CLOEXEC | (wait ? 0 : MSG_DONTWAIT));
    } while (n < 0 && errno == EINTR);
    if (n == 0) return Fill::eof;
    if (n < 0 && !wait && (errno == EAGAIN || errno == EWOULDBLOCK)) return Fill::nothing;
    if (n < 0) ::_exit(kExitBadRequest);
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      // One memfd per batch, claimed by its first request before the next arrives.
      if (fd_ >= 0) ::_exit(kExitBadRequest);
      std::memcpy(&fd_, CMSG_DATA(c), sizeof(int));
    }
    end_ += static_cast<std::size_t>(n);
    return Fill::data;
  }

  std::vector<std::uint8_t> buf_ = std::vector<std::uint8_t>(std::size_t{64} << 10);
  std::size_t begin_ = 0, end_ = 0;
  int fd_ = -1;  // the memfd that came with the next batch's first request
};

// The memfd mapped now: a batch's requests share one, mapped once.
struct Mapping {
  const std::uint8_t* base = nullptr;
  std::size_t size = 0;

  void release() {
    if (base != nullptr) ::munmap(const_cast<std::uint8_t*>(base), size);
    base = nullptr;
    size = 0;
  }
  // The input's bytes, or nullptr for an empty one. A request with its own
  // memfd replaces the mapping; one with kSameInput reads the current one.
  const std::uint8_t* view(const Request& req) {
    if (req.fd >= 0) {
      release();
      struct stat st{};
      if (::fstat(req.fd, &st) != 0 || st.st_size < 0) ::_exit(kExitBadRequest);
      if (st.st_size > 0) {
        void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_SHARED, req.fd, 0);
        if (p == MAP_FAILED) ::_exit(kExitOutOfMemory);
        base = static_cast<const std::uint8_t*>(p);
        size = static_cast<std::size_t>(st.st_size);
      }
      ::close(req.fd);  // the mapping stays
    }
    if (req.offset > size || req.size > size - req.offset) ::_exit(kExitBadRequest);
    return req.size == 0 ? nullptr : base + req.offset;
  }
};

// Results are held only while a batch runs fast: past this, each goes out as
// it is ready, so the parent's deadline runs per message again and a slow
// message does not hold back the results before it.
constexpr auto kHoldAtMost = std::chrono::milliseconds(20);

// Results are written as soon as no further request is waiting: a batch
// (WorkerPool::scan_batch) of fast scans is answered in one write, a lone
// request at once.
void serve(const Engine& engine, const WorkerSetup& setup) {
  std::vector<Held> held;
  std::chrono::steady_clock::time_point held_since;
  Requests requests;
  Mapping mapped;
  for (;;) {
    Request req;
    const Received got = requests.next(req, held.empty());
    if (got == Received::nothing_yet) {
      // The parent gave up on this batch (deadline) and closed the socket.
      if (!write_results(held)) ::_exit(0);
      continue;
    }
    if (got == Received::eof) ::_exit(0);
    const std::uint8_t* base = mapped.view(req);
    arm_cpu_limit(setup.cpu_seconds_per_scan);
    const auto began = std::chrono::steady_clock::now();
    Held& h = held.emplace_back();
    {
      const ScanResult r = engine.scan(ByteView(base, req.size), std::move(req.name), req.options);
      h.record = encode_result(r);
    }
    // Records hold copies: an input is not kept once its batch is scanned
    // (a 2 GiB message would otherwise stay in memory until the next one).
    if (!req.more_follow) mapped.release();
    for (int i = 0; i < 8; ++i) h.len[i] = static_cast<std::uint8_t>(h.record.size() >> (8 * i));
    // Held since the first held scan began: a slow scan's result never waits.
    if (held.size() == 1) held_since = began;
    if (std::chrono::steady_clock::now() - held_since > kHoldAtMost && !write_results(held)) ::_exit(0);
  }
}

}  // namespace

void worker_main(const Engine& engine, int sock, const WorkerSetup& setup) {
  lock_down(sock, setup);
  if (!write_all(kWorkerSocketFd, &kReady, 1)) ::_exit(0);
  serve(engine, setup);
  ::_exit(0);
}

}  // namespace sluice::isolation
