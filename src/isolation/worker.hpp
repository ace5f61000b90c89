#pragma once
// The scan worker: a child of the pool that holds a copy of the engine (built
// before the fork, so rules, icons and the PSL are already loaded), locks
// itself down, and then scans one input per request until its socket closes.
#include <cstdint>
#include <sys/types.h>

#include "sluice/engine.hpp"

namespace sluice::isolation {

struct WorkerSetup {
  // RLIMIT_AS on top of the address space inherited at the fork; 0 leaves it
  // (sanitizer builds, whose shadow memory needs terabytes).
  std::uint64_t address_space = 0;
  std::uint32_t cpu_seconds_per_scan = 60;
  // When started as root: the unprivileged user to become (nobody).
  bool drop_privileges = false;
  uid_t uid = 65534;
  gid_t gid = 65534;
};

// Runs in the forked child; never returns. `sock` is its end of the socketpair.
[[noreturn]] void worker_main(const Engine& engine, int sock, const WorkerSetup& setup);

}  // namespace sluice::isolation
