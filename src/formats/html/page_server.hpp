#pragma once
// Running a page's scripts in this process: the fake browser's bytecode,
// compiled once; interpreters kept on a shelf and put back after each page
// (ADR 0041); what the run made, as children and meta of the page. Used where
// the process is already isolated: a sandboxed scan worker (ADR 0011), a
// script helper (script_helpers.hpp, ADR 0026, 0042).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "core/isolate.hpp"
#include "core/unpacker.hpp"
#include "formats/html/markup.hpp"
#include "formats/html/page_clock.hpp"
#include "formats/html/runtime.hpp"

namespace sluice::formats::html {

// Element contents read for a payload (a hidden <div> holding base64).
inline constexpr std::size_t kMaxInner = 32ull << 20;

class PageServer {
 public:
  // The fake browser's bytecode, compiled on first use and kept for the
  // server's life.
  [[nodiscard]] const Prelude& prelude() const;

  // The page in `w`, its markup already read, its clock starting as `clock`
  // says (page_clock.hpp): an interpreter from the shelf, put back when the
  // page is done.
  void run(core::UnpackContext& w, const Markup& m, const PageClock& clock) const;

  // In a script helper: reads the page's markup itself (nothing parsed by the
  // engine's process is trusted here but the bytes) and keeps the interpreter
  // until between_pages(), which the helper calls after sending its answer,
  // so putting it back costs the engine's process no time.
  void run_held(core::UnpackContext& w, const PageClock& clock) const;
  void between_pages() const;

  // Compiles the browser and makes the first interpreter now: a helper does
  // this while the engine's process is still sending it the first page.
  void warm() const;

 private:
  [[nodiscard]] std::unique_ptr<Interpreter> take() const;
  void give_back(std::unique_ptr<Interpreter> in) const;

  static constexpr std::size_t kMaxIdle = 8;  // one for each page running at once
  mutable std::once_flag prelude_once_;
  mutable Prelude prelude_;
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<Interpreter>> idle_;
  mutable std::unique_ptr<Interpreter> held_;
};

// The program sluice-script-helper (apps/script-helper): serves pages on `fd`
// (a socket to the engine's process) with `server` until the engine closes it;
// `gauge` was opened before the helper locked itself down.
[[noreturn]] void serve_pages(int fd, const PageServer& server, const core::AddressSpaceGauge& gauge);

}  // namespace sluice::formats::html
