// html / svg → children: the files the page's scripts make the browser save
// (run in Duktape inside a helper process: page_server.hpp, script_helpers.hpp), the
// encoded payloads written into its scripts, element contents and data: URIs
// (blobs.hpp), and what it wrote with document.write. Facts only: which file a
// page saves and how is meta on the child (`html.saved_as`); the
// html.smuggling finding is judged in src/analysis/smuggling.
#include <array>
#include <chrono>
#include <string>
#include <vector>

#include "core/own_files.hpp"
#include "core/sniff.hpp"
#include "core/unpacker.hpp"
#include "formats/html/blobs.hpp"
#include "formats/html/markup.hpp"
#include "formats/html/page_clock.hpp"
#include "formats/html/page_server.hpp"
#include "formats/html/script_helpers.hpp"
#include "codecs/text/html.hpp"
#include "codecs/text/urls.hpp"
#include "meta/html.hpp"

namespace sluice::formats::html {
namespace {

// Shorter encoded strings are keys, hashes and icons, not files: 64 base64
// characters are 48 bytes, less than any container header worth unpacking.
constexpr std::size_t kMinEncoded = 64;

// A decoded blob worth a child: a file type Sluice knows that is not plain
// text or a picture (newsletters inline their images as data: URIs).
bool payload_type(FileType t) {
  return t != FileType::unknown && t != FileType::text && info(t).cls != TypeClass::media;
}
bool is_payload(const std::vector<std::uint8_t>& bytes) {
  return payload_type(core::sniff(ByteView(bytes.data(), bytes.size())));
}

std::int64_t scan_time_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
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

class Reader {
 public:
  Reader(core::UnpackContext& ctx, const PageServer& server, const ScriptHelpers& helpers)
      : ctx_(ctx), server_(server), helpers_(helpers) {}

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
    // Read here, where the message is: a helper sees only the page.
    const PageClock clock = page_clock(ctx_, scan_time_ms());
    // In a sandboxed scan worker (docs/adr/0011) the scan is that process
    // already and its filter forbids starting another; the interpreter's own
    // CPU and heap caps still bound the scripts.
    if (ctx_.budget().sandboxed()) {
      server_.run(ctx_, m, clock);
      return;
    }
    // Where the helper program is missing, helpers are forked from this
    // process: compiled here, before any is, so every one has it.
    if (!helpers_.spawned()) (void)server_.prelude();
    const Status st = helpers_.run(ctx_, clock);
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
  const PageServer& server_;
  const ScriptHelpers& helpers_;
};

class HtmlUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "html"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }
  Status unpack(core::UnpackContext& ctx) const override {
    Reader(ctx, server_, helpers_).run();
    return {};
  }

 private:
  PageServer server_;
  // Pages run by sluice-script-helper, started afresh (ADR 0042); where it is
  // not installed, by copies of this process made with fork (the runner and
  // hook then run in those copies).
  ScriptHelpers helpers_{[this](core::UnpackContext& w, const PageClock& clock) { server_.run_held(w, clock); },
                         [this] { server_.between_pages(); }, core::find_own_program(kScriptHelperProgram)};
  static constexpr std::array kTypes{FileType::html, FileType::svg};
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<HtmlUnpacker>()); }

}  // namespace sluice::formats::html
