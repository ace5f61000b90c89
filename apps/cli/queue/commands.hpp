#pragma once
// sluice submit | worker | results: many machines scanning one queue on Redis
// Streams (docs/scale-out.md, issue #18).
#include <string>
#include <vector>

namespace sluice::queue {

// Shared by the three commands: where the queue is and what it is called.
struct QueueArgs {
  std::string config_file;
  std::string redis;  // overrides [queue] redis
  std::string stream;  // overrides [queue] stream
  std::string group;   // overrides [queue] group
};

struct SubmitArgs {
  QueueArgs queue;
  std::vector<std::string> paths;
};

struct WorkerArgs {
  QueueArgs queue;
  unsigned jobs = 0;      // scans at once (consumers); 0: one per core
  bool isolate = true;    // sandboxed scan workers (docs/adr/0011)
  bool drain = false;     // exit once the job stream is empty
  std::string name;       // consumer-name prefix; default host-pid
};

struct ResultsArgs {
  QueueArgs queue;
  std::string format = "jsonl";
  bool follow = false;
  bool duplicates = false;  // also print results marked as duplicates
  std::string from = "0";   // stream ID to start after ("0": everything kept)
};

int run_submit(const SubmitArgs& args);
int run_worker(const WorkerArgs& args);
int run_results(const ResultsArgs& args);

}  // namespace sluice::queue
