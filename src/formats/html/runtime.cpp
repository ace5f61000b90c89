#include "formats/html/runtime.hpp"

#include <duktape.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>

#include "codecs/text/dates.hpp"
#include "formats/html/blobs.hpp"
#include "formats/html/browser_shim.hpp"
#include "formats/html/page_heap.hpp"

// Called by Duktape's executor every interrupt interval (cmake/Duktape.cmake
// builds it with DUK_USE_EXEC_TIMEOUT_CHECK pointing here). Non-zero makes the
// running script throw a RangeError; Duktape keeps calling it, so a script that
// catches the error is stopped again at the next interval.
extern "C" int sluice_duk_exec_timeout(void* udata);
// Math.random (DUK_USE_GET_RANDOM_DOUBLE): a generator seeded the same for
// every page, so a scan is reproducible — an ad script's "ord=" cache-buster
// no longer gives the same mail different artifact hashes on each scan.
extern "C" double sluice_duk_random(void* udata);
// Date.now, new Date() and performance.now (DUK_USE_DATE_GET_NOW,
// DUK_USE_GET_MONOTONIC_TIME): the run's own clock (RunSettings::clock_ms,
// ADR 0043), never the machine's. Time zone is UTC (DUK_USE_DATE_GET_LOCAL_TZOFFSET
// is 0), and Date.parse's non-ISO strings are read as UTC too.
extern "C" double sluice_duk_now(void* thr);
extern "C" double sluice_duk_monotonic(void* thr);
extern "C" int sluice_duk_parse_date(void* thr, const char* str);

namespace sluice::formats::html {
namespace {

constexpr std::size_t kMaxErrors = 4;
// ECMAScript's range of times (±8.64e15 ms): the page's clock stays inside it.
constexpr std::int64_t kMaxTimeMs = 8'640'000'000'000'000;
constexpr std::size_t kMaxErrorText = 200;
// How far the heap's chunks may outgrow its live bytes (size classes, and
// blocks freed in one size and wanted in another) before allocation fails.
constexpr std::uint64_t footprint_for(std::uint64_t heap_bytes) { return 2 * heap_bytes + (std::uint64_t{4} << 20); }

std::uint64_t cpu_now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<std::uint64_t>(ts.tv_nsec);
}

// Everything a run owns. Natives reach it through the heap's udata; they keep
// no C++ object with a destructor alive across a Duktape call that may throw
// (Duktape unwinds with longjmp), so their scratch space lives here.
struct State {
  // Every block of the page's heap (page_heap.hpp).
  PageHeap arena{footprint_for(RunSettings{}.heap_bytes)};
  RunSettings limits;
  RunResult result;
  std::uint64_t deadline_ns = 0;
  std::uint64_t heap_used = 0;
  std::uint64_t output = 0;
  std::vector<std::uint8_t> scratch;
  std::string text;
  std::uint64_t random = 0x5eed5eed5eed5eedull;  // splitmix64's state
  std::int64_t clock_ms = 0;                      // the page's clock (RunSettings::clock_ms)
};

State* state_of(duk_context* ctx) {
  duk_memory_functions funcs;
  duk_get_memory_functions(ctx, &funcs);
  return static_cast<State*>(funcs.udata);
}

void* heap_alloc(void* udata, duk_size_t size) {
  auto* st = static_cast<State*>(udata);
  if (size == 0) return nullptr;
  if (size > st->limits.heap_bytes - std::min(st->heap_used, st->limits.heap_bytes)) {
    st->result.out_of_memory = true;
    return nullptr;
  }
  void* p = st->arena.allocate(size);
  if (p == nullptr) {
    st->result.out_of_memory = true;
    return nullptr;
  }
  st->heap_used += PageHeap::size_of(p);
  return p;
}

void heap_free(void* udata, void* ptr) {
  if (ptr == nullptr) return;
  auto* st = static_cast<State*>(udata);
  st->heap_used -= std::min<std::uint64_t>(PageHeap::size_of(ptr), st->heap_used);
  st->arena.release(ptr);
}

void* heap_realloc(void* udata, void* ptr, duk_size_t size) {
  if (ptr == nullptr) return heap_alloc(udata, size);
  if (size == 0) {
    heap_free(udata, ptr);
    return nullptr;
  }
  auto* st = static_cast<State*>(udata);
  const std::uint64_t old = PageHeap::size_of(ptr);
  if (size > old && size - old > st->limits.heap_bytes - std::min(st->heap_used, st->limits.heap_bytes)) {
    st->result.out_of_memory = true;
    return nullptr;
  }
  void* q = st->arena.resize(ptr, size);
  if (q == nullptr) {
    st->result.out_of_memory = true;
    return nullptr;  // the old block stays Duktape's
  }
  st->heap_used = st->heap_used - std::min<std::uint64_t>(old, st->heap_used) + PageHeap::size_of(q);
  return q;
}

[[noreturn]] void heap_fatal(void*, const char*) {
  // Duktape's own invariant broke (not a script error). The worker process
  // (core/isolate) turns this end into isolation.worker_failed.
  std::abort();
}

// Code points of a Duktape string (CESU-8 internally), each taken as one byte:
// the "binary string" convention of atob and Blob-from-charCode loaders.
void latin1_bytes(const char* s, duk_size_t n, std::vector<std::uint8_t>& out, std::uint64_t cap) {
  std::size_t i = 0;
  while (i < n && out.size() < cap) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = c;
    std::size_t len = 1;
    if (c >= 0xC0 && c < 0xE0 && i + 1 < n) {
      cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
      len = 2;
    } else if (c >= 0xE0 && c < 0xF0 && i + 2 < n) {
      cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
      len = 3;
    }
    out.push_back(static_cast<std::uint8_t>(cp & 0xFF));
    i += len;
  }
}

std::uint64_t output_room(const State& st) {
  return st.limits.output_bytes - std::min(st.output, st.limits.output_bytes);
}

std::string arg_string(duk_context* ctx, duk_idx_t idx) {
  duk_size_t n = 0;
  const char* s = duk_get_lstring(ctx, idx, &n);
  return s == nullptr ? std::string() : std::string(s, std::min<duk_size_t>(n, 4096));
}

void record(State& st, duk_context* ctx, std::vector<std::uint8_t>&& bytes, bool capped) {
  if (st.result.downloads.size() >= st.limits.max_items) {
    st.result.output_capped = true;
    return;
  }
  Download d;
  d.name = arg_string(ctx, 0);
  d.how = arg_string(ctx, 1);
  d.mime_type = arg_string(ctx, 2);
  d.truncated = capped;
  st.output += bytes.size();
  d.bytes = std::move(bytes);
  if (capped) st.result.output_capped = true;
  st.result.downloads.push_back(std::move(d));
}

// __sluice_save(name, how, type, parts): parts are buffers or strings (UTF-8,
// as a Blob encodes strings).
duk_ret_t native_save(duk_context* ctx) {
  State& st = *state_of(ctx);
  // In State, not a local: a getter on the parts array may throw, and
  // Duktape's longjmp would skip a local's destructor.
  std::vector<std::uint8_t>& bytes = st.scratch;
  bytes.clear();
  bool capped = false;
  const duk_size_t n = duk_is_array(ctx, 3) ? duk_get_length(ctx, 3) : 0;
  for (duk_size_t k = 0; k < n && !capped; ++k) {
    duk_get_prop_index(ctx, 3, static_cast<duk_uarridx_t>(k));
    duk_size_t len = 0;
    const void* data = nullptr;
    if (duk_is_buffer_data(ctx, -1)) {
      data = duk_get_buffer_data(ctx, -1, &len);
    } else {
      data = duk_get_lstring(ctx, -1, &len);
    }
    const std::uint64_t room = output_room(st) - std::min<std::uint64_t>(bytes.size(), output_room(st));
    if (len > room) {
      len = room;
      capped = true;
    }
    if (data != nullptr && len > 0) {
      const auto* p = static_cast<const std::uint8_t*>(data);
      bytes.insert(bytes.end(), p, p + len);
    }
    duk_pop(ctx);
  }
  record(st, ctx, std::vector<std::uint8_t>(bytes), capped);
  return 0;
}

// __sluice_save_binary(name, how, type, binary_string)
duk_ret_t native_save_binary(duk_context* ctx) {
  State& st = *state_of(ctx);
  duk_size_t n = 0;
  const char* s = duk_get_lstring(ctx, 3, &n);
  st.scratch.clear();
  if (s != nullptr) latin1_bytes(s, n, st.scratch, output_room(st));
  const bool capped = n > 0 && st.scratch.size() >= output_room(st);
  record(st, ctx, std::vector<std::uint8_t>(st.scratch), capped);
  return 0;
}

duk_ret_t native_navigate(duk_context* ctx) {
  State& st = *state_of(ctx);
  if (st.result.navigations.size() < st.limits.max_items) st.result.navigations.push_back(arg_string(ctx, 0));
  return 0;
}

duk_ret_t native_write(duk_context* ctx) {
  State& st = *state_of(ctx);
  duk_size_t n = 0;
  const char* s = duk_get_lstring(ctx, 0, &n);
  if (s == nullptr) return 0;
  const std::uint64_t room = output_room(st);
  const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(n, room));
  if (take < n) st.result.output_capped = true;
  st.result.written.append(s, take);
  st.output += take;
  return 0;
}

// atob: tolerant (whitespace and junk skipped) where browsers throw; the bytes
// come back as a binary string (one code point per byte).
duk_ret_t native_atob(duk_context* ctx) {
  State& st = *state_of(ctx);
  duk_size_t n = 0;
  const char* s = duk_safe_to_lstring(ctx, 0, &n);
  st.scratch.clear();
  decode_base64_any(std::string_view(s, n), st.scratch, st.limits.heap_bytes);
  st.text.clear();
  st.text.reserve(st.scratch.size() * 2);
  for (std::uint8_t b : st.scratch) {
    if (b < 0x80) {
      st.text.push_back(static_cast<char>(b));
    } else {
      st.text.push_back(static_cast<char>(0xC0 | (b >> 6)));
      st.text.push_back(static_cast<char>(0x80 | (b & 0x3F)));
    }
  }
  duk_push_lstring(ctx, st.text.data(), st.text.size());
  return 1;
}

duk_ret_t native_btoa(duk_context* ctx) {
  State& st = *state_of(ctx);
  duk_size_t n = 0;
  const char* s = duk_safe_to_lstring(ctx, 0, &n);
  st.scratch.clear();
  latin1_bytes(s, n, st.scratch, st.limits.heap_bytes);
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  st.text.clear();
  for (std::size_t i = 0; i < st.scratch.size(); i += 3) {
    const std::uint32_t b0 = st.scratch[i];
    const std::uint32_t b1 = i + 1 < st.scratch.size() ? st.scratch[i + 1] : 0;
    const std::uint32_t b2 = i + 2 < st.scratch.size() ? st.scratch[i + 2] : 0;
    const std::uint32_t v = (b0 << 16) | (b1 << 8) | b2;
    st.text.push_back(kAlphabet[(v >> 18) & 63]);
    st.text.push_back(kAlphabet[(v >> 12) & 63]);
    st.text.push_back(i + 1 < st.scratch.size() ? kAlphabet[(v >> 6) & 63] : '=');
    st.text.push_back(i + 2 < st.scratch.size() ? kAlphabet[v & 63] : '=');
  }
  duk_push_lstring(ctx, st.text.data(), st.text.size());
  return 1;
}

void note_error(State& st, duk_context* ctx, std::string_view where) {
  if (st.result.errors.size() >= kMaxErrors) return;
  duk_size_t n = 0;
  const char* s = duk_safe_to_lstring(ctx, -1, &n);
  std::string msg(where);
  msg += ": ";
  msg.append(s, std::min<duk_size_t>(n, kMaxErrorText));
  st.result.errors.push_back(std::move(msg));
}

// Evaluates `code` as global code; false when it threw (the error is noted).
bool eval(State& st, duk_context* ctx, std::string_view code, std::string_view where) {
  duk_push_lstring(ctx, code.data(), code.size());
  duk_push_string(ctx, "page");
  const bool ok = duk_pcompile(ctx, DUK_COMPILE_EVAL) == 0 && duk_pcall(ctx, 0) == 0;
  if (!ok) note_error(st, ctx, where);
  duk_pop(ctx);
  return ok;
}

// Runs trusted bytecode from compile_prelude(); false when it threw.
bool run_bytecode(State& st, duk_context* ctx, const std::vector<std::uint8_t>& code, std::string_view where) {
  void* buf = duk_push_fixed_buffer(ctx, code.size());
  std::memcpy(buf, code.data(), code.size());
  duk_load_function(ctx);
  const bool ok = duk_pcall(ctx, 0) == 0;
  if (!ok) note_error(st, ctx, where);
  duk_pop(ctx);
  return ok;
}

// __sluice_due(delay): when a timer set now is due, for the browser's own
// bookkeeping (not the page reading the clock).
duk_ret_t native_due(duk_context* ctx) {
  const State& st = *state_of(ctx);
  duk_push_number(ctx, static_cast<double>(st.clock_ms) + duk_get_number_default(ctx, 0, 0.0));
  return 1;
}

// __sluice_wait_until(ms): the browser runs a timer when it is due; the clock
// only moves forward.
duk_ret_t native_wait_until(duk_context* ctx) {
  State& st = *state_of(ctx);
  const double due = duk_get_number_default(ctx, 0, 0.0);
  // NaN compares false.
  if (due > static_cast<double>(st.clock_ms) && due <= static_cast<double>(kMaxTimeMs)) {
    st.clock_ms = static_cast<std::int64_t>(due);
  }
  return 0;
}

void define_natives(duk_context* ctx) {
  duk_push_global_object(ctx);
  const struct {
    const char* name;
    duk_c_function fn;
    duk_idx_t nargs;
  } natives[] = {{"__sluice_save", native_save, 4},       {"__sluice_save_binary", native_save_binary, 4},
                 {"__sluice_navigate", native_navigate, 2}, {"__sluice_write", native_write, 1},
                 {"atob", native_atob, 1},                  {"btoa", native_btoa, 1},
                 {"__sluice_due", native_due, 1},            {"__sluice_wait_until", native_wait_until, 1}};
  for (const auto& n : natives) {
    duk_push_c_function(ctx, n.fn, n.nargs);
    duk_put_prop_string(ctx, -2, n.name);
  }
  duk_pop(ctx);
}

// The page's elements by id, handed to the loaded browser through the one
// call it leaves for them (__sluice_bind, removed after: a page cannot call
// it), so the browser holds them before any of the page's code runs.
void bind_elements(State& st, duk_context* ctx, std::span<const Element> elements) {
  duk_push_global_object(ctx);
  if (!duk_get_prop_string(ctx, -1, "__sluice_bind")) {
    duk_pop_2(ctx);
    st.result.errors.push_back("browser: no element binding");
    return;
  }
  duk_push_object(ctx);
  for (const Element& e : elements) {
    duk_push_object(ctx);
    duk_push_lstring(ctx, e.tag.data(), e.tag.size());
    duk_put_prop_string(ctx, -2, "tag");
    duk_push_lstring(ctx, e.inner.data(), e.inner.size());
    duk_put_prop_string(ctx, -2, "inner");
    duk_push_object(ctx);
    for (const auto& a : e.attributes) {
      duk_push_lstring(ctx, a.value.data(), a.value.size());
      duk_put_prop_lstring(ctx, -2, a.name.data(), a.name.size());
    }
    duk_put_prop_string(ctx, -2, "attrs");
    duk_put_prop_lstring(ctx, -2, e.id.data(), e.id.size());
  }
  if (duk_pcall(ctx, 1) != 0) note_error(st, ctx, "elements");
  duk_pop(ctx);
  duk_del_prop_string(ctx, -1, "__sluice_bind");
  duk_pop(ctx);
}

// Small ES2015 conveniences kits use that Duktape 2.7 lacks.
constexpr std::string_view kPolyfills = R"js(
if (!Array.from) Array.from = function (a, f) {
  var out = []; for (var i = 0; i < a.length; i++) out.push(f ? f(a[i], i) : a[i]); return out; };
if (!Uint8Array.from) Uint8Array.from = function (a, f) {
  var u = new Uint8Array(a.length); for (var i = 0; i < a.length; i++) u[i] = f ? f(a[i], i) : a[i]; return u; };
if (!String.prototype.repeat) String.prototype.repeat = function (n) {
  var s = ''; for (var i = 0; i < n; i++) s += this; return s; };
)js";

}  // namespace

Prelude compile_prelude() {
  Prelude p;
  // The page's allocator and timeout hook, with generous bounds: compiling
  // runs nothing, but the hook expects its State.
  State st;
  st.deadline_ns = cpu_now_ns() + 10'000'000'000ull;
  duk_context* ctx = duk_create_heap(heap_alloc, heap_realloc, heap_free, &st, heap_fatal);
  if (ctx == nullptr) return p;
  auto dump = [ctx](std::string_view source, std::vector<std::uint8_t>& out) {
    duk_push_lstring(ctx, source.data(), source.size());
    duk_push_string(ctx, "page");
    if (duk_pcompile(ctx, DUK_COMPILE_EVAL) != 0) {
      duk_pop(ctx);
      return;
    }
    duk_dump_function(ctx);
    duk_size_t n = 0;
    const auto* bytes = static_cast<const std::uint8_t*>(duk_get_buffer_data(ctx, -1, &n));
    if (bytes != nullptr) out.assign(bytes, bytes + n);
    duk_pop(ctx);
  };
  dump(kPolyfills, p.polyfills);
  dump(kBrowserShim, p.shim);
  duk_destroy_heap(ctx);
  if (p.empty()) return {};
  return p;
}

struct Interpreter::Heap {
  State st;
  duk_context* ctx = nullptr;
  bool used = false;
  // What the State held when the arena was marked (the browser loaded).
  std::uint64_t marked_heap_used = 0;
  std::uint64_t marked_random = 0;
  // No duk_destroy_heap: its three mark-and-sweeps and a free per object
  // were a quarter of a page's cost. Everything Duktape allocated is in the
  // arena, which goes with `st`; Duktape holds nothing else (no descriptor,
  // no memory of the C heap), and a page's finalizers are not run.
};

Interpreter::Interpreter(std::unique_ptr<Heap> heap) : heap_(std::move(heap)) {}
Interpreter::~Interpreter() = default;

bool Interpreter::ready() const noexcept { return heap_->ctx != nullptr && !heap_->used; }

std::unique_ptr<Interpreter> Interpreter::prepare(const Prelude& prelude) {
  auto h = std::make_unique<Heap>();
  State& st = h->st;
  // The browser is Sluice's own code: it loads under the default bounds,
  // and what it allocates stays counted against the page's heap cap.
  st.deadline_ns = cpu_now_ns() + st.limits.cpu_ms * 1'000'000ull;
  h->ctx = duk_create_heap(heap_alloc, heap_realloc, heap_free, &st, heap_fatal);
  if (h->ctx != nullptr) {
    define_natives(h->ctx);
    // Both always run (the browser without the polyfills is still worth a page).
    const bool polyfills = prelude.empty() ? eval(st, h->ctx, kPolyfills, "polyfills")
                                           : run_bytecode(st, h->ctx, prelude.polyfills, "polyfills");
    const bool browser = prelude.empty() ? eval(st, h->ctx, kBrowserShim, "browser")
                                         : run_bytecode(st, h->ctx, prelude.shim, "browser");
    const bool loaded = polyfills && browser;
    // Only a browser that loaded whole is worth coming back to.
    if (loaded && st.result.errors.empty() && !st.result.out_of_memory && !st.result.out_of_time) {
      st.arena.mark();
      h->marked_heap_used = st.heap_used;
      h->marked_random = st.random;
    }
  }
  return std::unique_ptr<Interpreter>(new Interpreter(std::move(h)));
}

bool Interpreter::reset() {
  Heap& h = *heap_;
  if (h.ctx == nullptr || !h.st.arena.marked()) return false;
  if (!h.used) return true;
  State& st = h.st;
  st.arena.restore();
  st.limits = {};  // run() sets the page's, and the footprint cap with them
  st.result = {};
  st.heap_used = h.marked_heap_used;
  st.random = h.marked_random;
  st.output = 0;
  st.scratch.clear();
  st.text.clear();
  h.used = false;
  return true;
}

RunResult Interpreter::run(std::span<const ScriptSource> scripts, std::span<const Element> elements,
                           const RunSettings& limits) {
  State& st = heap_->st;
  duk_context* ctx = heap_->ctx;
  if (heap_->used) {
    RunResult r;
    r.errors.push_back("interpreter: already ran a page");
    return r;
  }
  heap_->used = true;
  st.limits = limits;
  st.clock_ms = limits.clock_ms;
  st.arena.set_max_footprint(footprint_for(limits.heap_bytes));
  if (ctx == nullptr) {
    st.result.out_of_memory = true;
    return std::move(st.result);
  }
  if (st.heap_used > limits.heap_bytes) st.result.out_of_memory = true;
  st.deadline_ns = cpu_now_ns() + limits.cpu_ms * 1'000'000ull;
  bind_elements(st, ctx, elements);
  // Script blocks in document order, then handlers and javascript: URLs as
  // the page would fire them once loaded (a click handler too: the lure asks
  // for the click).
  for (int pass = 0; pass < 2; ++pass) {
    for (const ScriptSource& s : scripts) {
      if (!s.runs || s.code.empty() || st.result.out_of_time) continue;
      if ((s.kind == ScriptKind::block) != (pass == 0)) continue;
      ++st.result.scripts_run;
      if (s.kind == ScriptKind::block) {
        eval(st, ctx, s.code, s.where);
      } else {
        const std::string wrapped = "(function(event){" + s.code + "\n}).call(document.body, {type:'" +
                                    (s.event.empty() ? std::string("click") : s.event) + "'});";
        eval(st, ctx, wrapped, s.where);
      }
    }
    if (pass == 0 && !st.result.out_of_time) {
      eval(st, ctx, "__sluice_after(" + std::to_string(limits.max_items) + ")", "timers");
    }
  }
  if (!st.result.out_of_time) eval(st, ctx, "__sluice_after(" + std::to_string(limits.max_items) + ")", "timers");
  return std::move(st.result);
}

RunResult run_scripts(std::span<const ScriptSource> scripts, std::span<const Element> elements, const RunSettings& limits,
                      const Prelude& prelude) {
  return Interpreter::prepare(prelude)->run(scripts, elements, limits);
}

}  // namespace sluice::formats::html

extern "C" int sluice_duk_exec_timeout(void* udata) {
  auto* st = static_cast<sluice::formats::html::State*>(udata);
  if (st->result.out_of_time) return 1;
  if (sluice::formats::html::cpu_now_ns() < st->deadline_ns) return 0;
  st->result.out_of_time = true;
  return 1;
}

extern "C" double sluice_duk_random(void* udata) {
  auto* st = static_cast<sluice::formats::html::State*>(udata);
  std::uint64_t z = (st->random += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;  // 53 random bits in [0, 1)
}

// Each reading moves the clock on by a millisecond: a page that waits in a
// loop for time to pass (`while (Date.now() < t + 500)`) gets it, and reads
// the same times on every run.
extern "C" double sluice_duk_now(void* thr) {
  auto* st = sluice::formats::html::state_of(static_cast<duk_context*>(thr));
  st->result.read_clock = true;
  if (st->clock_ms < sluice::formats::html::kMaxTimeMs) ++st->clock_ms;
  return static_cast<double>(st->clock_ms);
}

// performance.now(): milliseconds since the page started.
extern "C" double sluice_duk_monotonic(void* thr) {
  auto* st = sluice::formats::html::state_of(static_cast<duk_context*>(thr));
  return sluice_duk_now(thr) - static_cast<double>(st->limits.clock_ms);
}

// What Duktape's own ISO 8601 reader refused: the C locale's "%c" form
// ("Thu May 21 10:00:00 2020"; Sluice never sets a locale) and RFC 5322's
// ("Thu, 21 May 2020 10:00:00 +0000", which pages take from a header), both
// in UTC where no zone is given. Nothing here owns memory: a push may throw
// (Duktape's longjmp), which would skip a destructor.
extern "C" int sluice_duk_parse_date(void* thr, const char* str) {
  auto* ctx = static_cast<duk_context*>(thr);
  char text[257];
  const std::size_t n = ::strnlen(str, sizeof text - 1);
  std::memcpy(text, str, n);
  text[n] = '\0';
  double ms = 0;
  if (auto t = sluice::codecs::text::parse_mail_date(std::string_view(text, n))) {
    ms = static_cast<double>(*t) * 1000.0;
  } else {
    std::tm tm{};
    if (::strptime(text, "%c", &tm) == nullptr) return 0;
    ms = static_cast<double>(::timegm(&tm)) * 1000.0;
  }
  duk_push_number(ctx, ms);
  return 1;
}
