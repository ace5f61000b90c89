#include "formats/html/script_helpers.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>

#include "core/isolate.hpp"
#include "core/reader.hpp"
#include "core/wire.hpp"
#include "sluice_version.hpp"

namespace sluice::formats::html {
namespace {

using namespace core::wire;

// Room for names, anomalies and meta on top of the decoded bytes (as the
// forked reader allows).
constexpr std::uint64_t kRecordOverhead = 16ull << 20;
constexpr std::uint32_t kRequestMagic = 0x31484C53;  // "SLH1"
constexpr int kHelperFd = kScriptHelperFd;

// The Limits travel as their bytes: the request goes from this process to a
// copy of itself, or to the helper program built beside it, and is never read
// from outside. A helper from another build (another version, another Limits)
// refuses the request and is reported as a failed helper.
static_assert(std::is_trivially_copyable_v<Limits>);
constexpr std::uint32_t kLayout = sizeof(Limits) << 16 | sizeof(core::Budget::Snapshot);

// The whole frame, its 8-byte length first, built in one buffer: the page is
// copied once, into it.
std::vector<std::uint8_t> request(core::UnpackContext& ctx, const PageClock& clock) {
  std::vector<std::uint8_t> o;
  o.reserve(256 + ctx.bytes().size());
  put_u64(o, 0);  // the length, written last
  put_u32(o, kRequestMagic);
  put_u32(o, kLayout);
  put_str(o, kSluiceVersion);
  const Limits& limits = ctx.limits();
  std::array<std::uint8_t, sizeof(Limits)> raw{};
  std::memcpy(raw.data(), &limits, sizeof(Limits));
  o.insert(o.end(), raw.begin(), raw.end());
  const core::Budget::Snapshot b = ctx.budget().snapshot();
  put_u64(o, static_cast<std::uint64_t>(b.deadline_ns));
  put_u64(o, b.decoded);
  put_u64(o, b.input);
  put_u64(o, b.reserved);
  put_u64(o, b.key_rounds);
  put_u32(o, b.artifacts);
  put_u8(o, b.sandboxed ? 1 : 0);
  put_u32(o, static_cast<std::uint32_t>(ctx.type()));
  put_u64(o, static_cast<std::uint64_t>(clock.start_ms));
  put_u8(o, static_cast<std::uint8_t>(clock.from));
  put_str(o, ctx.name());
  put_u64(o, ctx.bytes().size());
  o.insert(o.end(), ctx.bytes().data(), ctx.bytes().data() + ctx.bytes().size());
  std::vector<std::uint8_t> length;
  put_u64(length, o.size() - 8);
  std::copy(length.begin(), length.end(), o.begin());
  return o;
}

struct Request {
  Limits limits;
  core::Budget::Snapshot budget;
  FileType type = FileType::unknown;
  PageClock clock;
  std::string name;
  ByteView page;
};

// From our own parent; read through the bounded reader all the same.
Result<Request> read_request(ByteView bytes) {
  core::Reader r(bytes);
  auto magic = r.le<std::uint32_t>();
  if (!magic || *magic != kRequestMagic) return fail(Errc::malformed, 0, "no request header");
  auto layout = r.le<std::uint32_t>();
  auto version = get_str(r);
  if (!layout || *layout != kLayout || !version || *version != kSluiceVersion) {
    return fail(Errc::malformed, 0, "a request from another build of Sluice");
  }
  auto raw = r.bytes(sizeof(Limits));
  if (!raw) return std::unexpected(raw.error());
  Request q;
  std::memcpy(&q.limits, raw->data(), sizeof(Limits));
  auto deadline = r.le<std::uint64_t>();
  auto decoded = r.le<std::uint64_t>();
  auto input = r.le<std::uint64_t>();
  auto reserved = r.le<std::uint64_t>();
  auto key_rounds = r.le<std::uint64_t>();
  auto artifacts = r.le<std::uint32_t>();
  auto sandboxed = r.le<std::uint8_t>();
  auto type = r.le<std::uint32_t>();
  auto clock = r.le<std::uint64_t>();
  auto from = r.le<std::uint8_t>();
  if (!deadline || !decoded || !input || !reserved || !key_rounds || !artifacts || !sandboxed || !type || !clock ||
      !from || *from > static_cast<std::uint8_t>(ClockFrom::date)) {
    return fail(Errc::malformed, 0, "short request");
  }
  q.budget = {static_cast<std::int64_t>(*deadline), *decoded, *input, *reserved, *key_rounds, *artifacts,
              *sandboxed != 0};
  q.type = static_cast<FileType>(*type);
  q.clock = {static_cast<std::int64_t>(*clock), static_cast<ClockFrom>(*from)};
  auto name = get_str(r);
  if (!name) return std::unexpected(name.error());
  q.name = std::move(*name);
  auto size = r.le<std::uint64_t>();
  if (!size) return std::unexpected(size.error());
  auto page = r.bytes(*size);
  if (!page) return std::unexpected(page.error());
  q.page = *page;
  return q;
}

// A frame's 8-byte little-endian length (all eight bytes were read).
std::uint64_t frame_length(const std::array<std::uint8_t, 8>& head) {
  // value_or: in bounds, the view is exactly the 8-byte array.
  return core::load_le<std::uint64_t>(ByteView(head.data(), head.size()), 0).value_or(0);
}

// The helper's answer: write() is fine there (a parent that is gone ends
// the helper, which is what SIGPIPE does).
bool send_frame(int fd, const std::vector<std::uint8_t>& payload) {
  std::vector<std::uint8_t> head;
  put_u64(head, payload.size());
  return write_all(fd, head.data(), head.size()) && write_all(fd, payload.data(), payload.size());
}

// The helper program started afresh: its socket as descriptor 3, stdio on
// /dev/null, nothing else of this process's descriptors, signals at their
// defaults and unblocked (a scan thread may block some), and of the
// environment only the time zone, this process's or the system's: pages'
// Dates are UTC (ADR 0043), but glibc's time functions (strftime, used for
// toLocaleString) may still consult the zone, which the helper loads before
// its filter does (install_seccomp_filter).
// posix_spawn starts it without copying this process's page tables.
Result<pid_t> spawn_helper(const std::string& program, int fd) {
  posix_spawn_file_actions_t files;
  posix_spawnattr_t attr;
  if (::posix_spawn_file_actions_init(&files) != 0) return fail(Errc::io, 0, "posix_spawn_file_actions_init failed");
  if (::posix_spawnattr_init(&attr) != 0) {
    ::posix_spawn_file_actions_destroy(&files);
    return fail(Errc::io, 0, "posix_spawnattr_init failed");
  }
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  // Descriptor 3 first: the socket may itself be 0, 1 or 2.
  int rc = ::posix_spawn_file_actions_adddup2(&files, fd, kHelperFd);
  rc = rc != 0 ? rc : ::posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDWR, 0);
  rc = rc != 0 ? rc : ::posix_spawn_file_actions_adddup2(&files, 0, 1);
  rc = rc != 0 ? rc : ::posix_spawn_file_actions_adddup2(&files, 0, 2);
  rc = rc != 0 ? rc : ::posix_spawn_file_actions_addclosefrom_np(&files, kHelperFd + 1);
  rc = rc != 0 ? rc : ::posix_spawnattr_setsigmask(&attr, &none);
  rc = rc != 0 ? rc : ::posix_spawnattr_setsigdefault(&attr, &all);
  rc = rc != 0 ? rc : ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  if (rc == 0) {
    std::string arg0(kScriptHelperProgram);
    char* argv[] = {arg0.data(), nullptr};
    const char* tz = std::getenv("TZ");
    std::string zone = std::string("TZ=") + (tz != nullptr && *tz != '\0' ? tz : ":/etc/localtime");
    char* envp[] = {zone.data(), nullptr};
    rc = ::posix_spawn(&pid, program.c_str(), &files, &attr, argv, envp);
  }
  ::posix_spawnattr_destroy(&attr);
  ::posix_spawn_file_actions_destroy(&files);
  if (rc != 0) return fail(Errc::io, 0, "cannot start " + program + ": " + std::strerror(rc));
  return pid;
}

}  // namespace

ScriptHelpers::~ScriptHelpers() {
  for (Helper& h : idle_) discard(h);
}

unsigned ScriptHelpers::started() const {
  std::lock_guard lock(mu_);
  return started_;
}

Result<ScriptHelpers::Helper> ScriptHelpers::take() const {
  std::lock_guard lock(mu_);
  if (!idle_.empty()) {
    Helper h = idle_.back();
    idle_.pop_back();
    return h;
  }
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return fail(Errc::io, 0, "cannot create the script helper's socket");
  }
  if (!program_.empty()) {
    auto pid = spawn_helper(program_, fds[1]);
    ::close(fds[1]);
    if (!pid) {
      ::close(fds[0]);
      return std::unexpected(pid.error());
    }
    ++started_;
    return Helper{*pid, fds[0], 0};
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return fail(Errc::io, 0, "cannot start a script helper process");
  }
  if (pid == 0) {
    // The helper runs hostile scripts and talks to its parent only: its
    // socket becomes descriptor 3; everything else the scanner holds (its
    // output, the campaign database, other helpers, a milter's connections)
    // is closed, and stdio reads and writes nothing.
    core::no_core_files();
    if (fds[1] != kHelperFd && ::dup2(fds[1], kHelperFd) < 0) ::_exit(5);
    ::close_range(kHelperFd + 1, ~0u, 0);
    const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
      for (int fd = 0; fd < 3; ++fd) {
        if (null != fd) ::dup2(null, fd);
      }
      if (null > 2) ::close(null);
    }
    const core::AddressSpaceGauge gauge;
    serve(kHelperFd, gauge);
  }
  ::close(fds[1]);
  ++started_;
  return Helper{pid, fds[0], 0};
}

void ScriptHelpers::give_back(Helper h) const {
  if (h.runs >= kMaxRuns) {
    discard(h);
    return;
  }
  std::lock_guard lock(mu_);
  idle_.push_back(h);
}

int ScriptHelpers::discard(Helper& h) const {
  if (h.pid <= 0) return 0;
  ::kill(h.pid, SIGKILL);  // no effect on one that already died: its status stays
  ::close(h.fd);
  int status = 0;
  while (::waitpid(h.pid, &status, 0) < 0 && errno == EINTR) {
  }
  h.pid = -1;
  h.fd = -1;
  return status;
}

void ScriptHelpers::serve(int fd, const core::AddressSpaceGauge& gauge) const {
  std::vector<std::uint8_t> in;
  for (;;) {
    std::array<std::uint8_t, 8> head{};
    if (!read_all(fd, head.data(), head.size())) ::_exit(0);  // the parent is done with us
    const std::uint64_t size = frame_length(head);
    if (size > (std::uint64_t{1} << 40)) ::_exit(4);
    in.resize(static_cast<std::size_t>(size));
    if (!read_all(fd, in.data(), in.size())) ::_exit(0);
    auto q = read_request(ByteView(in.data(), in.size()));
    if (!q) ::_exit(4);
    core::Budget budget(q->limits, q->budget);
    // This page's share of memory, as a forked reader would get it.
    core::cap_address_space(budget.decode_allowance(q->page.size()).bytes, false, gauge);
    ArtifactTree local;
    const ArtifactId root = local.add_root(q->page, "file", {Name{"parent", q->name}});
    local.at(root).type = q->type;
    core::UnpackContext lctx(local, root, budget);
    runner_(lctx, q->clock);
    if (!send_frame(fd, core::serialise_unpack(local, root, {}))) ::_exit(3);
    if (between_) between_();
  }
}

Status ScriptHelpers::run(core::UnpackContext& ctx, const PageClock& clock) const {
  auto failed = [&ctx](const std::string& why) -> Status {
    ctx.anomaly("isolation.worker_failed", Severity::medium, 0,
                "the script helper for this " + std::string(to_string(ctx.type())) +
                    " ended abnormally: " + why + "; nothing it produced is used");
    return fail(Errc::unsupported, 0, "script helper failed: " + why);
  };
  auto helper = take();
  if (!helper) return failed(helper.error().what);
  Helper h = *helper;
  ++h.runs;
  const std::vector<std::uint8_t> frame = request(ctx, clock);
  if (!send_all(h.fd, frame.data(), frame.size())) {
    discard(h);
    return failed("it stopped reading its requests");
  }
  const std::uint64_t allowance = ctx.budget().decode_allowance(ctx.bytes().size()).bytes;
  const std::uint64_t max_record = allowance + ctx.bytes().size() + kRecordOverhead;
  // The answer: an 8-byte length, then the record; read as it comes, so the
  // scan's deadline is watched and a helper that says too much is cut off.
  std::array<std::uint8_t, 8> head{};
  std::vector<std::uint8_t> got;
  std::uint64_t want = head.size();
  bool have_length = false, timed_out = false, eof = false;
  std::array<std::uint8_t, 64 * 1024> chunk{};
  while (got.size() < want) {
    if (ctx.budget().expired()) {
      timed_out = true;
      break;
    }
    pollfd p{h.fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, 50);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    const std::size_t room = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), want - got.size()));
    const ssize_t n = ::read(h.fd, chunk.data(), room);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof = true;
      break;
    }
    got.insert(got.end(), chunk.data(), chunk.data() + n);
    if (!have_length && got.size() == head.size()) {
      std::copy(got.begin(), got.end(), head.begin());
      want = frame_length(head);
      if (want > max_record) {
        discard(h);
        return failed("it sent more than " + std::to_string(max_record) + " bytes");
      }
      have_length = true;
      got.clear();
    }
  }
  if (timed_out) {
    discard(h);
    ctx.limit_hit(LimitKind::deadline, "script helper for a " + std::string(to_string(ctx.type())) + " stopped");
    return fail(Errc::limit, 0, "script helper ran past the deadline");
  }
  if (eof) {
    // It died: say how, as the forked reader's parent does.
    const int status = discard(h);
    if (WIFSIGNALED(status)) return failed("killed by signal " + std::to_string(WTERMSIG(status)));
    return failed("exit status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  }
  // The helper always reports success for the page (its status travels as
  // findings and meta), so an error here is the record failing to parse.
  auto replayed = core::replay_record(ctx, ByteView(got.data(), got.size()));
  if (!replayed) {
    discard(h);
    return failed("its record is malformed (" + replayed.error().what + ")");
  }
  give_back(h);
  return {};
}

}  // namespace sluice::formats::html
