// sluice results: the results stream (and the dead letters) for pipelines,
// from the start or a given entry ID, once or --follow.
#include <signal.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "connection.hpp"
#include "job.hpp"
#include "sluice/report.hpp"

namespace sluice::queue {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 2;

struct Tally {
  std::uint64_t results = 0, duplicates = 0, dead = 0;
};

void print_result(const Entry& e, const ResultsArgs& args, Tally& t) {
  const bool dup = field(e.fields, "duplicate") == "1";
  if (dup) {
    ++t.duplicates;
    if (!args.duplicates) return;
  } else {
    ++t.results;
  }
  if (args.format == "text") {
    std::printf("%-10s %7s  %s  (job %s%s)\n", std::string(field(e.fields, "verdict")).c_str(),
                std::string(field(e.fields, "score")).c_str(), std::string(field(e.fields, "name")).c_str(),
                std::string(field(e.fields, "job")).c_str(), dup ? ", duplicate" : "");
    return;
  }
  std::string doc(field(e.fields, "report"));
  if (dup) doc = report::with_member(std::move(doc), "duplicate", "true");
  std::fwrite(doc.data(), 1, doc.size(), stdout);
  std::fputc('\n', stdout);
}

void print_dead_letter(const Entry& e, const ResultsArgs& args, Tally& t) {
  ++t.dead;
  const std::string job(field(e.fields, "job")), name(field(e.fields, "name")), reason(field(e.fields, "reason"));
  const std::string attempts(field(e.fields, "attempts"));
  if (args.format == "text") {
    std::printf("%-10s %7s  %s  (job %s): %s\n", "dead", attempts.c_str(), name.c_str(), job.c_str(), reason.c_str());
    return;
  }
  nlohmann::ordered_json d{{"job", job},
                           {"name", name},
                           {"reason", reason},
                           {"attempts", std::atoi(attempts.c_str())},
                           {"worker", std::string(field(e.fields, "worker"))},
                           {"entry", e.id}};
  if (const std::string_view p = field(e.fields, "path"); !p.empty()) d["path"] = std::string(p);
  const nlohmann::ordered_json line{{"dead_letter", d}};
  std::printf("%s\n", line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
}

}  // namespace

int run_results(const ResultsArgs& args) {
  std::atomic<bool> stop{false};
  auto opened = open_queue(args.queue, "results", &stop);
  if (!opened) {
    std::fprintf(stderr, "sluice results: %s\n", opened.error().what.c_str());
    return kExitError;
  }
  // --follow ends on SIGINT/SIGTERM, after the batch in hand is printed.
  sigset_t signals;
  sigemptyset(&signals);
  if (args.follow) signals = block_stop_signals();
  const QueueConfig* cfg = &opened->cfg;
  RedisClient redis(std::move(opened->client));
  if (auto c = redis.connect(); !c) {
    std::fprintf(stderr, "sluice results: %s\n", c.error().what.c_str());
    return kExitError;
  }
  const QueueSettings& q = cfg->queue;
  std::string after_results = args.from, after_dead = args.from;
  Tally tally;
  for (;;) {
    if (args.follow) {
      const timespec none{0, 0};
      if (const int sig = sigtimedwait(&signals, nullptr, &none); sig == SIGTERM || sig == SIGINT) break;
    }
    std::vector<std::string_view> argv{"XREAD", "COUNT", "512"};
    if (args.follow) {
      argv.push_back("BLOCK");
      argv.push_back("500");
    }
    for (std::string_view a : {std::string_view("STREAMS"), std::string_view(q.results),
                               std::string_view(q.dead_letters), std::string_view(after_results),
                               std::string_view(after_dead)}) {
      argv.push_back(a);
    }
    auto r = redis.call(argv);
    if (!r) break;
    if (r->is_error()) {
      std::fprintf(stderr, "sluice results: XREAD: %s\n", std::string(r->str()).c_str());
      return kExitError;
    }
    if (r->is_nil() || r->size() == 0) {
      if (!args.follow) break;
      std::fflush(stdout);
      continue;
    }
    for (std::size_t s = 0; s < r->size(); ++s) {
      const Reply stream = (*r)[s];
      const bool dead = stream[0].str() == q.dead_letters;
      for (const Entry& e : entries_of(stream[1])) {
        if (dead) {
          print_dead_letter(e, args, tally);
          after_dead = e.id;
        } else {
          print_result(e, args, tally);
          after_results = e.id;
        }
      }
    }
    std::fflush(stdout);
  }
  std::fprintf(stderr, "sluice results: %llu results, %llu duplicates%s, %llu dead letters\n",
               static_cast<unsigned long long>(tally.results), static_cast<unsigned long long>(tally.duplicates),
               args.duplicates ? "" : " (not shown; --duplicates shows them)",
               static_cast<unsigned long long>(tally.dead));
  return kExitOk;
}

}  // namespace sluice::queue
