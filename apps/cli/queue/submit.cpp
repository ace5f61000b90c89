// sluice submit: every message of the given files, directories, mboxes and
// Maildirs becomes one job on the stream, the order `sluice scan` would scan
// them in.
#include <sys/random.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <thread>

#include "commands.hpp"
#include "connection.hpp"
#include "inputs.hpp"
#include "job.hpp"
#include "sluice/artifact.hpp"

namespace sluice::queue {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 2;

// Twelve hex digits per run: job IDs from two submitters never meet.
std::string run_id() {
  unsigned char b[6] = {};
  if (::getrandom(b, sizeof b, 0) != static_cast<ssize_t>(sizeof b)) {
    const auto t = std::chrono::steady_clock::now().time_since_epoch().count();
    for (std::size_t i = 0; i < sizeof b; ++i) b[i] = static_cast<unsigned char>(t >> (8 * i));
  }
  return to_hex(b);
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class Submitter {
 public:
  Submitter(RedisClient& redis, const QueueConfig& cfg) : redis_(redis), cfg_(cfg), run_(run_id()) {}

  // One message: inline when small (or when it exists nowhere else: stdin,
  // a reassembled message/partial set), else by path.
  Status add(std::string name, ByteView bytes, bool cut, const std::string& path, std::uint64_t offset,
             const struct stat* st) {
    Job j;
    j.id = run_ + "-" + std::to_string(++count_);
    j.name = std::move(name);
    j.cut = cut;
    j.submitted_ms = now_ms();
    if (bytes.size() <= cfg_.queue.inline_max_bytes || st == nullptr) {
      j.has_data = true;
      j.data = std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      ++inline_;
    } else {
      std::error_code ec;
      const auto abs = std::filesystem::absolute(path, ec);
      j.path = ec ? path : abs.lexically_normal().string();
      j.offset = offset;
      j.length = bytes.size();
      j.file_size = static_cast<std::uint64_t>(st->st_size);
      j.mtime_ns = static_cast<std::int64_t>(st->st_mtim.tv_sec) * 1'000'000'000 + st->st_mtim.tv_nsec;
      ++by_path_;
    }
    if (auto s = wait_for_room(); !s) return s;
    std::deque<std::string> storage;
    std::vector<std::string_view> argv{"XADD", cfg_.queue.stream, "*"};
    for (std::string_view f : job_fields(j, storage)) argv.push_back(f);
    auto r = redis_.call(argv);
    if (!r) return std::unexpected(r.error());
    if (r->is_error()) return fail(Errc::io, 0, "XADD " + cfg_.queue.stream + ": " + std::string(r->str()));
    ++queued_estimate_;
    return {};
  }

  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] std::uint64_t inline_count() const noexcept { return inline_; }
  [[nodiscard]] std::uint64_t by_path() const noexcept { return by_path_; }

 private:
  // Back-pressure: the stream holds the jobs not yet finished (workers delete
  // what they finish), so its length is the backlog.
  Status wait_for_room() {
    if (queued_estimate_ < cfg_.queue.max_queued) return {};
    bool told = false;
    for (;;) {
      auto r = redis_.call({"XLEN", cfg_.queue.stream});
      if (!r) return std::unexpected(r.error());
      queued_estimate_ = static_cast<std::uint64_t>(r->integer());
      if (queued_estimate_ < cfg_.queue.max_queued) return {};
      if (!told) {
        std::fprintf(stderr, "sluice submit: %llu jobs queued (max_queued); waiting for workers\n",
                     static_cast<unsigned long long>(queued_estimate_));
        told = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  RedisClient& redis_;
  const QueueConfig& cfg_;
  std::string run_;
  std::uint64_t count_ = 0, inline_ = 0, by_path_ = 0;
  std::uint64_t queued_estimate_ = 0;
};

}  // namespace

int run_submit(const SubmitArgs& args) {
  auto opened = open_queue(args.queue, "submit", nullptr);
  if (!opened) {
    std::fprintf(stderr, "sluice submit: %s\n", opened.error().what.c_str());
    return kExitError;
  }
  const QueueConfig* cfg = &opened->cfg;
  RedisClient redis(std::move(opened->client));
  if (auto s = redis.connect(); !s) {
    std::fprintf(stderr, "sluice submit: %s\n", s.error().what.c_str());
    return kExitError;
  }
  if (auto s = ensure_group(redis, cfg->queue); !s) {
    std::fprintf(stderr, "sluice submit: %s\n", s.error().what.c_str());
    return kExitError;
  }
  const Limits& limits = cfg->engine.limits;
  Submitter sub(redis, *cfg);
  bool errors = false;
  for (const cli::Input& in : cli::expand_paths(args.paths)) {
    const std::string shown = in.path == "-" ? std::string("stdin") : in.path;
    if (!in.error.empty()) {
      std::fprintf(stderr, "sluice submit: %s: %s\n", shown.c_str(), in.error.c_str());
      errors = true;
      continue;
    }
    cli::Loaded l = cli::load_input(in.path, limits.max_input_bytes);
    if (!l.error.empty()) {
      std::fprintf(stderr, "sluice submit: %s: %s\n", shown.c_str(), l.error.c_str());
      errors = true;
      continue;
    }
    struct stat st{};
    const bool by_path_ok = in.path != "-" && ::stat(in.path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
    const ByteView all(l.bytes.data(), l.bytes.size());
    // An mbox is one job per message, named as `sluice scan` names them.
    std::vector<cli::MailboxEntry> entries;
    if (!l.cut) entries = cli::split_mailbox(shown, all, limits.max_children);
    Status s;
    if (entries.empty()) {
      s = sub.add(shown, all, l.cut, in.path, 0, by_path_ok ? &st : nullptr);
    } else {
      for (const cli::MailboxEntry& e : entries) {
        const bool joined = !e.joined.empty();
        const std::uint64_t offset = joined ? 0 : static_cast<std::uint64_t>(e.bytes.data() - all.data());
        s = sub.add(e.name, e.view(), false, in.path, offset, by_path_ok && !joined ? &st : nullptr);
        if (!s) break;
      }
    }
    if (!s) {
      std::fprintf(stderr, "sluice submit: %s\n", s.error().what.c_str());
      return kExitError;
    }
  }
  std::printf("submitted %llu jobs to %s (%llu inline, %llu by path)\n", static_cast<unsigned long long>(sub.count()),
              cfg->queue.stream.c_str(), static_cast<unsigned long long>(sub.inline_count()),
              static_cast<unsigned long long>(sub.by_path()));
  return errors ? kExitError : kExitOk;
}

}  // namespace sluice::queue
