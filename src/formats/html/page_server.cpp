#include "formats/html/page_server.hpp"

#include <string>
#include <utility>

#include "codecs/text/dates.hpp"
#include "codecs/text/urls.hpp"
#include "formats/html/script_helpers.hpp"
#include "meta/html.hpp"
#include "meta/ioc.hpp"

namespace sluice::formats::html {
namespace {

// What a page's scripts did, as children and meta of its artifact: run in a
// script helper (script_helpers.hpp), or in this process when the whole scan
// is already in a sandboxed worker.
void run_in_worker(core::UnpackContext& w, const Markup& m, Interpreter& interpreter, const PageClock& clock) {
  RunSettings rl;
  rl.cpu_ms = w.limits().max_script_ms;
  rl.heap_bytes = w.limits().max_script_memory;
  rl.max_items = w.limits().max_children;
  rl.output_bytes = w.budget().decode_allowance(w.bytes().size()).bytes;
  rl.clock_ms = clock.start_ms;
  RunResult r = interpreter.run(m.scripts, m.elements, rl);
  w.meta(meta::html::scripts_run, static_cast<std::int64_t>(r.scripts_run));
  // Only a page that looked at the time says which it saw: one that did not
  // gives the same report whenever it is scanned.
  if (r.read_clock) {
    w.meta(meta::html::clock, codecs::text::iso_time(clock.start_ms / 1000));
    w.meta(meta::html::clock_from, std::string(to_string(clock.from)));
  }
  for (auto& e : r.errors) w.meta(meta::html::script_error, std::move(e));
  if (r.out_of_time) {
    w.limit_hit(LimitKind::script_ms, "the page's scripts ran past " + std::to_string(rl.cpu_ms) +
                                          " ms of CPU time and were stopped");
  }
  if (r.out_of_memory) {
    w.limit_hit(LimitKind::script_memory, "the page's scripts asked for more than " +
                                              std::to_string(rl.heap_bytes) + " bytes of heap");
  }
  if (r.output_capped) {
    w.limit_hit(LimitKind::artifact_bytes, "what the page's scripts saved or wrote was cut at the decode allowance");
  }
  for (const std::string& url : r.navigations) {
    const std::string n = codecs::text::normalise_url(url);
    if (!n.empty()) w.meta(meta::ioc::url, n);
  }
  for (Download& d : r.downloads) {
    w.budget().charge_decoded(d.bytes.size());
    std::vector<Name> names;
    if (!d.name.empty()) names.push_back(Name{"html", w.clean_name(d.name)});
    const auto child = w.emit_owned(std::move(d.bytes), "smuggled", std::move(names), d.truncated);
    if (!child) break;
    w.meta_on(*child, meta::html::saved_as, d.how);
    if (!d.mime_type.empty()) w.meta_on(*child, meta::html::blob_type, w.clean_name(d.mime_type));
  }
  if (!r.written.empty()) {
    w.budget().charge_decoded(r.written.size());
    (void)w.emit_owned(std::vector<std::uint8_t>(r.written.begin(), r.written.end()), "document.write", {});
  }
}

}  // namespace

const Prelude& PageServer::prelude() const {
  std::call_once(prelude_once_, [this] { prelude_ = compile_prelude(); });
  return prelude_;
}

// An interpreter put back after its page (ADR 0041: a memcpy, against 0.4 ms
// to make a new one), or a new one. One that cannot be put back is dropped,
// and the next page gets a new one.
std::unique_ptr<Interpreter> PageServer::take() const {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Interpreter> in = std::move(idle_.back());
      idle_.pop_back();
      return in;
    }
  }
  return Interpreter::prepare(prelude());
}

void PageServer::give_back(std::unique_ptr<Interpreter> in) const {
  if (!in->reset()) return;
  std::lock_guard lock(mu_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(in));
}

void PageServer::run(core::UnpackContext& w, const Markup& m, const PageClock& clock) const {
  std::unique_ptr<Interpreter> in = take();
  run_in_worker(w, m, *in, clock);
  give_back(std::move(in));
}

void PageServer::run_held(core::UnpackContext& w, const PageClock& clock) const {
  const Markup m = read_markup(w.bytes().chars(), w.limits().max_children, kMaxInner);
  held_ = take();
  run_in_worker(w, m, *held_, clock);
}

void PageServer::warm() const { give_back(take()); }

void PageServer::between_pages() const {
  if (held_) give_back(std::move(held_));
}

void serve_pages(int fd, const PageServer& server, const core::AddressSpaceGauge& gauge) {
  const ScriptHelpers helpers([&server](core::UnpackContext& w, const PageClock& clock) { server.run_held(w, clock); },
                              [&server] { server.between_pages(); });
  helpers.serve(fd, gauge);
}

}  // namespace sluice::formats::html
