// sluice: the command line. The only layer allowed to catch exceptions (CLI11
// reports usage errors that way); everything below returns Result.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <span>
#include <sstream>
#include <thread>

#include "campaigns/fingerprint.hpp"
#include "campaigns/render.hpp"
#include "campaigns/store.hpp"
#include "model/features.hpp"
#include "campaigns_cmd.hpp"
#include "model_cmd.hpp"
#include "catalog.hpp"
#include "keys.hpp"
#include "config_file.hpp"
#include "extract.hpp"
#include "inputs.hpp"
#include "queue/commands.hpp"
#include "sluice/report.hpp"
#include "sluice/engine.hpp"
#include "sluice/worker_pool.hpp"

namespace sluice::cli {
namespace {

constexpr int kExitClean = 0;
constexpr int kExitFound = 1;
constexpr int kExitError = 2;

struct ScanArgs {
  std::vector<std::string> paths;
  std::string format = "text";
  std::string extract_dir;
  std::string config_file;
  unsigned jobs = 0;
  bool isolate = false;
  bool in_flight = false;  // ScanOptions::in_flight for every input
  unsigned workers = 0;
  bool worker_stats = false;
  bool quiet = false;
  bool no_progress = false;
  std::string campaign_db;
  std::string campaign_time = "now";
  // Set when a campaign store is open: each result's fingerprints are taken
  // where it was scanned, and recorded in input order by the printing thread.
  const analysis::lure::PublicSuffixList* psl = nullptr;
  const model::FeatureSpace* features = nullptr;  // stored with each recorded message
  Verdict record_from = Verdict::suspicious;  // [campaigns] min_verdict
};

struct Rendered {
  std::string text;
  Verdict verdict = Verdict::clean;
  std::optional<campaigns::MessageRecord> record;
};

// What one command-line input produced: one result, or one per message of an
// mbox.
struct Outcome {
  std::vector<Rendered> results;
  std::vector<std::string> messages;  // one-line errors and warnings for stderr
  Verdict verdict = Verdict::clean;
  bool error = false;
  unsigned made_by = 0;  // the scanning thread whose heap holds its strings
};

std::string render(const ScanResult& r, const ScanArgs& a, bool color) {
  if (a.format == "text") return report::to_text(r, {10, color});
  return report::to_json(r, a.format == "json") + "\n";
}

// Reports, extracts and renders one scan result into `o`.
void finish(ScanResult& r, const std::string& shown, std::size_t index, const ScanArgs& args,
            bool color, Outcome& o) {
  if (r.error) {
    o.messages.push_back("sluice: " + shown + ": " + r.error->what);
    o.error = true;
  } else if (r.verdict == Verdict::error) {
    // A sandboxed worker died on this input (engine.worker_*): not a verdict
    // about the content, so the run reports an error, with the report.
    for (const Finding& f : r.findings) o.messages.push_back("sluice: " + shown + ": " + f.id + ": " + f.message);
    o.error = true;
  } else {
    // A damaged input still gets a verdict; the user also hears about it.
    for (const Anomaly& an : r.tree[0].anomalies) {
      if (an.id == "unpack.error") o.messages.push_back("sluice: " + shown + ": " + an.message);
    }
  }
  if (!args.extract_dir.empty() && !r.error) {
    if (std::string e = extract(r, args.extract_dir, index); !e.empty()) {
      o.messages.push_back("sluice: extract: " + e);
      o.error = true;
    }
  }
  // The input's verdict is its worst message's; error only when nothing scanned.
  if (o.results.empty()) {
    o.verdict = r.verdict;
  } else if (r.verdict != Verdict::error && (o.verdict == Verdict::error || r.verdict > o.verdict)) {
    o.verdict = r.verdict;
  }
  Rendered out{{}, r.verdict, std::nullopt};
  if (!(r.error && args.format == "text")) out.text = render(r, args, color);
  if (args.psl != nullptr && !r.error && r.verdict != Verdict::error && r.verdict >= args.record_from) {
    out.record = campaigns::extract(r, *args.psl, nullptr, args.features);
  }
  o.results.push_back(std::move(out));
}

// In process, or in a sandboxed worker (--isolate, docs/adr/0011). Either way
// the result may view `bytes`, which the caller keeps until it has rendered.
struct Scanner {
  const Engine& engine;
  WorkerPool* pool = nullptr;
  ScanResult scan(ByteView bytes, const std::string& name, const ScanOptions& options) const {
    return pool != nullptr ? pool->scan(bytes, name, options) : engine.scan(bytes, name, options);
  }
};

// A sandboxed worker takes up to this many small messages at once
// (WorkerPool::scan_batch): most of a mail archive is messages of a few
// kilobytes, whose scan costs less than the two process wake-ups around it
// (bench/README.md: 8, 16 and 32 measured; 32 brings the sandbox's cost on
// ham under 10 %). A larger message goes alone, so one slow file does not
// hold up the others (WorkerPool::kBatchInputBytes).
constexpr std::size_t kBatchInputs = 32;

// The printing thread waits for this many results in a row (or the last ones)
// before it takes the next: bench/README.md ("Campaigns").
constexpr std::size_t kResultsPerWake = 16;
// Report text gathered before it is handed to stdio in one piece.
constexpr std::size_t kPendingOutput = std::size_t{256} << 10;

// One message to scan: a file, or one message of an mbox.
struct Piece {
  ByteView bytes;
  const std::string* name;
  ScanOptions options;
};

// Results in order; consecutive small pieces share a sandboxed worker.
std::vector<ScanResult> scan_pieces(const Scanner& scanner, std::span<const Piece> pieces) {
  std::vector<ScanResult> out;
  out.reserve(pieces.size());
  if (scanner.pool == nullptr) {
    for (const Piece& p : pieces) out.push_back(scanner.engine.scan(p.bytes, *p.name, p.options));
    return out;
  }
  std::vector<WorkerPool::BatchInput> batch;
  const auto flush = [&] {
    for (ScanResult& r : scanner.pool->scan_batch(batch)) out.push_back(std::move(r));
    batch.clear();
  };
  for (const Piece& p : pieces) {
    if (p.bytes.size() > WorkerPool::kBatchInputBytes) {
      flush();
      out.push_back(scanner.pool->scan(p.bytes, *p.name, p.options));
      continue;
    }
    batch.push_back({p.bytes, *p.name, p.options});
    if (batch.size() == kBatchInputs) flush();
  }
  flush();
  return out;
}

// An input read (and split, when it is a mailbox), ready to scan.
struct Prepared {
  std::string shown;
  Loaded loaded;
  std::vector<MailboxEntry> entries;  // an mbox's messages; empty for one message
  bool unreadable = false;            // then its result is in the Outcome already
};

Prepared prepare(const Engine& engine, const Input& in, std::size_t index, const ScanArgs& args, bool color,
                 Outcome& o) {
  Prepared p;
  p.shown = in.path == "-" ? std::string("stdin") : in.path;
  const std::string& why = !in.error.empty() ? in.error
                           : (p.loaded = load_input(in.path, engine.config().limits.max_input_bytes)).error;
  if (!why.empty()) {
    ScanResult r = unreadable_input(p.shown, why);
    finish(r, p.shown, index, args, color, o);
    p.unreadable = true;
    return p;
  }
  // An mbox is a folder of messages: each gets its own verdict, "box#N", as
  // the messages of a Maildir do. A cut mbox is scanned whole, so the cut is
  // reported against the file rather than lost with its last message.
  if (!p.loaded.cut) {
    p.entries = split_mailbox(p.shown, ByteView(p.loaded.bytes.data(), p.loaded.bytes.size()),
                              engine.config().limits.max_children);
  }
  return p;
}

void scan_prepared(const Scanner& scanner, const Prepared& p, std::size_t index, const ScanArgs& args, bool color,
                   Outcome& o) {
  ScanOptions options;
  options.input_cut = p.loaded.cut;
  options.in_flight = args.in_flight;
  if (p.entries.empty()) {
    ScanResult r = scanner.scan(ByteView(p.loaded.bytes.data(), p.loaded.bytes.size()), p.shown, options);
    finish(r, p.shown, index, args, color, o);
    return;
  }
  // The views point into p.loaded (or an entry's joined copy), alive until we
  // return; results are rendered a batch at a time, never a mailbox at a time.
  std::vector<Piece> pieces;
  for (std::size_t at = 0; at < p.entries.size(); at += kBatchInputs) {
    pieces.clear();
    for (std::size_t i = at; i < std::min(p.entries.size(), at + kBatchInputs); ++i) {
      pieces.push_back({p.entries[i].view(), &p.entries[i].name, options});
    }
    std::vector<ScanResult> results = scan_pieces(scanner, pieces);
    for (std::size_t i = 0; i < results.size(); ++i) finish(results[i], p.entries[at + i].name, index, args, color, o);
  }
}

Outcome scan_one(const Scanner& scanner, const Input& in, std::size_t index, const ScanArgs& args,
                 bool color) {
  Outcome o;
  const Prepared p = prepare(scanner.engine, in, index, args, color, o);
  if (!p.unreadable) scan_prepared(scanner, p, index, args, color, o);
  return o;
}

// Inputs [first, first + count): sandboxed, their small single messages go to
// one worker together.
std::vector<Outcome> scan_group(const Scanner& scanner, const std::vector<Input>& inputs, std::size_t first,
                                std::size_t count, const ScanArgs& args, bool color) {
  std::vector<Outcome> out(count);
  if (scanner.pool == nullptr || count == 1) {
    for (std::size_t k = 0; k < count; ++k) out[k] = scan_one(scanner, inputs[first + k], first + k, args, color);
    return out;
  }
  std::vector<Prepared> prepared(count);
  std::vector<std::size_t> together;
  std::vector<Piece> pieces;
  ScanOptions options;
  options.in_flight = args.in_flight;
  for (std::size_t k = 0; k < count; ++k) {
    Prepared& p = prepared[k];
    p = prepare(scanner.engine, inputs[first + k], first + k, args, color, out[k]);
    if (p.unreadable) continue;
    // A small file, or a small mbox of one message (the "From " line the
    // SpamAssassin corpus and many archives start each file with).
    if (p.entries.empty() && !p.loaded.cut && p.loaded.bytes.size() <= WorkerPool::kBatchInputBytes) {
      together.push_back(k);
      pieces.push_back({ByteView(p.loaded.bytes.data(), p.loaded.bytes.size()), &p.shown, options});
    } else if (p.entries.size() == 1 && p.entries[0].view().size() <= WorkerPool::kBatchInputBytes) {
      together.push_back(k);
      pieces.push_back({p.entries[0].view(), &p.entries[0].name, options});
    } else {
      scan_prepared(scanner, p, first + k, args, color, out[k]);
      p = Prepared{};  // a large input is not held while the others are scanned
    }
  }
  std::vector<ScanResult> results = scan_pieces(scanner, pieces);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const std::size_t k = together[i];
    finish(results[i], *pieces[i].name, first + k, args, color, out[k]);
  }
  return out;
}

class Progress {
 public:
  Progress(std::size_t total, bool on) : total_(total), on_(on) {}
  void update(std::size_t done) {
    if (!on_) return;
    constexpr int kWidth = 30;
    const int fill = static_cast<int>(kWidth * done / (total_ ? total_ : 1));
    std::fprintf(stderr, "\r[%.*s%*s] %zu/%zu", fill, "##############################",
                 kWidth - fill, "", done, total_);
    if (done == total_) std::fputc('\n', stderr);
    std::fflush(stderr);
  }

  void clear_line() {
    if (on_) std::fputs("\r\x1b[K", stderr);
  }

 private:
  std::size_t total_;
  bool on_;
};

// The result's campaign, added to what was rendered where it was scanned.
void add_campaign(Rendered& r, const ScanArgs& args, campaigns::Store& store, std::int64_t now,
                  bool& error) {
  if (!r.record) {
    // Below min_verdict (or unscannable): not recorded, and the result says so.
    if (args.format != "text" && !r.text.empty()) {
      std::string doc = std::move(r.text);
      while (!doc.empty() && doc.back() == '\n') doc.pop_back();
      r.text = report::with_member(std::move(doc), "campaign", "null") + "\n";
    }
    return;
  }
  const std::int64_t seen =
      args.campaign_time == "date" ? r.record->facts.sent_at.value_or(now) : now;
  // One transaction per 64 messages or per second, whichever comes first:
  // the pages a message touches are written once per batch (bench/README.md),
  // and another writer (the milter) waits at most about a second.
  if (!store.in_batch()) {
    if (auto s = store.begin_batch(); !s) {
      std::fprintf(stderr, "sluice: %s\n", s.error().what.c_str());
      error = true;
    }
  }
  auto a = store.record(*r.record, seen);
  if (store.in_batch() && (store.batched() >= 64 || store.batch_age() > std::chrono::seconds(1))) {
    if (auto s = store.end_batch(); !s) {
      std::fprintf(stderr, "sluice: %s\n", s.error().what.c_str());
      error = true;
    }
  }
  if (!a) {
    std::fprintf(stderr, "sluice: %s: %s\n", r.record->facts.input.c_str(), a.error().what.c_str());
    error = true;
  }
  const bool assigned = a && a->has_value();
  if (args.format == "text") {
    if (assigned) r.text += campaigns::to_text(**a);
    return;
  }
  std::string doc = std::move(r.text);
  while (!doc.empty() && doc.back() == '\n') doc.pop_back();
  const std::string value = assigned ? campaigns::assignment_json(**a) : std::string("null");
  r.text = report::with_member(std::move(doc), "campaign", value) + "\n";
}

int run_scan(const ScanArgs& args_in) {
  auto cfg = load_config(args_in.config_file);
  if (!cfg) {
    std::fprintf(stderr, "sluice: %s\n", cfg.error().what.c_str());
    return kExitError;
  }
  const Verdict exit_at = cfg->policy.exit_at;
  // The campaign store is memory, not the verdict: one that cannot be opened
  // is an error the user hears about, and every scan result is still printed.
  // It is opened (and pruned) beside the engine's start-up, each a few
  // milliseconds of one core, and joined before anything is scanned or forked.
  struct Memory {
    std::optional<campaigns::Store> store;
    std::optional<analysis::lure::PublicSuffixList> psl;
    std::string said;  // for stderr, once joined
    bool failed = false;
  };
  const std::string db = args_in.campaign_db.empty() ? cfg->campaigns.db : args_in.campaign_db;
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  std::future<Memory> opening;
  if (!db.empty()) {
    opening = std::async(std::launch::async, [db, now, list = cfg->lure.public_suffix_list,
                                              options = campaigns::StoreOptions{
                                                  .min_verdict = cfg->campaigns.min_verdict,
                                                  .window_days = cfg->campaigns.window_days,
                                                  .keep_days = cfg->campaigns.keep_days}] {
      Memory m;
      auto opened = campaigns::Store::open(db, options);
      if (!opened) {
        m.said = "sluice: " + opened.error().what + "; results are not recorded\n";
        m.failed = true;
        return m;
      }
      if (auto pruned = opened->prune(now); !pruned) m.said = "sluice: campaign store: " + pruned.error().what + "\n";
      // The engine reads the same list; without it nothing is recorded
      // rather than misgrouped.
      auto psl = analysis::lure::PublicSuffixList::load(list);
      if (!psl) {
        m.said += "sluice: " + psl.error().what + "; results are not recorded\n";
        m.failed = true;
        return m;
      }
      m.store.emplace(std::move(*opened));
      m.psl.emplace(std::move(*psl));
      return m;
    });
  }
  ScanArgs args = args_in;
  args.record_from = cfg->campaigns.min_verdict;
  auto engine = Engine::create(std::move(*cfg));
  Memory memory = opening.valid() ? opening.get() : Memory{};
  std::fputs(memory.said.c_str(), stderr);
  bool store_error = memory.failed;
  std::optional<campaigns::Store>& store = memory.store;
  if (memory.psl) args.psl = &*memory.psl;
  // Only a recorded message keeps its feature vector: the list is built when
  // there is a store to record into (a one-file scan does not pay for it).
  std::optional<model::FeatureSpace> features;
  if (store) args.features = &features.emplace(model::FeatureSpace::builtin());
  if (!engine) {
    std::fprintf(stderr, "sluice: %s\n", engine.error().what.c_str());
    return kExitError;
  }
  // The workers are forked now, from the engine just built: they inherit its
  // rules, icons and PSL and never load anything after locking down.
  std::unique_ptr<WorkerPool> sandbox;
  if (args.isolate) {
    const unsigned n = args.workers ? args.workers : std::max(1u, std::thread::hardware_concurrency());
    auto made = WorkerPool::create(*engine, {.workers = n});
    if (!made) {
      std::fprintf(stderr, "sluice: --isolate: %s\n", made.error().what.c_str());
      return kExitError;
    }
    sandbox = std::move(*made);
  }
  const Scanner scanner{*engine, sandbox.get()};
  const std::vector<Input> inputs = expand_paths(args.paths);
  const bool color = args.format == "text" && ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
  Progress progress(inputs.size(), !args.quiet && !args.no_progress && ::isatty(STDERR_FILENO) &&
                                       inputs.size() >= 10);

  std::vector<std::optional<Outcome>> done(inputs.size());
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<std::size_t> next{0};
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const unsigned jobs = std::max<unsigned>(1, std::min<std::size_t>(args.jobs ? args.jobs : hw, inputs.size()));
  // Sandboxed, each job takes a run of inputs, whose small messages go to one
  // worker together (scan_group); runs stay short enough that every job gets
  // several, so a short list still spreads over all workers.
  const std::size_t group = sandbox ? std::clamp<std::size_t>(inputs.size() / (4 * jobs), 1, kBatchInputs) : 1;
  // Sandboxed, two feeding threads per worker: while one waits for its batch,
  // the other decodes and renders the batch before, so the worker is never
  // idle on the parent's account (the workers, not these threads, are the
  // parallel scans -j asks for: the pool lends each thread a free one).
  const unsigned feeders = sandbox ? 2 * std::max(1u, sandbox->size()) : jobs;
  // The run of results the printing thread waits for ([from, to), empty when
  // it is not waiting): a scanning thread wakes it only once that run is
  // complete, not for every result (each wake-up was a futex call and the
  // mutex fought over, a quarter more CPU at -j 2 than at -j 1).
  struct Awaited {
    std::size_t from = 0, to = 0;
  } awaited;
  auto run_ready = [&](std::size_t from, std::size_t to) {
    for (std::size_t k = from; k < to; ++k) {
      if (!done[k].has_value()) return false;
    }
    return true;
  };
  // Printed outcomes go back to the thread that made them, which frees them
  // there: freed on the printing thread, each string took the scanning
  // thread's malloc arena lock from under it (29 % of the interrupts a -j 2
  // run sent between cores, docs/adr/0042).
  std::vector<std::vector<Outcome>> spent(feeders);
  auto worker = [&](unsigned me) {
    std::vector<Outcome> mine;
    for (std::size_t i; (i = next.fetch_add(group)) < inputs.size();) {
      std::vector<Outcome> os = scan_group(scanner, inputs, i, std::min(group, inputs.size() - i), args, color);
      bool wake = false;
      {
        std::lock_guard lock(mu);
        for (std::size_t k = 0; k < os.size(); ++k) {
          os[k].made_by = me;
          done[i + k] = std::move(os[k]);
        }
        wake = awaited.from < awaited.to && i < awaited.to && i + os.size() > awaited.from &&
               run_ready(awaited.from, awaited.to);
        if (wake) awaited = {};
        mine.swap(spent[me]);
      }
      if (wake) cv.notify_one();
      mine.clear();
    }
  };
  // One job in process scans on this thread: no hand-over, no wake-up per message.
  std::vector<std::jthread> pool;
  if (feeders > 1) {
    for (unsigned t = 0; t < std::min<std::size_t>(feeders, inputs.size()); ++t) pool.emplace_back(worker, t);
  }

  // Results print in input order as soon as each is ready, so output is stable
  // whatever -j is, and long runs stream.
  bool any_found = false, any_error = store_error;
  std::vector<std::string> json_docs;
  std::size_t results = 0;
  // Output is flushed when this side is about to wait for the next result
  // (on one thread: when the last flush is 100 ms old), and to a terminal
  // always: a stream consumer still sees results as they come, and a run over
  // a folder is not one write per message.
  const bool tty_out = ::isatty(STDOUT_FILENO);
  auto last_flush = std::chrono::steady_clock::now();
  // Reports are gathered and handed to stdio in large pieces, which it
  // writes through at once: its own buffer is one block (4 KiB) for a pipe
  // or file, a write call per 4 KiB of JSON (2,426 for the SpamAssassin
  // ham), and glibc ignores a larger size asked of setvbuf without a buffer.
  std::string pending;
  auto drain = [&pending] {
    std::fwrite(pending.data(), 1, pending.size(), stdout);
    pending.clear();
    std::fflush(stdout);
  };
  std::vector<Outcome> printed;  // handed back under the lock this side takes for the next result
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    Outcome o;
    if (pool.empty()) {
      if (const auto t = std::chrono::steady_clock::now(); t - last_flush >= std::chrono::milliseconds(100)) {
        drain();
        last_flush = t;
      }
      if (!done[i].has_value()) {
        std::vector<Outcome> os = scan_group(scanner, inputs, i, std::min(group, inputs.size() - i), args, color);
        for (std::size_t k = 0; k < os.size(); ++k) done[i + k] = std::move(os[k]);
      }
      o = std::move(*done[i]);
      done[i].reset();
    } else {
      std::unique_lock lock(mu);
      for (Outcome& p : printed) spent[p.made_by].push_back(std::move(p));
      printed.clear();
      if (!done[i].has_value()) {
        lock.unlock();
        drain();
        lock.lock();
        // Woken for a run of results, not each one: recording campaigns
        // (and printing) then runs with its memory warm, and the scanning
        // threads are interrupted once per run instead of once per message.
        const std::size_t run_end = std::min(inputs.size(), i + kResultsPerWake);
        if (!run_ready(i, run_end)) {
          awaited = {i, run_end};
          cv.wait(lock, [&] { return run_ready(i, run_end); });
          awaited = {};
        }
      }
      o = std::move(*done[i]);
      done[i].reset();
    }
    for (const auto& m : o.messages) {
      progress.clear_line();
      std::fprintf(stderr, "%s\n", m.c_str());
    }
    for (Rendered& r : o.results) {
      if (store) add_campaign(r, args, *store, now, any_error);
      if (args.format == "json") {
        // One JSON document, an array when there are several results.
        if (!r.text.empty() && (!args.quiet || inputs.size() > 1 || r.verdict >= exit_at)) {
          json_docs.push_back(std::move(r.text));
        }
      } else if (!args.quiet || r.verdict >= exit_at) {
        pending += r.text;
        if (tty_out || pending.size() >= kPendingOutput) drain();
      }
    }
    results += o.results.size();
    any_error |= o.error;
    any_found |= o.verdict != Verdict::error && o.verdict >= exit_at;
    progress.update(i + 1);
    if (!pool.empty()) printed.push_back(std::move(o));
  }
  drain();
  if (store) {
    if (auto s = store->end_batch(); !s) {
      std::fprintf(stderr, "sluice: %s\n", s.error().what.c_str());
      any_error = true;
    }
  }
  if (json_docs.size() == 1 && inputs.size() == 1 && results == 1) {
    std::fwrite(json_docs[0].data(), 1, json_docs[0].size(), stdout);
  } else if (!json_docs.empty()) {
    std::string all = "[\n";
    for (std::size_t i = 0; i < json_docs.size(); ++i) {
      if (!json_docs[i].empty() && json_docs[i].back() == '\n') json_docs[i].pop_back();
      all += json_docs[i] + (i + 1 < json_docs.size() ? ",\n" : "\n");
    }
    all += "]\n";
    std::fwrite(all.data(), 1, all.size(), stdout);
  }
  if (sandbox && args.worker_stats) {
    const WorkerPool::Stats st = sandbox->stats();
    std::fprintf(stderr, "sluice: workers: %u, scans %llu, failures %llu, respawns %llu, started %llu "
                 "(mean %.2f ms to fork and lock down)\n", sandbox->size(),
                 static_cast<unsigned long long>(st.scans), static_cast<unsigned long long>(st.failures),
                 static_cast<unsigned long long>(st.respawns), static_cast<unsigned long long>(st.spawns),
                 st.spawns ? static_cast<double>(st.spawn_time.count()) / 1000.0 / static_cast<double>(st.spawns) : 0.0);
  }
  if (any_found) return kExitFound;
  return any_error ? kExitError : kExitClean;
}

}  // namespace
}  // namespace sluice::cli

int main(int argc, char** argv) {
  using namespace sluice::cli;
  CLI::App app{
      "Sluice finds malicious mail attachments: it unpacks every container a mail can carry (ZIP,\n"
      "7z, RAR, ISO/UDF, IMG/FAT, VHD/VHDX, NTFS, PDF, Office, OneNote, HTML/SVG smuggling ...),\n"
      "types every member by content, and explains its verdict.\n\n"
      "Examples:\n"
      "  sluice scan message.eml            verdict, artifact tree and top findings\n"
      "  sluice scan --format jsonl DIR     one JSON object per file, for pipelines\n"
      "  sluice scan - < attachment.gz      read stdin\n"
      "  sluice explain limit.exceeded      what a finding means and why it matters\n"
      "  sluice keys                        the metadata keys a report's artifacts carry\n\n"
      "Exit status: 0 nothing at or above policy.exit_at, 1 something found, 2 errors only.",
      "sluice"};
  app.set_version_flag("--version", std::string("sluice ") + std::string(sluice::version()));
  app.require_subcommand(1);

  ScanArgs args;
  auto* scan = app.add_subcommand("scan", "Scan files, directories (recursively) or - for stdin");
  scan->add_option("paths", args.paths, "Files, directories or - (stdin)")->required();
  scan->add_option("-f,--format", args.format, "Output: text (default), json (one document), jsonl (one line per input)")
      ->check(CLI::IsMember({"text", "json", "jsonl"}));
  scan->add_option("-x,--extract", args.extract_dir, "Write every unpacked artifact under this directory");
  scan->add_option("-c,--config", args.config_file, "TOML file overriding limits and policy (see data/policy.toml)");
  scan->add_option("-j,--jobs", args.jobs, "Inputs scanned in parallel (default: number of cores)")
      ->check(CLI::Range(1u, 1024u));
  scan->add_flag("--isolate", args.isolate,
                 "Scan each input in a sandboxed worker process (seccomp, rlimits; docs/adr/0011)");
  scan->add_flag("--in-flight", args.in_flight,
                 "The mail is arriving now (a content filter, a pipe from the MTA): a page's scripts see the "
                 "scan's time, not what the message's own Received and Date fields claim (docs/adr/0043)");
  scan->add_option("--workers", args.workers, "Sandboxed workers with --isolate (default: number of cores)")
      ->check(CLI::Range(1u, 256u));
  scan->add_flag("--worker-stats", args.worker_stats, "With --isolate: print the pool's counters to stderr at the end");
  scan->add_flag("-q,--quiet", args.quiet, "Print only inputs at or above the exit verdict");
  scan->add_flag("--no-progress", args.no_progress, "Never draw the progress bar");
  scan->add_option("--campaign-db", args.campaign_db,
                   "Record each message at or above [campaigns] min_verdict in this campaign store (an SQLite "
                   "file or postgresql:// URI) and add its campaign to the result");
  scan->add_option("--campaign-time", args.campaign_time,
                   "When a recorded message was seen: now (default), or date (its Date header, for an archive)")
      ->check(CLI::IsMember({"now", "date"}));

  CampaignsArgs cargs;
  auto* camp = app.add_subcommand("campaigns", "Read the campaign store: list, show ID, assignments, export ID; "
                                              "label ID malicious|benign|clear");
  camp->add_option("--db", cargs.db, "The store (SQLite file or postgresql:// URI); default: [campaigns] db");
  camp->add_option("-c,--config", cargs.config_file, "TOML config whose [campaigns] db names the store");
  camp->add_option("-f,--format", cargs.format, "text (default), json, jsonl; export also stix (STIX 2.1 bundle)")
      ->check(CLI::IsMember({"text", "json", "jsonl", "stix"}));
  camp->add_option("--html", cargs.html_file, "Also write a self-contained HTML report of what is shown");
  camp->add_option("action", cargs.action, "list | show | assignments | export | label")
      ->check(CLI::IsMember({"list", "show", "assignments", "export", "label"}));
  camp->add_option("id", cargs.id, "Campaign ID for show, export and label (C-<n>); with --message a message number");
  camp->add_option("label", cargs.label, "For label: malicious, benign, or clear (training data for `sluice model train "
                                         "--from-store`)")
      ->check(CLI::IsMember({"malicious", "benign", "clear"}));
  camp->add_flag("--message", cargs.message, "label: ID is a stored message's number (see assignments), not a campaign");

  // Scale-out on Redis Streams (docs/scale-out.md).
  auto queue_options = [](CLI::App* cmd, sluice::queue::QueueArgs& q, const char* stream_help) {
    cmd->add_option("--redis", q.redis, "redis://[user:password@]host[:port][/db], rediss://… (TLS) or "
                                        "unix:///path; default: [queue] redis, else redis://127.0.0.1:6379");
    cmd->add_option("--stream", q.stream, stream_help);
    cmd->add_option("--group", q.group, "Consumer group (default: [queue] group, else sluice)");
    cmd->add_option("-c,--config", q.config_file, "TOML file: [queue] settings and the engine's tables");
  };
  sluice::queue::SubmitArgs submit_args;
  auto* submit = app.add_subcommand("submit", "Queue files, directories, mboxes (one job per message) and Maildirs "
                                              "on Redis for `sluice worker`");
  submit->add_option("paths", submit_args.paths, "Files, directories or - (stdin)")->required();
  queue_options(submit, submit_args.queue, "Job stream (default: [queue] stream, else sluice:jobs)");

  sluice::queue::WorkerArgs worker_args;
  bool no_isolate = false;
  auto* worker = app.add_subcommand("worker", "Scan jobs from the Redis queue and write each result to the results "
                                              "stream, until SIGTERM (or --drain)");
  queue_options(worker, worker_args.queue, "Job stream (default: [queue] stream, else sluice:jobs)");
  worker->add_option("-j,--jobs", worker_args.jobs, "Jobs scanned at once (default: number of cores)")
      ->check(CLI::Range(1u, 256u));
  worker->add_flag("--no-isolate", no_isolate, "Scan in this process instead of sandboxed workers (docs/adr/0011)");
  worker->add_flag("--drain", worker_args.drain,
                   "Exit once the job stream is empty (a batch whose submit has finished)");
  worker->add_option("--name", worker_args.name, "Consumer-name prefix (default: host-pid)");

  sluice::queue::ResultsArgs results_args;
  auto* results = app.add_subcommand("results", "Print the results stream and the dead letters");
  queue_options(results, results_args.queue, "Job stream (unused; the results stream is [queue] results)");
  results->add_option("-f,--format", results_args.format, "jsonl (default: one report per line) or text")
      ->check(CLI::IsMember({"jsonl", "text"}));
  results->add_flag("--follow", results_args.follow, "Keep printing new results until interrupted");
  results->add_flag("--duplicates", results_args.duplicates,
                    "Also print results marked duplicate (a job scanned twice: at-least-once delivery)");
  results->add_option("--from", results_args.from, "Start after this stream entry ID (default: 0, all)");

  FeaturesArgs fargs;
  auto* features = app.add_subcommand("features", "Print each message's feature vector (docs/features.md)");
  features->add_option("paths", fargs.paths, "Files, directories, mboxes");
  features->add_option("-f,--format", fargs.format, "jsonl (default), csv, or markdown (the feature table)")
      ->check(CLI::IsMember({"jsonl", "csv", "markdown"}));
  features->add_option("-c,--config", fargs.config_file, "TOML config (limits and policy the features see)");

  ModelArgs margs;
  auto* model = app.add_subcommand("model", "Train or evaluate a model on labelled mail (docs/model.md)");
  model->add_option("action", margs.action, "train | eval")->required()->check(CLI::IsMember({"train", "eval"}));
  model->add_option("--malicious", margs.malicious, "Malicious mail: files, directories, mboxes");
  model->add_option("--benign", margs.benign, "Benign mail: files, directories, mboxes");
  model->add_option("--labels", margs.labels, "TSV file: path<TAB>malicious|benign[<TAB>technique]");
  model->add_option("--from-store", margs.from_store,
                    "Campaign store (SQLite file or postgresql:// URI) whose labelled messages are samples too "
                    "(`sluice campaigns label`)");
  model->add_option("-o,--output", margs.out, "train: the model file to write");
  model->add_option("--model", margs.model, "eval: the model file to evaluate");
  model->add_option("-c,--config", margs.config_file, "TOML config (limits and policy the features see)");
  model->add_option("-f,--format", margs.format, "eval: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  model->add_option("--folds", margs.folds, "train: cross-validation folds (default 5)")->check(CLI::Range(2u, 20u));
  model->add_option("--seed", margs.seed, "train: the seed of fold assignment and boosting (default 1)");
  model->add_option("--rounds", margs.rounds, "train: boosting rounds (default 120)")->check(CLI::Range(1u, 5000u));
  model->add_option("--max-depth", margs.max_depth, "train: tree depth (default 4)")->check(CLI::Range(1u, 12u));
  model->add_option("--threshold", margs.threshold, "train: probability at which figures are measured (default 0.5)")
      ->check(CLI::Range(0.01, 0.99));
  model->add_option("--description", margs.description, "train: what the training set is, kept in the header");

  std::string finding_id;
  auto* explain = app.add_subcommand("explain", "Print the catalog entry of a finding ID or a meta key");
  explain->add_option("id", finding_id, "Finding ID or meta key, e.g. container.executable, pe.imphash")->required();
  bool keys_markdown = false;
  auto* keys = app.add_subcommand("keys", "List the metadata keys formats record on artifacts");
  keys->add_flag("--markdown", keys_markdown, "print docs/metadata.md");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : kExitError;
  }
  if (*scan) return run_scan(args);
  if (*explain) return run_explain(finding_id);
  if (*keys) return run_keys(keys_markdown);
  if (*features) return run_features(fargs);
  if (*model) return run_model(margs);
  if (*submit) return sluice::queue::run_submit(submit_args);
  if (*worker) {
    worker_args.isolate = !no_isolate;
    return sluice::queue::run_worker(worker_args);
  }
  if (*results) return sluice::queue::run_results(results_args);
  if (*camp) {
    if (cargs.action.empty() && cargs.html_file.empty()) cargs.action = "list";
    return run_campaigns(cargs);
  }
  return kExitError;
}
