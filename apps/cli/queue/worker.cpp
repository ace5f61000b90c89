// sluice worker: joins the consumer group and scans jobs until told to stop
// (SIGTERM/SIGINT: the scans in flight finish and are written first), or,
// with --drain, until the job stream is empty. A consumer holds the reads in
// hand (the one it scans, the next, and results waiting for the writer), so a
// worker that dies strands those, which the others take over once they have
// been silent for claim_idle_ms.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <condition_variable>
#include <map>
#include <set>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <openssl/sha.h>
#include <thread>

#include "campaigns/recorder.hpp"
#include "campaigns/render.hpp"
#include "commands.hpp"
#include "connection.hpp"
#include "inputs.hpp"
#include "job.hpp"
#include "sluice/artifact.hpp"
#include "sluice/report.hpp"
#include "scripts.hpp"
#include "sluice/engine.hpp"
#include "sluice/worker_pool.hpp"

namespace sluice::queue {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 2;

struct Counters {
  std::atomic<std::uint64_t> results{0}, duplicates{0}, requeued{0}, dead{0}, reclaimed{0};
};

// What every thread of this process shares.
struct Shared {
  Shared(const QueueConfig& c, const Engine& e, WorkerPool* p, campaigns::Recorder& r, ClientOptions b,
         std::string pre, bool d)
      : cfg(c), engine(e), pool(p), recorder(r), base(std::move(b)), prefix(std::move(pre)), drain(d) {}
  const QueueConfig& cfg;
  const Engine& engine;
  WorkerPool* pool;
  campaigns::Recorder& recorder;
  ClientOptions base;
  std::string prefix;  // consumer names are prefix-N
  bool drain;
  std::atomic<bool> stop{false};
  // Set once everything in hand is written: the heartbeat renews claims until then.
  std::atomic<bool> finished{false};
  std::condition_variable finished_cv;  // with mu
  Counters counters;
  // Every job this process holds (read, being scanned, or waiting for the
  // writer), per consumer: the heartbeat renews their claims.
  std::mutex mu;
  std::map<std::string, std::set<std::string>> held;

  void hold(const std::string& consumer, const std::string& id) {
    std::lock_guard lock(mu);
    held[consumer].insert(id);
  }
  void release(const std::string& consumer, const std::string& id) {
    std::lock_guard lock(mu);
    held[consumer].erase(id);
  }
  [[nodiscard]] std::size_t holding(const std::string& consumer) {
    std::lock_guard lock(mu);
    return held[consumer].size();
  }
  ClientOptions options(const std::string& client) {
    ClientOptions o = base;
    o.client_name = "sluice-worker-" + client;
    o.log = [this](const std::string& l) { log(l); };
    o.stop = &stop;
    return o;
  }
  void log(const std::string& line) const { std::fprintf(stderr, "sluice worker %s: %s\n", prefix.c_str(), line.c_str()); }
};

std::string eval_argv_number(std::uint64_t v) { return std::to_string(v); }

// As the JSON report writes it: the shortest form that reads back the same.
std::string format_score(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, end) : std::to_string(v);
}

// A by-path job's bytes, refused when the file is not the one submitted.
Result<std::vector<std::uint8_t>> read_region(const Job& j, std::uint64_t max_bytes) {
  const int fd = ::open(j.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(Errc::io, 0, j.path + ": " + std::strerror(errno));
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return fail(Errc::io, 0, j.path + ": " + std::strerror(errno));
  }
  const std::int64_t mtime = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  if (static_cast<std::uint64_t>(st.st_size) != j.file_size || mtime != j.mtime_ns) {
    ::close(fd);
    return fail(Errc::io, 0, j.path + ": changed since it was submitted (size or modification time differ)");
  }
  const std::uint64_t want = std::min(j.length, max_bytes);
  std::vector<std::uint8_t> out(static_cast<std::size_t>(want));
  std::uint64_t got = 0;
  while (got < want) {
    const ssize_t n = ::pread(fd, out.data() + got, static_cast<std::size_t>(want - got),
                              static_cast<off_t>(j.offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return fail(Errc::io, 0, j.path + ": " + (n < 0 ? std::string(std::strerror(errno)) : "shorter than submitted"));
    }
    got += static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  return out;
}

const Finding* worker_failure(const ScanResult& r) {
  if (r.verdict != Verdict::error) return nullptr;
  for (const Finding& f : r.findings) {
    if (f.id.starts_with("engine.worker_")) return &f;
  }
  return nullptr;
}

// One state change for the writer: a script and its arguments, owned.
struct Outcome {
  enum class Kind : std::uint8_t { finish, requeue, dead_letter };
  Kind kind = Kind::finish;
  std::string_view script;  // lua::k*
  // numkeys, keys, args: what follows the script in EVAL.
  std::string consumer, entry_id, job_id, name, why;
  unsigned attempts = 0;
  std::vector<std::string> argv;
};

// Writes results, requeues and dead letters in order, on a connection of its
// own, while the consumers scan on: a job's Redis round trip overlaps the
// next job's scan instead of adding to it. Bounded, so a Redis that stalls
// stalls the consumers too rather than memory growing.
class Writer {
 public:
  explicit Writer(Shared& s) : s_(s), redis_(s.options(s.prefix + "-writer")) {
    thread_ = std::jthread([this] { run(); });
  }
  ~Writer() { close(); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void push(Outcome o) {
    std::unique_lock lock(mu_);
    room_.wait(lock, [this] { return queue_.size() < kMaxQueued; });
    queue_.push_back(std::move(o));
    // The writer looks every few milliseconds anyway: woken for a full batch
    // only, it costs the scanning core one switch per batch, not per job.
    if (idle_ || queue_.size() == kMaxBatch) ready_.notify_one();
  }
  // Writes what is queued, then ends (also when stopping: a job not written
  // stays pending in Redis and is taken over).
  void close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    ready_.notify_all();
    thread_ = {};
  }

 private:
  static constexpr std::size_t kMaxQueued = 64;
  static constexpr std::size_t kMaxBatch = 16;
  // How long a result may wait for others to share its round trip.
  static constexpr std::chrono::milliseconds kLinger{5};

  void run() {
    for (;;) {
      std::vector<Outcome> batch;
      {
        std::unique_lock lock(mu_);
        if (queue_.empty() && !closed_) {
          idle_ = true;
          ready_.wait(lock, [this] { return closed_ || !queue_.empty(); });
          idle_ = false;
        }
        if (queue_.empty()) return;  // closed
        ready_.wait_for(lock, kLinger, [this] { return closed_ || queue_.size() >= kMaxBatch; });
        // Whatever finished meanwhile goes in one round trip.
        while (!queue_.empty() && batch.size() < kMaxBatch) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      room_.notify_all();
      write(batch);
      for (const Outcome& o : batch) s_.release(o.consumer, o.entry_id);
    }
  }

  void write(const std::vector<Outcome>& batch) {
    std::vector<std::vector<std::string_view>> commands;
    commands.reserve(batch.size());
    for (const Outcome& o : batch) commands.push_back(command(o, "EVALSHA", sha1_of(o.script)));
    auto replies = redis_.pipeline(commands);
    if (!replies) return;  // stopping: the jobs stay pending and are taken over
    for (std::size_t i = 0; i < batch.size(); ++i) {
      Reply r = (*replies)[i];
      if (error_code(r) == "NOSCRIPT") {  // a new or restarted Redis: teach it the script
        auto again = redis_.call(command(batch[i], "EVAL", batch[i].script));
        if (!again) return;
        r = *again;
      }
      report(batch[i], r);
    }
  }

  static std::vector<std::string_view> command(const Outcome& o, std::string_view verb, std::string_view script) {
    std::vector<std::string_view> argv{verb, script};
    argv.insert(argv.end(), o.argv.begin(), o.argv.end());
    return argv;
  }

  const std::string& sha1_of(std::string_view script) {
    auto it = sha1_.find(script.data());
    if (it == sha1_.end()) {
      unsigned char md[SHA_DIGEST_LENGTH];
      SHA1(reinterpret_cast<const unsigned char*>(script.data()), script.size(), md);
      it = sha1_.emplace(script.data(), to_hex(md)).first;
    }
    return it->second;
  }

  void report(const Outcome& o, const Reply& reply) {
    const Reply* r = &reply;
    const std::string what = "job " + o.job_id + " (" + o.name + ")";
    if (r->is_error()) {
      s_.log("writing " + what + ": " + std::string(r->str()));
      return;
    }
    switch (o.kind) {
      case Outcome::Kind::finish:
        if (r->integer() == 1) {
          s_.counters.duplicates++;
          s_.log(what + " already had a result: written again, marked duplicate");
        } else {
          s_.counters.results++;
        }
        break;
      case Outcome::Kind::requeue:
        if (r->integer() == 1) {
          s_.counters.requeued++;
          s_.log(what + " failed: " + o.why + "; queued again (attempt " + std::to_string(o.attempts) + " of " +
                 std::to_string(s_.cfg.queue.max_attempts) + ")");
        }
        break;
      case Outcome::Kind::dead_letter:
        if (r->integer() == 1) {
          s_.counters.dead++;
          s_.log(what + " moved to " + s_.cfg.queue.dead_letters + " after " + std::to_string(o.attempts) +
                 " attempts: " + o.why);
        }
        break;
    }
  }

  Shared& s_;
  RedisClient redis_;
  std::map<const char*, std::string> sha1_;  // per script
  std::mutex mu_;
  std::condition_variable ready_, room_;
  std::deque<Outcome> queue_;
  bool closed_ = false;
  bool idle_ = false;  // waiting for the first outcome of a batch
  std::jthread thread_;
};

// One consumer of the group: a fetcher thread reads the next jobs while this
// thread scans the current ones, so neither Redis round trip (read, write)
// adds to a job's time.
class Consumer {
 public:
  Consumer(Shared& shared, Writer& writer, std::string name)
      : s_(shared), writer_(writer), name_(std::move(name)), redis_(shared.options(name_)) {}

  void run() {
    std::jthread fetcher([this] { fetch(); });
    for (;;) {
      std::vector<Delivery> batch;
      {
        std::unique_lock lock(mu_);
        ready_.wait(lock, [this] { return !batches_.empty() || fetched_all_; });
        if (batches_.empty()) break;
        batch = std::move(batches_.front());
        batches_.pop_front();
      }
      room_.notify_one();
      // Jobs in hand are finished even when stopping (a scan ends by the deadline).
      handle(batch);
    }
  }

 private:
  struct Delivery {
    Entry entry;
    unsigned delivered = 1;
    bool reclaimed = false;
  };

  void fetch() {
    fetch_loop();
    {
      std::lock_guard lock(mu_);
      fetched_all_ = true;
    }
    ready_.notify_all();
  }

  void hand_over(std::vector<Delivery> batch) {
    for (const Delivery& d : batch) s_.hold(name_, d.entry.id);
    std::unique_lock lock(mu_);
    // One batch waits while one is scanned: a worker that dies strands at most
    // two batches (16 jobs per consumer) until they are taken over.
    room_.wait(lock, [this] { return batches_.empty(); });
    batches_.push_back(std::move(batch));
    ready_.notify_one();
  }

  void fetch_loop() {
    const QueueSettings& q = s_.cfg.queue;
    if (auto g = ensure_group(redis_, q); !g) {
      if (!s_.stop) s_.log(g.error().what);
      return;
    }
    const auto claim_every = std::chrono::milliseconds(std::max<std::uint64_t>(q.claim_idle_ms / 2, 100));
    const std::string block = std::to_string(std::clamp<std::uint64_t>(q.claim_idle_ms / 2, 100, 1000));
    const std::string idle = std::to_string(q.claim_idle_ms);
    auto last_claim = std::chrono::steady_clock::time_point{};
    std::uint64_t reconnects = redis_.reconnects();
    while (!s_.stop) {
      if (redis_.reconnects() != reconnects) {
        reconnects = redis_.reconnects();
        recover_own();
        continue;
      }
      if (std::chrono::steady_clock::now() - last_claim >= claim_every) {
        last_claim = std::chrono::steady_clock::now();
        auto r = redis_.call({"XAUTOCLAIM", q.stream, q.group, name_, idle, "0-0", "COUNT", "1"});
        if (!r) return;
        if (regroup(*r)) continue;
        if (auto e = entries_of((*r)[1]); !e.empty()) {
          const unsigned n = deliveries(e.front().id);
          hand_over({Delivery{std::move(e.front()), n, true}});
          // A dead consumer's jobs are taken one at a time (a poison job
          // never drags others along) but without pause, not one per interval.
          last_claim = {};
          continue;
        }
      }
      // Draining, nothing is worth waiting for: the stream's length says
      // whether others still hold jobs that may come back.
      const std::string count = std::to_string(read_size());
      std::vector<std::string_view> argv{"XREADGROUP", "GROUP", q.group, name_, "COUNT", count};
      if (!s_.drain) {
        argv.push_back("BLOCK");
        argv.push_back(block);
      }
      argv.push_back("STREAMS");
      argv.push_back(q.stream);
      argv.push_back(">");
      auto r = redis_.call(argv);
      if (!r) return;
      if (regroup(*r)) continue;
      if (r->is_nil() || r->size() == 0) {
        if (s_.drain) {
          if (drained()) return;
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        continue;
      }
      std::vector<Delivery> batch;
      for (Entry& e : entries_of((*r)[0][1])) batch.push_back({std::move(e), 1, false});
      if (!batch.empty()) hand_over(std::move(batch));
    }
  }

  // A read whose reply the lost connection took was still delivered: those
  // jobs are pending under our name, unseen. Our own history (XREADGROUP from
  // an ID, page by page) gives them back now rather than after claim_idle_ms.
  // Every page: a consumer holds up to four reads and the writer's queue, so
  // the unseen jobs may sit past the first page (seen in CI: one page of 64
  // missed them and they waited for a takeover).
  void recover_own() {
    const QueueSettings& q = s_.cfg.queue;
    std::set<std::string> held;
    {
      std::lock_guard lock(s_.mu);
      held = s_.held[name_];
    }
    std::vector<Delivery> lost;
    std::string after = "0";
    for (;;) {
      auto r = redis_.call({"XREADGROUP", "GROUP", q.group, name_, "COUNT", "64", "STREAMS", q.stream, after});
      if (!r || r->is_error() || r->size() == 0) break;
      const Reply page = (*r)[0][1];
      if (page.size() == 0) break;
      after = std::string(page[page.size() - 1][0].str());
      for (Entry& e : entries_of(page)) {
        if (!held.contains(e.id)) lost.push_back({std::move(e), 1, false});
      }
    }
    if (lost.empty()) return;
    s_.log("the connection dropped with " + std::to_string(lost.size()) + " job(s) read but not received; taking them now");
    hand_over(std::move(lost));
  }

  // A Redis that restarted without persistence forgot the group: make it again.
  bool regroup(const Reply& r) {
    if (!r.is_error()) return false;
    if (error_code(r) == "NOGROUP") {
      s_.log("the consumer group is gone (Redis restarted without its data?); creating it again");
      if (auto g = ensure_group(redis_, s_.cfg.queue); !g) s_.log(g.error().what);
    } else {
      s_.log("redis: " + std::string(r.str()));
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return true;
  }

  // Jobs to read at once: 32 while the stream is long (they go to the
  // sandbox as one batch), fewer as it empties, so the last jobs spread over
  // every consumer instead of waiting in one consumer's hands (a consumer
  // holds two reads: the one it scans and the next).
  unsigned read_size() {
    auto n = redis_.call({"XLEN", s_.cfg.queue.stream});
    if (!n || n->kind() != Reply::Kind::integer) return 8;
    return static_cast<unsigned>(std::clamp<long long>(n->integer() / 16, 1, 32));
  }

  bool drained() {
    if (s_.holding(name_) != 0) return false;
    auto n = redis_.call({"XLEN", s_.cfg.queue.stream});
    return n && n->kind() == Reply::Kind::integer && n->integer() == 0;
  }

  unsigned deliveries(const std::string& id) {
    auto r = redis_.call({"XPENDING", s_.cfg.queue.stream, s_.cfg.queue.group, id, id, "1"});
    if (!r || r->size() == 0) return 1;
    const Reply e = (*r)[0];
    return static_cast<unsigned>(std::max<long long>(1, e[3].integer()));
  }

  // A job that may be scanned: parsed, and not out of attempts.
  struct Admitted {
    const Delivery* delivery;
    Job job;
    unsigned failed_before = 0;
    std::vector<std::uint8_t> bytes;  // a by-path job's, alive until rendered
  };

  std::optional<Admitted> admit(const Delivery& d) {
    const Entry& entry = d.entry;
    auto job = job_from_fields(entry.fields);
    if (!job) {
      dead_letter(entry, {}, job.error().what, d.delivered);
      return std::nullopt;
    }
    if (d.reclaimed) {
      s_.counters.reclaimed++;
      s_.log("took over job " + job->id + " (" + job->name + "), delivery " + std::to_string(d.delivered) +
             ", from a consumer silent for claim_idle_ms");
    }
    const unsigned failed_before = job->attempts + (d.delivered - 1);
    if (failed_before >= s_.cfg.queue.max_attempts) {
      const std::string why = d.delivered > 1 ? "delivered " + std::to_string(d.delivered) +
                                                    " times without a result (its workers died)" +
                                                    (job->failure.empty() ? "" : "; before that: " + job->failure)
                                              : job->failure;
      dead_letter(entry, *job, why, failed_before);
      return std::nullopt;
    }
    return Admitted{&d, std::move(*job), failed_before, {}};
  }

  // The jobs of one read, in order. Sandboxed, the small ones go to one
  // worker together (WorkerPool::scan_batch: one wake-up each way instead of
  // one per job, as `sluice scan --isolate` does): those with their bytes
  // inline, and those by path, read here first. Scanned one by one, jobs by
  // path kept 0.65-0.70 of `sluice scan` with Redis on a core of its own,
  // against 0.88-0.96 inline (bench/README.md, 2026-12-07).
  void handle(const std::vector<Delivery>& batch) {
    std::vector<Admitted> jobs;
    for (const Delivery& d : batch) {
      if (auto a = admit(d)) jobs.push_back(std::move(*a));
    }
    std::vector<std::size_t> together;
    std::vector<WorkerPool::BatchInput> inputs;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      const Job& j = jobs[i].job;
      const bool small = j.has_data ? j.data.size() <= WorkerPool::kBatchInputBytes
                                    : j.length <= WorkerPool::kBatchInputBytes;
      if (s_.pool == nullptr || !small) {
        conclude(jobs[i], scan(j, jobs[i].bytes));
        continue;
      }
      ScanOptions options;
      options.input_cut = j.cut;
      ByteView view(reinterpret_cast<const std::uint8_t*>(j.data.data()), j.data.size());
      if (!j.has_data) {
        if (Status read = read_by_path(j, jobs[i].bytes, options); !read) {
          conclude(jobs[i], cli::unreadable_input(j.name, read.error().what));
          continue;
        }
        view = ByteView(jobs[i].bytes.data(), jobs[i].bytes.size());
      }
      together.push_back(i);
      inputs.push_back({view, j.name, options});
    }
    // Each result is written (and its job acknowledged) as it comes in.
    if (!inputs.empty()) {
      s_.pool->scan_batch(inputs, [&](std::size_t k, ScanResult&& r) { conclude(jobs[together[k]], r); });
    }
  }

  void conclude(const Admitted& a, const ScanResult& result) {
    const Entry& entry = a.delivery->entry;
    if (const Finding* f = worker_failure(result)) {
      const unsigned failures = a.failed_before + 1;
      const std::string why = f->id + ": " + f->message;
      if (failures >= s_.cfg.queue.max_attempts) {
        dead_letter(entry, a.job, why, failures);
      } else {
        requeue(entry, a.job, why, failures);
      }
      return;
    }
    finish(entry, a.job, result, a.delivery->delivered);
  }

  ScanResult scan(const Job& job, std::vector<std::uint8_t>& bytes) {
    ScanOptions options;
    options.input_cut = job.cut;
    ByteView view(reinterpret_cast<const std::uint8_t*>(job.data.data()), job.data.size());
    if (!job.has_data) {
      if (Status read = read_by_path(job, bytes, options); !read) return cli::unreadable_input(job.name, read.error().what);
      view = ByteView(bytes.data(), bytes.size());
    }
    return s_.pool != nullptr ? s_.pool->scan(view, job.name, options) : s_.engine.scan(view, job.name, options);
  }

  // A by-path job's bytes into `bytes` (cut at max_input_bytes, which
  // `options` then says); an error when the file cannot be read or is not
  // the one submitted.
  Status read_by_path(const Job& job, std::vector<std::uint8_t>& bytes, ScanOptions& options) {
    auto read = read_region(job, s_.engine.config().limits.max_input_bytes);
    if (!read) return std::unexpected(read.error());
    bytes = std::move(*read);
    options.input_cut = options.input_cut || bytes.size() < job.length;
    return {};
  }

  void finish(const Entry& entry, const Job& job, const ScanResult& r, unsigned delivered) {
    const QueueSettings& q = s_.cfg.queue;
    std::string doc = report::to_json(r, false);
    while (!doc.empty() && doc.back() == '\n') doc.pop_back();
    if (s_.recorder.enabled() && !r.error && r.verdict != Verdict::error) {
      std::string why;
      const auto a = s_.recorder.record(r, nullptr, static_cast<std::int64_t>(std::time(nullptr)), why);
      if (!why.empty()) s_.log("campaign store: " + why);
      doc = report::with_member(std::move(doc), "campaign",
                                a ? campaigns::assignment_json(*a) : std::string("null"));
    }
    const nlohmann::ordered_json meta{{"id", job.id}, {"worker", name_}, {"delivery", delivered}, {"attempts", job.attempts}};
    doc = report::with_member(std::move(doc), "job",
                              meta.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    Outcome o{Outcome::Kind::finish, lua::kFinish, name_, entry.id, job.id, job.name, {}, job.attempts, {}};
    o.argv = {"4", q.stream, q.results, q.results + ":done:" + job.id, stats_,
              q.group, entry.id, name_ + " " + entry.id, ttl_, results_max_,
              job.id, job.name, std::string(to_string(r.verdict)), format_score(r.score), name_, std::move(doc)};
    writer_.push(std::move(o));
  }

  void requeue(const Entry& entry, Job job, const std::string& why, unsigned failures) {
    const QueueSettings& q = s_.cfg.queue;
    job.attempts = failures;
    job.failure = why;
    Outcome o{Outcome::Kind::requeue, lua::kRequeue, name_, entry.id, job.id, job.name, why, failures, {}};
    o.argv = {"2", q.stream, stats_, q.group, entry.id};
    std::deque<std::string> storage;
    for (std::string_view f : job_fields(job, storage)) o.argv.emplace_back(f);
    writer_.push(std::move(o));
  }

  void dead_letter(const Entry& entry, const Job& job, const std::string& why, unsigned attempts) {
    const QueueSettings& q = s_.cfg.queue;
    const std::string id = job.id.empty() ? entry.id : job.id;
    Outcome o{Outcome::Kind::dead_letter, lua::kDeadLetter, name_, entry.id, id, job.name, why, attempts, {}};
    o.argv = {"3", q.stream, q.dead_letters, stats_,
              q.group, entry.id, dead_max_,
              "job", id, "name", job.name, "reason", why, "attempts", std::to_string(attempts), "worker", name_};
    // The job's bytes go with it (or its path), so it can be replayed.
    if (job.has_data) {
      o.argv.emplace_back("data");
      o.argv.emplace_back(job.data);
    } else if (!job.path.empty()) {
      o.argv.emplace_back("path");
      o.argv.emplace_back(job.path);
    }
    writer_.push(std::move(o));
  }

  Shared& s_;
  Writer& writer_;
  std::string name_;
  RedisClient redis_;  // the fetcher's
  std::mutex mu_;
  std::condition_variable ready_, room_;
  std::deque<std::vector<Delivery>> batches_;
  bool fetched_all_ = false;
  const std::string stats_ = s_.cfg.queue.results + ":stats";
  const std::string ttl_ = eval_argv_number(s_.cfg.queue.done_ttl_s);
  const std::string results_max_ = eval_argv_number(s_.cfg.queue.results_max_length);
  const std::string dead_max_ = eval_argv_number(s_.cfg.queue.dead_letters_max_length);
};

// Renews the claim on every job this process holds (XCLAIM … JUSTID resets
// the idle time without counting a delivery), so claim_idle_ms measures a
// worker's silence, not the length of a scan or of a queue of results.
void heartbeat(Shared& s) {
  ClientOptions o = s.options(s.prefix + "-heartbeat");
  o.stop = &s.finished;
  RedisClient redis(std::move(o));
  const auto every = std::chrono::milliseconds(std::max<std::uint64_t>(s.cfg.queue.claim_idle_ms / 3, 100));
  for (;;) {
    std::map<std::string, std::set<std::string>> now;
    {
      std::unique_lock lock(s.mu);
      if (s.finished_cv.wait_for(lock, every, [&s] { return s.finished.load(); })) return;
      now = s.held;
    }
    for (const auto& [consumer, ids] : now) {
      if (ids.empty()) continue;
      std::vector<std::string_view> argv{"XCLAIM", s.cfg.queue.stream, s.cfg.queue.group, consumer, "0"};
      for (const std::string& id : ids) argv.push_back(id);
      argv.push_back("JUSTID");
      if (!redis.call(argv)) return;
    }
  }
}

}  // namespace

int run_worker(const WorkerArgs& args) {
  auto opened = open_queue(args.queue, "worker", nullptr);
  if (!opened) {
    std::fprintf(stderr, "sluice worker: %s\n", opened.error().what.c_str());
    return kExitError;
  }
  const QueueConfig* cfg = &opened->cfg;
  const ClientOptions* base = &opened->client;
  // Signals are taken by the main thread alone (sigtimedwait below): the
  // consumers finish the job in hand and stop.
  const sigset_t signals = block_stop_signals();

  campaigns::Recorder recorder;
  if (auto s = recorder.configure(cfg->engine); !s) {
    std::fprintf(stderr, "sluice worker: campaign store: %s; results are not recorded until it opens\n",
                 s.error().what.c_str());
  }
  const unsigned jobs = args.jobs ? args.jobs : std::max(1u, std::thread::hardware_concurrency());
  auto engine = Engine::create(cfg->engine);
  if (!engine) {
    std::fprintf(stderr, "sluice worker: %s\n", engine.error().what.c_str());
    return kExitError;
  }
  std::unique_ptr<WorkerPool> pool;
  if (args.isolate) {
    auto made = WorkerPool::create(*engine, {.workers = jobs});
    if (!made) {
      std::fprintf(stderr, "sluice worker: sandboxed workers: %s (--no-isolate scans in process)\n",
                   made.error().what.c_str());
      return kExitError;
    }
    pool = std::move(*made);
  }
  Shared shared(*cfg, *engine, pool.get(), recorder, *base, args.name.empty() ? process_name() : args.name,
                args.drain);
  {
    // Fail early on a wrong URL, password or certificate: a fatal error here is
    // one line, not a thread per consumer saying it.
    ClientOptions probe = shared.base;
    probe.client_name = "sluice-worker-" + shared.prefix + "-probe";
    probe.log = [&shared](const std::string& l) { shared.log(l); };
    RedisClient redis(std::move(probe));
    if (auto c = redis.connect(); !c) {
      std::fprintf(stderr, "sluice worker: %s\n", c.error().what.c_str());
      return kExitError;
    }
  }
  shared.log("scanning " + cfg->queue.stream + " as group " + cfg->queue.group + " with " + std::to_string(jobs) +
             (pool ? " sandboxed" : " in-process") + " consumer(s)");
  std::atomic<unsigned> running{jobs};
  Writer writer(shared);
  std::vector<std::jthread> threads;
  for (unsigned t = 0; t < jobs; ++t) {
    threads.emplace_back([&shared, &writer, &running, t] {
      Consumer c(shared, writer, shared.prefix + "-" + std::to_string(t));
      c.run();
      running--;
    });
  }
  std::jthread beat([&shared] { heartbeat(shared); });
  const timespec tick{0, 20'000'000};
  while (running > 0) {
    const int sig = sigtimedwait(&signals, nullptr, &tick);
    if (sig == SIGTERM || sig == SIGINT) {
      if (!shared.stop) shared.log("stopping: finishing the jobs in hand");
      shared.stop = true;
    }
  }
  threads.clear();
  writer.close();  // what the consumers finished is written before the claims stop being renewed
  shared.stop = true;
  {
    std::lock_guard lock(shared.mu);
    shared.finished = true;
  }
  shared.finished_cv.notify_all();
  beat = {};
  const Counters& c = shared.counters;
  shared.log("done: " + std::to_string(c.results) + " results, " + std::to_string(c.duplicates) + " duplicates, " +
             std::to_string(c.requeued) + " requeued, " + std::to_string(c.dead) + " dead letters, " +
             std::to_string(c.reclaimed) + " taken over");
  return kExitOk;
}

}  // namespace sluice::queue
