// sluice-script-helper: runs HTML and SVG pages' scripts for the engine that
// started it (src/formats/html/script_helpers.hpp, docs/adr/0042). It reads
// pages from descriptor 3 and answers there; it takes no arguments and opens
// no files. Not a program to run by hand.
//
// It compiles the fake browser and makes its first interpreter, then locks
// itself down with the scan workers' seccomp filter (ADR 0011; the filter's
// installer first reads the time zone its parent passed in TZ): from then on
// it can read and write descriptor 3, manage memory, read clocks and end. A
// script that escaped Duktape can open nothing, start nothing, and finds in
// this process no other message than the page it was sent.
#include <unistd.h>

#include "core/isolate.hpp"
#include "formats/html/page_server.hpp"
#include "formats/html/script_helpers.hpp"
#include "isolation/seccomp_filter.hpp"

namespace {
constexpr int kExitLockdownFailed = 7;
}

int main() {
  using namespace sluice;
  core::no_core_files();
  const formats::html::PageServer server;
  server.warm();
  const core::AddressSpaceGauge gauge;
  if (!isolation::install_seccomp_filter(isolation::Confinement::script_helper)) ::_exit(kExitLockdownFailed);
  formats::html::serve_pages(formats::html::kScriptHelperFd, server, gauge);
}
