#include "core/isolate.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <string>

#include "core/reader.hpp"
#include "core/wire.hpp"
#include "core/text.hpp"

namespace sluice::core {
namespace {

constexpr std::string_view kMagic = "SLW1";
constexpr std::string_view kEnd = "END!";
// Room for names, anomalies and meta on top of the decoded bytes.
constexpr std::uint64_t kRecordOverhead = 16ull << 20;
constexpr std::uint32_t kMaxNames = 64;

using namespace wire;

// ------------------------------------------------------------ reading

struct ParsedChild {
  std::string locator;
  std::vector<Name> names;
  bool truncated = false;
  ByteView bytes;
  std::vector<Anomaly> anomalies;
  std::vector<Meta> meta;
};

struct Parsed {
  std::vector<Anomaly> anomalies;
  std::vector<Meta> meta;
  std::vector<ParsedChild> children;
  std::vector<std::pair<LimitKind, std::string>> limits;
  Status status;
  std::uint64_t key_rounds = 0;
};

Result<Parsed> parse(ByteView record) {
  Reader r(record);
  auto magic = r.bytes(kMagic.size());
  if (!magic || magic->chars() != kMagic) return fail(Errc::malformed, 0, "worker record has no header");
  Parsed p;
  if (auto s = get_anomalies(r, p.anomalies); !s) return std::unexpected(s.error());
  if (auto s = get_meta(r, p.meta); !s) return std::unexpected(s.error());
  auto count = r.le<std::uint32_t>();
  if (!count) return std::unexpected(count.error());
  for (std::uint32_t i = 0; i < *count; ++i) {
    ParsedChild c;
    auto loc = get_str(r);
    auto nnames = r.le<std::uint32_t>();
    if (!loc || !nnames) return fail(Errc::truncated, r.offset(), "worker child cut");
    if (*nnames > kMaxNames) return fail(Errc::malformed, r.offset(), "worker child has too many names");
    c.locator = std::move(*loc);
    for (std::uint32_t k = 0; k < *nnames; ++k) {
      auto view = get_str(r);
      auto value = get_str(r);
      if (!view || !value) return fail(Errc::truncated, r.offset(), "worker name cut");
      c.names.push_back(Name{std::move(*view), std::move(*value)});
    }
    auto trunc = r.u8();
    auto size = r.le<std::uint64_t>();
    if (!trunc || !size) return fail(Errc::truncated, r.offset(), "worker child cut");
    auto bytes = r.bytes(*size);
    if (!bytes) return std::unexpected(bytes.error());
    c.truncated = *trunc != 0;
    c.bytes = *bytes;
    if (auto s = get_anomalies(r, c.anomalies); !s) return std::unexpected(s.error());
    if (auto s = get_meta(r, c.meta); !s) return std::unexpected(s.error());
    p.children.push_back(std::move(c));
  }
  auto nlimits = r.le<std::uint32_t>();
  if (!nlimits) return std::unexpected(nlimits.error());
  for (std::uint32_t i = 0; i < *nlimits; ++i) {
    auto kind = r.u8();
    auto detail = get_str(r);
    if (!kind || !detail) return fail(Errc::truncated, r.offset(), "worker limit cut");
    if (*kind > static_cast<std::uint8_t>(LimitKind::worker_cpu)) {
      return fail(Errc::malformed, r.offset(), "worker limit kind out of range");
    }
    p.limits.emplace_back(static_cast<LimitKind>(*kind), std::move(*detail));
  }
  auto ok = r.u8();
  if (!ok) return std::unexpected(ok.error());
  if (*ok == 0) {
    auto code = r.u8();
    auto off = r.le<std::uint64_t>();
    auto what = get_str(r);
    if (!code || !off || !what) return fail(Errc::truncated, r.offset(), "worker status cut");
    if (*code > static_cast<std::uint8_t>(Errc::invalid_argument)) {
      return fail(Errc::malformed, r.offset(), "worker error code out of range");
    }
    p.status = std::unexpected(Error{static_cast<Errc>(*code), *off, std::move(*what)});
  }
  auto rounds = r.le<std::uint64_t>();
  if (!rounds) return fail(Errc::truncated, r.offset(), "worker key rounds cut");
  p.key_rounds = *rounds;
  auto end = r.bytes(kEnd.size());
  if (!end || end->chars() != kEnd || !r.at_end()) return fail(Errc::malformed, r.offset(), "worker record end missing");
  return p;
}

// ------------------------------------------------------------ the worker

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

}  // namespace

void no_core_files() noexcept {
  rlimit none{0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
}

AddressSpaceGauge::AddressSpaceGauge() noexcept : fd_(::open("/proc/self/statm", O_RDONLY | O_CLOEXEC)) {}

AddressSpaceGauge::~AddressSpaceGauge() {
  if (fd_ >= 0) ::close(fd_);
}

std::uint64_t AddressSpaceGauge::bytes() const noexcept {
  if (fd_ < 0) return 0;
  // "size resident shared ...": the first field, in pages.
  std::array<char, 64> buf{};
  const ssize_t n = ::pread(fd_, buf.data(), buf.size() - 1, 0);
  if (n <= 0) return 0;
  std::uint64_t pages = 0;
  for (ssize_t i = 0; i < n && buf[static_cast<std::size_t>(i)] >= '0' && buf[static_cast<std::size_t>(i)] <= '9'; ++i) {
    pages = pages * 10 + static_cast<std::uint64_t>(buf[static_cast<std::size_t>(i)] - '0');
  }
  return pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

void cap_address_space(std::uint64_t allowance, bool hard) noexcept {
  const AddressSpaceGauge now;
  cap_address_space(allowance, hard, now);
}

void cap_address_space(std::uint64_t allowance, bool hard, const AddressSpaceGauge& now) noexcept {
  // ASan reserves terabytes of shadow: no cap under it.
  if (kSanitized) return;
  const std::uint64_t cap = now.bytes() + 2 * allowance + (512ull << 20);
  rlimit as{cap, cap};
  if (!hard && ::getrlimit(RLIMIT_AS, &as) == 0) as.rlim_cur = std::min<rlim_t>(cap, as.rlim_max);
  ::setrlimit(RLIMIT_AS, &as);
}

namespace {

[[noreturn]] void worker(UnpackContext& ctx, const InProcessUnpack& unpack, int fd,
                         std::uint64_t allowance) {
  // No core files from a crashing worker; and an address-space cap so a
  // library's data-dependent allocation fails here rather than in the
  // scanner.
  no_core_files();
  // Only the pipe to the parent: a child that outlives a killed parent must
  // not keep the parent's listening or client sockets open (a restarted
  // milter could not take its port back while a script still ran here).
  if (fd > 3) ::close_range(3, static_cast<unsigned>(fd) - 1, 0);
  ::close_range(static_cast<unsigned>(fd) + 1, ~0u, 0);
  cap_address_space(allowance, true);
  ArtifactTree local;
  const ArtifactId root = local.add_root(ctx.bytes(), "file", {Name{"parent", ctx.name()}});
  local.at(root).type = ctx.type();
  Budget budget = ctx.budget();  // the worker draws down its own copy
  const std::uint64_t rounds_before = budget.key_rounds();
  UnpackContext lctx(local, root, budget);
  lctx.take_password_candidates_from(ctx);  // the message is in the parent's tree
  const Status st = unpack(lctx);
  const std::vector<std::uint8_t> record = serialise_unpack(local, root, st, budget.key_rounds() - rounds_before);
  const bool sent = wire::write_all(fd, record.data(), record.size());
  ::_exit(sent ? 0 : 3);  // no atexit handlers, no stdio flush: they belong to the parent
}

}  // namespace

std::vector<std::uint8_t> serialise_unpack(const ArtifactTree& tree, ArtifactId root, const Status& status,
                                           std::uint64_t key_rounds) {
  std::vector<std::uint8_t> o;
  o.insert(o.end(), kMagic.begin(), kMagic.end());
  const Artifact& r = tree[root];
  put_anomalies(o, r.anomalies, true);
  put_meta(o, r.meta);
  put_u32(o, static_cast<std::uint32_t>(r.children.size()));
  for (ArtifactId id : r.children) {
    const Artifact& c = tree[id];
    put_str(o, c.locator);
    const std::size_t names = std::min<std::size_t>(c.names.size(), kMaxNames);
    put_u32(o, static_cast<std::uint32_t>(names));
    for (std::size_t k = 0; k < names; ++k) {
      put_str(o, c.names[k].view);
      put_str(o, c.names[k].value);
    }
    put_u8(o, c.truncated ? 1 : 0);
    put_u64(o, c.bytes.size());
    o.insert(o.end(), c.bytes.data(), c.bytes.data() + c.bytes.size());
    put_anomalies(o, c.anomalies, false);
    put_meta(o, c.meta);
  }
  put_u32(o, static_cast<std::uint32_t>(tree.limits_hit.size()));
  for (const LimitHit& h : tree.limits_hit) {
    put_u8(o, static_cast<std::uint8_t>(h.kind));
    put_str(o, h.detail);
  }
  put_u8(o, status ? 1 : 0);
  if (!status) {
    put_u8(o, static_cast<std::uint8_t>(status.error().code));
    put_u64(o, status.error().offset);
    put_str(o, status.error().what);
  }
  put_u64(o, key_rounds);
  o.insert(o.end(), kEnd.begin(), kEnd.end());
  return o;
}

namespace {
// Replays a record that parsed completely, so nothing of a bad one is used.
Status replay(UnpackContext& ctx, Parsed&& p) {
  for (Anomaly& a : p.anomalies) ctx.anomaly(std::move(a.id), a.severity, a.offset, std::move(a.message));
  for (Meta& m : p.meta) ctx.record(std::move(m));
  for (ParsedChild& c : p.children) {
    for (Name& n : c.names) n.value = ctx.clean_name(n.value);
    // The parent charges what the worker decoded: the worker's budget was a copy.
    ctx.budget().charge_decoded(c.bytes.size());
    std::vector<std::uint8_t> owned(c.bytes.data(), c.bytes.data() + c.bytes.size());
    auto id = ctx.emit_owned(std::move(owned), std::move(c.locator), std::move(c.names), c.truncated);
    if (!id) break;  // the children limit, already recorded
    for (Anomaly& a : c.anomalies) ctx.anomaly_on(*id, std::move(a.id), a.severity, a.offset, std::move(a.message));
    for (Meta& m : c.meta) ctx.record_on(*id, std::move(m));
  }
  for (auto& [kind, detail] : p.limits) ctx.limit_hit(kind, std::move(detail));
  // Key derivation is bounded per message (max_key_derivation_rounds): what a
  // worker spent on its copy of the budget is spent for the whole scan, so a
  // message's next encrypted archive does not start afresh.
  ctx.budget().charge_key_rounds(p.key_rounds);
  return p.status;
}
}  // namespace

Status replay_record(UnpackContext& ctx, ByteView record) {
  auto parsed = parse(record);
  if (!parsed) return std::unexpected(parsed.error());
  return replay(ctx, std::move(*parsed));
}

Status unpack_isolated(UnpackContext& ctx, const InProcessUnpack& unpack) {
  const std::uint64_t allowance = ctx.budget().decode_allowance(ctx.bytes().size()).bytes;
  const std::uint64_t max_record = allowance + ctx.bytes().size() + kRecordOverhead;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return fail(Errc::io, 0, "cannot create the worker pipe");
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return fail(Errc::io, 0, "cannot start the worker process");
  }
  if (pid == 0) {
    ::close(fds[0]);
    worker(ctx, unpack, fds[1], allowance);
  }
  ::close(fds[1]);

  std::vector<std::uint8_t> record;
  std::array<std::uint8_t, 64 * 1024> chunk{};
  bool overflow = false, timed_out = false;
  for (;;) {
    if (ctx.budget().expired()) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, 50);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    const ssize_t n = ::read(fds[0], chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the worker finished or died
    if (record.size() + static_cast<std::size_t>(n) > max_record) {
      overflow = true;
      break;
    }
    record.insert(record.end(), chunk.data(), chunk.data() + n);
  }
  if (timed_out || overflow) ::kill(pid, SIGKILL);
  ::close(fds[0]);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }

  auto failed = [&](const std::string& why) -> Status {
    ctx.anomaly("isolation.worker_failed", Severity::medium, 0,
                "the library reader for this " + std::string(to_string(ctx.type())) +
                    " ended abnormally: " + why + "; nothing it produced is used");
    return fail(Errc::unsupported, 0, "isolated reader failed: " + why);
  };
  if (timed_out) {
    ctx.limit_hit(LimitKind::deadline, "isolated " + std::string(to_string(ctx.type())) + " reader stopped");
    return fail(Errc::limit, 0, "isolated reader ran past the deadline");
  }
  if (overflow) return failed("it sent more than " + std::to_string(max_record) + " bytes");
  if (WIFSIGNALED(wstatus)) return failed("killed by signal " + std::to_string(WTERMSIG(wstatus)));
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    return failed("exit status " + std::to_string(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1));
  }
  auto parsed = parse(ByteView(record.data(), record.size()));
  if (!parsed) return failed("its record is malformed (" + parsed.error().what + ")");
  return replay(ctx, std::move(*parsed));
}

}  // namespace sluice::core
