#pragma once
// Long-lived helper processes that run pages' scripts. A page's scripts run in
// a process of their own (ADR 0012: Duktape is a C interpreter fed hostile
// code). Forking one per page cost 3–4 ms — copying and tearing down an
// address space of some 60 shared libraries — against 0.3 ms of script run:
// a quarter of the ham corpus's scan time went to 1.4 % of its messages
// (issue #17). A helper is started once and runs page after page: the parent
// sends the page and its budget, the helper sends back the same record a
// forked reader sends (core/isolate), which the parent re-checks as hostile
// and replays. A helper that crashes, overruns the scan's deadline or sends a
// bad record is killed and never used again; the next page gets a new one.
// Each helper is retired after kMaxRuns pages, so whatever a page did to its
// interpreter's process cannot follow many later pages. docs/adr/0026.
//
// Helpers are started from a program (sluice-script-helper, ADR 0042), not
// forked: a fork shares every page of the engine's memory copy-on-write, so
// each page the engine then writes faults, is copied and, while another scan
// thread runs, costs a TLB shootdown on its core; and a forked helper holds a
// copy of whatever the engine held (other messages, the campaign store's
// rows) where a script that escaped Duktape could read it. Without the
// program (not installed, or a test's own runner) helpers are forked.

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/isolate.hpp"
#include "core/unpacker.hpp"
#include "formats/html/page_clock.hpp"

namespace sluice::formats::html {

// Runs one page inside a helper: `ctx` holds the page (its bytes, name and
// type) and a copy of the scan's budget.
// Runs the page in the context, its scripts' clock starting as `clock` says
// (page_clock.hpp).
using PageRunner = std::function<void(core::UnpackContext&, const PageClock& clock)>;
// Runs inside a helper after each answer is sent, while the parent goes on:
// the place to drop the last page's state and make the next page's.
using BetweenPages = std::function<void()>;

// The program that serves pages (apps/script-helper), as installed beside
// Sluice's programs (core/own_files.hpp).
inline constexpr std::string_view kScriptHelperProgram = "sluice-script-helper";
// The helper's end of its socket, in every helper.
inline constexpr int kScriptHelperFd = 3;

class ScriptHelpers {
 public:
  static constexpr unsigned kMaxRuns = 256;

  // `runner` and `between` run in helpers forked from this process; with a
  // `program`, helpers are that program started afresh (its own serve loop
  // runs the pages) and they are not used.
  explicit ScriptHelpers(PageRunner runner, BetweenPages between = {}, std::string program = {})
      : runner_(std::move(runner)), between_(std::move(between)), program_(std::move(program)) {}
  ScriptHelpers(const ScriptHelpers&) = delete;
  ScriptHelpers& operator=(const ScriptHelpers&) = delete;
  // Kills and reaps every helper.
  ~ScriptHelpers();

  // Runs ctx's page in a helper and replays what it made into ctx. The
  // failures unpack_isolated reports (isolation.worker_failed, the deadline)
  // are reported the same way.
  [[nodiscard]] Status run(core::UnpackContext& ctx, const PageClock& clock) const;

  // Helpers started so far (for the tests: reuse is observable).
  [[nodiscard]] unsigned started() const;
  // Whether helpers are started from the program rather than forked.
  [[nodiscard]] bool spawned() const noexcept { return !program_.empty(); }

  // A helper's side: reads pages from `fd`, runs each with the runner (its
  // address space capped to the page's share, measured with `gauge`), sends
  // back its record and calls `between`, until the parent closes `fd`.
  [[noreturn]] void serve(int fd, const core::AddressSpaceGauge& gauge) const;

 private:
  struct Helper {
    pid_t pid = -1;
    int fd = -1;
    unsigned runs = 0;
  };
  [[nodiscard]] Result<Helper> take() const;
  void give_back(Helper h) const;
  // Kills and reaps `h`; its wait status.
  int discard(Helper& h) const;

  PageRunner runner_;
  BetweenPages between_;
  std::string program_;
  mutable std::mutex mu_;
  mutable std::vector<Helper> idle_;
  mutable unsigned started_ = 0;
};

}  // namespace sluice::formats::html
