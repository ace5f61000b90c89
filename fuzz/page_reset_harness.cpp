// fuzz_page_reset: two scripts, the second run in an interpreter reset after
// the first (src/formats/html/page_heap.cpp, runtime.cpp; docs/adr/0041). The
// input is the first script, a line "----", then the second (without that
// line, the input is both). One interpreter serves every input, reset after
// each page, so whatever any earlier input did to it is in play too. The
// second script must give exactly what a fresh interpreter gives it: nothing
// of a page may reach the next. Runs stopped by the clock are not compared
// (where the CPU budget ends is not reproducible), nor scripts that read it.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "formats/html/runtime.hpp"

namespace {

using namespace sluice::formats::html;

RunSettings fuzz_limits() {
  RunSettings l;
  l.cpu_ms = 200;
  l.heap_bytes = 64u << 20;
  l.output_bytes = 4u << 20;
  l.max_items = 100;
  return l;
}

bool same(const RunResult& a, const RunResult& b) {
  if (a.downloads.size() != b.downloads.size()) return false;
  for (std::size_t i = 0; i < a.downloads.size(); ++i) {
    if (a.downloads[i].bytes != b.downloads[i].bytes || a.downloads[i].name != b.downloads[i].name ||
        a.downloads[i].how != b.downloads[i].how || a.downloads[i].mime_type != b.downloads[i].mime_type) {
      return false;
    }
  }
  return a.navigations == b.navigations && a.written == b.written && a.errors == b.errors &&
         a.scripts_run == b.scripts_run && a.out_of_memory == b.out_of_memory && a.output_capped == b.output_capped;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  static const Prelude prelude = compile_prelude();
  static std::unique_ptr<Interpreter> reused = Interpreter::prepare(prelude);
  if (size > 16384) return 0;
  const std::string_view input(reinterpret_cast<const char*>(bytes), size);
  const std::size_t cut = input.find("\n----\n");
  ScriptSource first, second;
  first.code = std::string(input.substr(0, cut));
  second.code = std::string(cut == std::string_view::npos ? input : input.substr(cut + 6));
  first.where = second.where = "script[0]";
  const RunSettings limits = fuzz_limits();

  if (!reused->reset()) std::abort();  // the browser loaded once; every reset must succeed
  (void)reused->run({&first, 1}, {}, limits);
  if (!reused->reset()) std::abort();
  const RunResult again = reused->run({&second, 1}, {}, limits);
  const RunResult fresh = run_scripts({&second, 1}, {}, limits, prelude);
  if (again.out_of_time || fresh.out_of_time || second.code.find("Date") != std::string::npos) return 0;
  if (!same(again, fresh)) std::abort();
  return 0;
}
