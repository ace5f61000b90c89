#pragma once
// Runs a page's scripts in Duktape (an ES5.1 interpreter, Debian duktape-dev)
// against a fake browser (browser_shim.cpp) that records every file the page
// would make the browser save or open: a Blob behind an <a download> click,
// navigator.msSaveOrOpenBlob, a blob: or data: URL given to location or
// window.open. Nothing reaches the network or the file system: the fake
// browser has neither. Bounded by CPU time (the interpreter's execution-timeout
// hook, built in by cmake/Duktape.cmake), by heap (a counting allocator), and
// by the bytes and counts it records. docs/adr/0012-html-script-execution.md.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "formats/html/markup.hpp"

namespace sluice::formats::html {

struct Download {
  std::string name;       // as the page names it (download=, msSaveOrOpenBlob's name); may be empty
  std::string how;        // "anchor download", "msSaveOrOpenBlob", "navigation", "window.open"
  std::string mime_type;  // the Blob's type
  std::vector<std::uint8_t> bytes;
  bool truncated = false;  // cut at the byte cap
};

// A run's bounds, and the clock it starts at.
struct RunSettings {
  std::uint64_t cpu_ms = 2000;
  std::uint64_t heap_bytes = 256ull << 20;
  std::uint64_t output_bytes = 64ull << 20;  // all downloads and written text together
  std::size_t max_items = 1000;              // downloads, navigations, timers
  // Unix time in milliseconds the page's clock starts at (page_clock.hpp).
  // The clock is the run's own: each reading moves it on by a millisecond, and
  // a timer runs when it is due, so the same page reads the same times on
  // every run and a page that waits for time to pass gets it.
  std::int64_t clock_ms = 0;
};

struct RunResult {
  std::vector<Download> downloads;
  std::vector<std::string> navigations;  // URLs the page sends the browser to (not blob:/data:)
  std::string written;                   // document.write output
  std::vector<std::string> errors;       // the first uncaught errors, for the report
  std::size_t scripts_run = 0;
  bool out_of_time = false;
  bool out_of_memory = false;
  bool output_capped = false;
  bool read_clock = false;  // the page's scripts read the time (Date, performance.now)
};

// The fake browser (polyfills and shim) as Duktape bytecode, compiled from
// Sluice's own sources once per engine: compiling them took 0.9 ms of every
// page's run, more than a newsletter's script (issue #17). Loading bytecode
// is only safe for bytecode Duktape itself made from trusted source, which
// this is; a page's own scripts are always compiled from their text.
struct Prelude {
  std::vector<std::uint8_t> polyfills;
  std::vector<std::uint8_t> shim;
  [[nodiscard]] bool empty() const noexcept { return polyfills.empty() || shim.empty(); }
};
[[nodiscard]] Prelude compile_prelude();

// One page's interpreter: a Duktape heap with the fake browser loaded, made
// before the page is known. A script helper makes one and resets it after
// each page, while its parent goes on with the answer: creating the heap,
// loading the browser and tearing the heap down were half of a newsletter
// page's run (issue #17), and a reset is a memcpy (page_heap.hpp, ADR 0041).
// The page's elements reach the browser when it runs, before any of the
// page's code.
class Interpreter {
 public:
  // `prelude`: compile_prelude()'s bytecode; empty (or from a failed
  // compile) means the fake browser is compiled from source.
  [[nodiscard]] static std::unique_ptr<Interpreter> prepare(const Prelude& prelude);
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  // False when the heap could not be made (a run would only report that) or
  // a page has run in it already.
  [[nodiscard]] bool ready() const noexcept;

  // Puts the heap back as it was when the browser had just loaded (the page
  // heap's restore: the same bytes at the same addresses, in the time of a
  // memcpy), so the interpreter is ready for another page and nothing of the
  // last one is left. False when it cannot (the heap was never made, or the
  // browser did not load cleanly): prepare a new one then.
  [[nodiscard]] bool reset();

  // Runs one page: an interpreter is never given a second (what one page's
  // scripts did to the browser must not meet another page); a second call
  // returns a result that says so in its errors.
  [[nodiscard]] RunResult run(std::span<const ScriptSource> scripts, std::span<const Element> elements,
                              const RunSettings& limits);

 private:
  struct Heap;
  explicit Interpreter(std::unique_ptr<Heap> heap);
  std::unique_ptr<Heap> heap_;
};

// prepare(prelude), then run: for callers with one page.
[[nodiscard]] RunResult run_scripts(std::span<const ScriptSource> scripts, std::span<const Element> elements,
                                    const RunSettings& limits, const Prelude& prelude = {});

}  // namespace sluice::formats::html
