// html / svg → children: the files the page's scripts make the browser save
// (run in Duktape inside a helper process: runtime.hpp, script_helpers.hpp), the
// encoded payloads written into its scripts, element contents and data: URIs
// (blobs.hpp), and what it wrote with document.write. Facts only: which file a
// page saves and how is meta on the child (`html.saved_as`); the
// html.smuggling finding is judged in src/analysis/smuggling.
#include <array>
#include <memory>
#include <mutex>
#include <vector>

#include "core/sniff.hpp"
#include "core/unpacker.hpp"
#include "formats/html/blobs.hpp"
#include "formats/html/markup.hpp"
#include "formats/html/runtime.hpp"
#include "formats/html/script_helpers.hpp"
#include "codecs/text/html.hpp"
#include "codecs/text/urls.hpp"
#include "meta/html.hpp"
#include "meta/ioc.hpp"

namespace sluice::formats::html {
namespace {

// Shorter encoded strings are keys, hashes and icons, not files: 64 base64
// characters are 48 bytes, less than any container header worth unpacking.
constexpr std::size_t kMinEncoded = 64;
// Element contents read for a payload (a hidden <div> holding base64).
constexpr std::size_t kMaxInner = 32ull << 20;

// A decoded blob worth a child: a file type Sluice knows that is not plain
// text or a picture (newsletters inline their images as data: URIs).
bool payload_type(FileType t) {
  return t != FileType::unknown && t != FileType::text && info(t).cls != TypeClass::media;
}
bool is_payload(const std::vector<std::uint8_t>& bytes) {
  return payload_type(core::sniff(ByteView(bytes.data(), bytes.size())));
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto hex = [](char c) {
      return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    };
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// What a page's scripts did, as children and meta of its artifact: run in a
// script helper (script_helpers.hpp), or in this process when the whole scan
// is already in a sandboxed worker.
void run_in_worker(core::UnpackContext& w, const Markup& m, Interpreter& interpreter) {
  RunLimits rl;
  rl.cpu_ms = w.limits().max_script_ms;
  rl.heap_bytes = w.limits().max_script_memory;
  rl.max_items = w.limits().max_children;
  rl.output_bytes = w.budget().decode_allowance(w.bytes().size()).bytes;
  RunResult r = interpreter.run(m.scripts, m.elements, rl);
  w.meta(meta::html::scripts_run, static_cast<std::int64_t>(r.scripts_run));
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

// The fake browser's bytecode, compiled on the first page with scripts and
// kept for the engine's life (a forked script worker inherits it).
class PreludeCache {
 public:
  const Prelude& get() const {
    std::call_once(once_, [this] { prelude_ = compile_prelude(); });
    return prelude_;
  }

 private:
  mutable std::once_flag once_;
  mutable Prelude prelude_;
};

// Interpreters for the pages this process runs (a script helper, or a
// sandboxed scan worker): each is put back after its page (ADR 0041: a
// memcpy, against 0.4 ms to make a new one) and kept for the next page, one
// for each page running at once. One that cannot be put back is dropped, and
// the next page gets a new one.
class InterpreterShelf {
 public:
  [[nodiscard]] std::unique_ptr<Interpreter> take(const Prelude& prelude) const {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        std::unique_ptr<Interpreter> in = std::move(idle_.back());
        idle_.pop_back();
        return in;
      }
    }
    return Interpreter::prepare(prelude);
  }
  void give_back(std::unique_ptr<Interpreter> in) const {
    if (!in->reset()) return;
    std::lock_guard lock(mu_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(in));
  }

 private:
  static constexpr std::size_t kMaxIdle = 8;
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<Interpreter>> idle_;
};

class Reader {
 public:
  Reader(core::UnpackContext& ctx, const PreludeCache& prelude, const ScriptHelpers& helpers,
         const InterpreterShelf& shelf)
      : ctx_(ctx), prelude_(prelude), helpers_(helpers), shelf_(shelf) {}

  void run() {
    const std::string_view doc = ctx_.bytes().chars();
    const Markup m = read_markup(doc, ctx_.limits().max_children, kMaxInner);
    if (m.limited) ctx_.limit_hit(LimitKind::children, "more scripts, data: URIs or elements than max_children");
    bool runnable = false;
    for (const auto& s : m.scripts) {
      if (s.runs && !s.code.empty()) runnable = true;
      if (!s.src.empty()) ctx_.meta(meta::html::script_src, ctx_.clean_name(s.src));
    }
    if (runnable) execute(m);
    static_blobs(m);
    links(doc);
  }

 private:
  void execute(const Markup& m) {
    // In a sandboxed scan worker (docs/adr/0011) the scan is that process
    // already and its filter forbids fork; the interpreter's own CPU and heap
    // caps still bound the scripts.
    // Compiled here, before any helper is forked, so every helper has it.
    const Prelude& prelude = prelude_.get();
    if (ctx_.budget().sandboxed()) {
      std::unique_ptr<Interpreter> in = shelf_.take(prelude);
      run_in_worker(ctx_, m, *in);
      shelf_.give_back(std::move(in));
      return;
    }
    const Status st = helpers_.run(ctx_);
    if (!st) ctx_.meta(meta::html::script_error, st.error().what);
  }

  void static_blobs(const Markup& m) {
    std::size_t script_index = 0;
    for (const ScriptSource& s : m.scripts) {
      const std::string where = s.kind == ScriptKind::block ? s.where : "handler[" + std::to_string(script_index) + "]";
      if (s.kind != ScriptKind::block) ++script_index;
      if (s.code.size() < kMinEncoded) continue;
      const std::uint64_t allowance = ctx_.budget().decode_allowance(s.code.size()).bytes;
      if (allowance == 0) return;
      auto found = find_encoded_blobs(s.code, kMinEncoded, ctx_.limits().max_children, allowance, is_payload);
      std::size_t n = 0;
      for (Candidate& c : found) {
        if (!emit_blob(std::move(c), where + " blob[" + std::to_string(n++) + "]", {})) return;
      }
    }
    std::size_t n = 0;
    for (const DataUri& d : m.data_uris) {
      const std::uint64_t allowance = ctx_.budget().decode_allowance(d.payload.size()).bytes;
      Candidate c;
      c.encoding = d.base64 ? "data: URI base64" : "data: URI";
      if (d.base64) {
        decode_base64_any(percent_decode(d.payload), c.bytes, allowance);
      } else {
        const std::string raw = percent_decode(d.payload);
        c.bytes.assign(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(raw.size(), allowance)));
      }
      if (!is_payload(c.bytes)) continue;
      std::vector<Name> names;
      if (!d.download.empty()) names.push_back(Name{"html", ctx_.clean_name(d.download)});
      if (!emit_blob(std::move(c), "data-uri[" + std::to_string(n++) + "]", std::move(names))) return;
    }
    for (const Element& e : m.elements) {
      if (e.inner.size() < kMinEncoded) continue;
      const std::uint64_t allowance = ctx_.budget().decode_allowance(e.inner.size()).bytes;
      Candidate c = decode_text_blob(e.inner, allowance, is_payload);
      if (c.bytes.empty()) continue;
      if (!emit_blob(std::move(c), "element#" + ctx_.clean_name(e.id), {})) return;
    }
  }

  bool emit_blob(Candidate&& c, std::string locator, std::vector<Name> names) {
    ctx_.budget().charge_decoded(c.bytes.size());
    if (c.capped) ctx_.limit_hit(LimitKind::total_bytes, locator + " was cut at the decode allowance");
    const auto child = ctx_.emit_owned(std::move(c.bytes), std::move(locator), std::move(names), c.capped);
    if (!child) return false;
    ctx_.meta_on(*child, meta::html::encoding, c.encoding);
    return true;
  }

  // Every link of the document (href, src, action …) as `html.link`: the MIME
  // format lists a text part's links as ioc.url already; this also covers
  // HTML inside archives and SVG images.
  void links(std::string_view doc) {
    const std::size_t max_urls = ctx_.limits().max_children;
    const codecs::text::HtmlLinks h = codecs::text::html_links(doc, max_urls);
    codecs::text::UrlSet urls(max_urls);
    for (const codecs::text::HtmlLink& l : h.links) {
      const std::string url = codecs::text::normalise_url(l.url);
      if (!url.empty()) urls.add(url);
    }
    for (const std::string& url : urls.urls()) ctx_.meta(meta::html::link, url);
  }

  core::UnpackContext& ctx_;
  const PreludeCache& prelude_;
  const ScriptHelpers& helpers_;
  const InterpreterShelf& shelf_;
};

class HtmlUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "html"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }
  Status unpack(core::UnpackContext& ctx) const override {
    Reader(ctx, prelude_, helpers_, shelf_).run();
    return {};
  }

 private:
  PreludeCache prelude_;
  InterpreterShelf shelf_;
  // Inside a helper process only (each has its own copy; the engine's
  // process never touches it): the interpreter the current page runs in,
  // given back to the shelf after the page's answer is sent, so putting it
  // back costs the parent no time.
  mutable std::unique_ptr<Interpreter> helper_page_;
  // A helper re-reads the page's markup itself: nothing parsed in this
  // process is handed to it but the page's bytes.
  ScriptHelpers helpers_{[this](core::UnpackContext& w) {
                           const Markup m = read_markup(w.bytes().chars(), w.limits().max_children, kMaxInner);
                           helper_page_ = shelf_.take(prelude_.get());
                           run_in_worker(w, m, *helper_page_);
                         },
                         [this] {
                           if (helper_page_) shelf_.give_back(std::move(helper_page_));
                         }};
  static constexpr std::array kTypes{FileType::html, FileType::svg};
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<HtmlUnpacker>()); }

}  // namespace sluice::formats::html
