// HTML/SVG smuggling tests. Pages come from tests/fixtures/make_smuggling_fixtures.py:
// a harmless ZIP → ISO → EXE (zip, genisoimage, pe/hello.exe) or FAT IMG
// (mkfs.fat, mtools) rebuilt in the page's script in the public styles.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <string>

#include "core/sniff.hpp"
#include "formats/html/blobs.hpp"
#include "formats/html/markup.hpp"
#include "formats/html/runtime.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using testing::fixture;
using testing::read_file;

std::string page(const std::string& name) {
  const auto b = read_file(fixture("smuggling/" + name));
  return std::string(b.begin(), b.end());
}

bool sniffs_as_payload(const std::vector<std::uint8_t>& b) {
  const FileType t = core::sniff(ByteView(b.data(), b.size()));
  return t != FileType::unknown && t != FileType::text && info(t).cls != TypeClass::media;
}

// The ZIP every ZIP style carries, taken from the one style whose bytes sit
// in the page as a data: URI (decoded here by the markup reader, independently
// of the script runtime).
std::vector<std::uint8_t> reference_zip() {
  const auto m = formats::html::read_markup(page("data_uri_click.html"), 100, 1 << 20);
  EXPECT_EQ(m.data_uris.size(), 1u);
  std::vector<std::uint8_t> out;
  if (!m.data_uris.empty()) formats::html::decode_base64_any(m.data_uris[0].payload, out, 1 << 20);
  return out;
}

formats::html::RunResult run_page(const std::string& name, formats::html::RunSettings limits = {}) {
#if defined(__SANITIZE_ADDRESS__)
  // ASan makes the interpreter about ten times slower; the budget is CPU time.
  if (limits.cpu_ms == formats::html::RunSettings{}.cpu_ms) limits.cpu_ms *= 20;
#endif
  const auto m = formats::html::read_markup(page(name), 100, 1 << 20);
  return formats::html::run_scripts(m.scripts, m.elements, limits);
}

// What `f` gives with the process in time zone `tz` (the machine's zone must
// not reach a page: ADR 0043); the zone is put back after.
template <typename F>
auto in_zone(const char* tz, F f) {
  const char* before = std::getenv("TZ");
  const std::string saved = before != nullptr ? before : "";
  ::setenv("TZ", tz, 1);
  ::tzset();
  auto r = f();
  if (before != nullptr) ::setenv("TZ", saved.c_str(), 1);
  else ::unsetenv("TZ");
  ::tzset();
  return r;
}

// One script run with the page's clock at 2020-05-21T10:00:00Z.
formats::html::RunResult run_on_may_21(const std::string& code) {
  formats::html::ScriptSource s;
  s.code = code;
  formats::html::RunSettings l;
  l.clock_ms = 1'590'055'200'000;
  return formats::html::run_scripts({&s, 1}, {}, l);
}

// Two runs of one page saved the same files the same way, and did the same.
void expect_same_run(const formats::html::RunResult& a, const formats::html::RunResult& b, const char* name) {
  ASSERT_EQ(a.downloads.size(), b.downloads.size()) << name;
  for (std::size_t i = 0; i < a.downloads.size(); ++i) {
    EXPECT_EQ(a.downloads[i].bytes, b.downloads[i].bytes) << name;
    EXPECT_EQ(a.downloads[i].name, b.downloads[i].name) << name;
    EXPECT_EQ(a.downloads[i].how, b.downloads[i].how) << name;
  }
  EXPECT_EQ(a.errors, b.errors) << name;
  EXPECT_EQ(a.navigations, b.navigations) << name;
  EXPECT_EQ(a.written, b.written) << name;
  EXPECT_EQ(a.scripts_run, b.scripts_run) << name;
}

// The fake browser loaded from its bytecode behaves as the one compiled from
// source: every smuggling page saves the same files, the same way.
TEST(HtmlRuntime, PreludeBytecodeRunsAsItsSource) {
  const formats::html::Prelude prelude = formats::html::compile_prelude();
  ASSERT_FALSE(prelude.empty());
  for (const char* name : {"array_join.html", "char_codes.html", "data_uri_click.html", "ms_save_img.html",
                           "plain_base64.html", "reversed.html", "xor_key.html", "benign_newsletter.html",
                           "svg_script.svg"}) {
    const auto m = formats::html::read_markup(page(name), 100, 1 << 20);
    formats::html::RunSettings limits;
#if defined(__SANITIZE_ADDRESS__)
    limits.cpu_ms *= 20;
#endif
    const auto from_source = formats::html::run_scripts(m.scripts, m.elements, limits);
    const auto from_bytecode = formats::html::run_scripts(m.scripts, m.elements, limits, prelude);
    expect_same_run(from_source, from_bytecode, name);
  }
  // Every smuggling page above but the newsletter saves something.
  const auto m = formats::html::read_markup(page("ms_save_img.html"), 100, 1 << 20);
  EXPECT_FALSE(formats::html::run_scripts(m.scripts, m.elements, {}, prelude).downloads.empty());
}

TEST(HtmlSniff, PagesAndSvg) {
  for (const char* name : {"plain_base64.html", "xor_key.html", "benign_newsletter.html"}) {
    const auto b = read_file(fixture(std::string("smuggling/") + name));
    EXPECT_EQ(core::sniff(ByteView(b.data(), b.size())), FileType::html) << name;
  }
  const auto svg = read_file(fixture("smuggling/svg_script.svg"));
  EXPECT_EQ(core::sniff(ByteView(svg.data(), svg.size())), FileType::svg);
  EXPECT_EQ(core::sniff(ByteView::of("<script>var a = atob('x');</script>")), FileType::html);
  EXPECT_EQ(core::sniff(ByteView::of("var s = '<svg>'; WScript.Echo(s);")), FileType::script_js);
}

TEST(HtmlMarkup, ScriptsHandlersJavascriptUrlsAndElements) {
  const auto m = formats::html::read_markup(
      "<body onload=\"go()\"><a href=\"javascript:run(1)\">x</a><div id=\"p\">QUJD</div>"
      "<script type=\"text/vbscript\">MsgBox 1</script><script>var a=1;</script>"
      "<script type=\"application/ld+json\">{}</script></body>",
      100, 1000);
  ASSERT_EQ(m.scripts.size(), 5u);
  EXPECT_EQ(m.scripts[0].where, "onload of <body>");
  EXPECT_EQ(m.scripts[0].event, "load");
  EXPECT_EQ(m.scripts[1].kind, formats::html::ScriptKind::javascript_url);
  EXPECT_EQ(m.scripts[1].code, "run(1)");
  EXPECT_FALSE(m.scripts[2].runs);  // VBScript
  EXPECT_EQ(m.scripts[3].where, "script[1]");
  EXPECT_TRUE(m.scripts[3].runs);
  EXPECT_FALSE(m.scripts[4].runs);  // JSON-LD
  ASSERT_EQ(m.elements.size(), 1u);
  EXPECT_EQ(m.elements[0].inner, "QUJD");
}

TEST(HtmlMarkup, SvgScriptCdataAndEscapes) {
  const auto m = formats::html::read_markup("<svg><script>if (a &lt; b) x();</script>"
                                            "<script><![CDATA[if (a < b) y();]]></script></svg>",
                                            10, 100);
  ASSERT_EQ(m.scripts.size(), 2u);
  EXPECT_EQ(m.scripts[0].code, "if (a < b) x();");
  EXPECT_EQ(m.scripts[1].code, "if (a < b) y();");
}

// Static reading: each style whose payload is written into the code decodes
// to the same ZIP without running anything; the XOR style cannot (its bytes
// are only known after the loop runs).
TEST(HtmlBlobs, StaticStylesDecodeToTheZip) {
  const auto zip = reference_zip();
  ASSERT_GT(zip.size(), 1000u);
  ASSERT_TRUE(sniffs_as_payload(zip));
  for (const char* name : {"plain_base64.html", "reversed.html", "array_join.html", "char_codes.html",
                           "svg_script.svg"}) {
    const auto m = formats::html::read_markup(page(name), 100, 1 << 20);
    std::size_t hits = 0;
    for (const auto& s : m.scripts) {
      for (const auto& c : formats::html::find_encoded_blobs(s.code, 64, 100, 1 << 24, sniffs_as_payload)) {
        EXPECT_EQ(c.bytes, zip) << name << " " << c.encoding;
        ++hits;
      }
    }
    EXPECT_EQ(hits, 1u) << name;
  }
  const auto x = formats::html::read_markup(page("xor_key.html"), 100, 1 << 20);
  for (const auto& s : x.scripts) {
    EXPECT_TRUE(formats::html::find_encoded_blobs(s.code, 64, 100, 1 << 24, sniffs_as_payload).empty());
  }
}

TEST(HtmlBlobs, EscapesHexAndUrlSafe) {
  // "PK\x03\x04" + padding as \x escapes; hex; URL-safe base64 of the reference ZIP.
  const auto zip = reference_zip();
  std::string esc = "var s = \"";
  std::string hex = "var h = '";
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::uint8_t b : zip) {
    esc += "\\x";
    esc += kHex[b >> 4];
    esc += kHex[b & 15];
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  esc += "\";";
  hex += "';";
  for (const std::string& code : {esc, hex}) {
    const auto found = formats::html::find_encoded_blobs(code, 64, 10, 1 << 24, sniffs_as_payload);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].bytes, zip) << found[0].encoding;
  }
}

TEST(HtmlBlobs, NewsletterHasNoPayload) {
  const auto m = formats::html::read_markup(page("benign_newsletter.html"), 100, 1 << 20);
  for (const auto& s : m.scripts) {
    EXPECT_TRUE(formats::html::find_encoded_blobs(s.code, 64, 100, 1 << 24, sniffs_as_payload).empty());
  }
}

// Execution: every style, the XOR loop included, saves the same ZIP under the
// name the page gives it.
TEST(HtmlRuntime, EveryStyleSavesTheZip) {
  const auto zip = reference_zip();
  for (const char* name : {"plain_base64.html", "reversed.html", "array_join.html", "char_codes.html",
                           "xor_key.html", "svg_script.svg", "data_uri_click.html"}) {
    const auto r = run_page(name);
    ASSERT_EQ(r.downloads.size(), 1u) << name << (r.errors.empty() ? "" : " " + r.errors[0]);
    EXPECT_EQ(r.downloads[0].name, "Invoice.zip") << name;
    EXPECT_EQ(r.downloads[0].bytes, zip) << name;
    EXPECT_FALSE(r.out_of_time);
  }
  const auto img = run_page("ms_save_img.html");
  ASSERT_EQ(img.downloads.size(), 1u);
  EXPECT_EQ(img.downloads[0].name, "Document.img");
  EXPECT_EQ(img.downloads[0].how, "msSaveOrOpenBlob");
  EXPECT_EQ(core::sniff(ByteView(img.downloads[0].bytes.data(), img.downloads[0].bytes.size())), FileType::fat);
}

// A prepared interpreter runs one page, with that page's elements bound
// before its code (the browser was loaded before the page was known), and the
// binding call is gone by then; a second page is refused, not run in a
// browser the first one changed.
TEST(HtmlRuntime, APreparedInterpreterRunsOnePageWithItsElements) {
  const auto m = formats::html::read_markup(
      "<div id=\"payload\">aGVsbG8=</div><script>document.write(typeof __sluice_bind + ' ' + "
      "atob(document.getElementById('payload').innerText));</script>",
      100, 1 << 20);
  auto interpreter = formats::html::Interpreter::prepare(formats::html::compile_prelude());
  ASSERT_TRUE(interpreter->ready());
  const auto r = interpreter->run(m.scripts, m.elements, {});
  EXPECT_EQ(r.written, "undefined hello");
  EXPECT_TRUE(r.errors.empty()) << r.errors.front();
  EXPECT_FALSE(interpreter->ready());
  const auto again = interpreter->run(m.scripts, m.elements, {});
  EXPECT_TRUE(again.written.empty());
  EXPECT_EQ(again.scripts_run, 0u);
  ASSERT_EQ(again.errors.size(), 1u);
  // The one-call form gives the same page the same result.
  EXPECT_EQ(formats::html::run_scripts(m.scripts, m.elements, {}).written, "undefined hello");
}

// A reset interpreter (ADR 0041) gives each page what a fresh one gives, and
// nothing one page did to the browser, its globals or the built-ins reaches
// the next: not a variable, not a patched prototype, not the state of
// Math.random, not a heap the last page filled.
TEST(HtmlRuntime, AResetInterpreterRunsEachPageAsAFreshOne) {
  const formats::html::Prelude prelude = formats::html::compile_prelude();
  auto in = formats::html::Interpreter::prepare(prelude);
  ASSERT_TRUE(in->ready());
  formats::html::RunSettings limits;
#if defined(__SANITIZE_ADDRESS__)
  limits.cpu_ms *= 20;
#endif
  for (int round = 0; round < 2; ++round) {
    for (const char* name : {"array_join.html", "char_codes.html", "data_uri_click.html", "ms_save_img.html",
                             "plain_base64.html", "reversed.html", "xor_key.html", "benign_newsletter.html",
                             "svg_script.svg"}) {
      const auto m = formats::html::read_markup(page(name), 100, 1 << 20);
      const auto fresh = formats::html::run_scripts(m.scripts, m.elements, limits, prelude);
      ASSERT_TRUE(in->reset()) << name;
      const auto reused = in->run(m.scripts, m.elements, limits);
      expect_same_run(fresh, reused, name);
    }
  }

  formats::html::ScriptSource spoil;
  spoil.code = "window.leak = 'x'; Object.prototype.polluted = 1; String.prototype.trim = function () { return 'hacked'; };"
               "document.write(Math.random());";
  formats::html::ScriptSource look;
  look.code = "document.write(typeof leak + ' ' + ({}).polluted + ' ' + ' y '.trim() + ' ' + Math.random());";
  const auto clean = formats::html::run_scripts({&look, 1}, {}, {}, prelude);
  ASSERT_TRUE(in->reset());
  EXPECT_EQ(in->run({&spoil, 1}, {}, {}).errors.size(), 0u);
  EXPECT_FALSE(in->ready());
  ASSERT_TRUE(in->reset());
  EXPECT_TRUE(in->ready());
  const auto after = in->run({&look, 1}, {}, {});
  EXPECT_TRUE(after.written.starts_with("undefined undefined y 0.")) << after.written;
  EXPECT_EQ(after.written, clean.written);

  formats::html::ScriptSource grow;
  grow.code = "var s = 'x', keep = []; for (;;) { s = s + s; keep.push(s); }";
  formats::html::RunSettings small;
  small.cpu_ms = 60'000;
  small.heap_bytes = 16u << 20;
  ASSERT_TRUE(in->reset());
  EXPECT_TRUE(in->run({&grow, 1}, {}, small).out_of_memory);
  ASSERT_TRUE(in->reset());
  const auto next = in->run({&look, 1}, {}, {});
  EXPECT_FALSE(next.out_of_memory);
  EXPECT_EQ(next.written, clean.written);
}

TEST(HtmlRuntime, NavigationsAndDocumentWrite) {
  formats::html::ScriptSource s;
  s.code = "document.write('<p>hi</p>'); window.location = 'https://files.example/a.iso';"
           "window.open('data:text/plain;base64,aGVsbG8=');";
  const auto r = formats::html::run_scripts({&s, 1}, {}, {});
  EXPECT_EQ(r.written, "<p>hi</p>");
  ASSERT_EQ(r.navigations.size(), 1u);
  EXPECT_EQ(r.navigations[0], "https://files.example/a.iso");
  ASSERT_EQ(r.downloads.size(), 1u);
  EXPECT_EQ(std::string(r.downloads[0].bytes.begin(), r.downloads[0].bytes.end()), "hello");
}

// A spinning script, even one that catches the timeout error, is stopped by the
// CPU budget; one that allocates without end by the heap cap. The flags are

// Math.random is Sluice's generator, seeded the same for every page: an ad
// script's random cache-buster gives the same written markup (so the same
// artifact and hash) on every scan, and the numbers are still spread over [0, 1).
TEST(HtmlRuntime, MathRandomIsTheSameOnEveryRun) {
  formats::html::ScriptSource s;
  s.code =
      "var lo = 1, hi = 0, distinct = {}, n = 0;"
      "for (var i = 0; i < 1000; i++) { var r = Math.random(); if (r < lo) lo = r; if (r > hi) hi = r;"
      "  if (!distinct[r]) { distinct[r] = 1; n++; } }"
      "document.write('ord=' + Math.floor(Math.random() * 1e16) + ' ' + (lo >= 0) + ' ' + (hi < 1) + ' ' +"
      "  (lo < 0.01) + ' ' + (hi > 0.99) + ' ' + n);";
  const auto first = formats::html::run_scripts({&s, 1}, {}, {});
  const auto second = formats::html::Interpreter::prepare(formats::html::compile_prelude())->run({&s, 1}, {}, {});
  EXPECT_TRUE(first.errors.empty()) << first.errors.front();
  EXPECT_TRUE(first.written.ends_with(" true true true true 1000")) << first.written;
  EXPECT_EQ(first.written, second.written);
}

// The page's clock (ADR 0043) starts where the engine says (the time its
// message arrived), runs in UTC whatever the machine's zone, and moves only
// as the page reads it: the same page writes the same times on every run.
TEST(HtmlRuntime, ThePageClockStartsWhereToldAndIsUtcEverywhere) {
  const std::string code =
      "var d = new Date();"
      "document.write(d.toISOString() + '|' + d.getHours() + '|' + d.getTimezoneOffset() + '|' +"
      "  new Date(2020, 4, 21, 10).getTime() + '|' + Date.parse('Thu, 21 May 2020 19:00:00 +0900') + '|' +"
      "  Date.parse('Thu May 21 10:00:00 2020') + '|' + Date.now());";
  const auto utc = run_on_may_21(code);
  const auto seoul = in_zone("Asia/Seoul", [&] { return run_on_may_21(code); });
  EXPECT_TRUE(utc.errors.empty()) << utc.errors.front();
  EXPECT_EQ(utc.written,
            "2020-05-21T10:00:00.001Z|10|0|1590055200000|1590055200000|1590055200000|1590055200002");
  EXPECT_EQ(seoul.written, utc.written);
  EXPECT_TRUE(utc.read_clock);
  // Setting and running timers is the browser's bookkeeping, not a reading:
  // such a page's report carries no html.clock.
  const auto timers_only = run_on_may_21("setTimeout(function () { document.write('x'); }, 500);");
  EXPECT_EQ(timers_only.written, "x");
  EXPECT_FALSE(timers_only.read_clock);
}

// A page that waits for time to pass, in a loop or with a timer, gets it
// (sandbox-evading kits wait before they drop) and is not stopped by the CPU
// budget; timers run as they fall due, with the clock at their due time.
TEST(HtmlRuntime, APageThatWaitsForTimeGetsIt) {
  const auto r = run_on_may_21(
      "var t = Date.now(), spins = 0;"
      "while (Date.now() < t + 5000) spins++;"
      "setTimeout(function () { document.write('|late ' + (Date.now() - t >= 65000)); }, 60000);"
      "setTimeout(function () { document.write('|soon ' + (Date.now() - t < 5100)); });"
      "document.write('spun ' + spins + ' ' + (performance.now() >= 5000));");
  EXPECT_FALSE(r.out_of_time);
  EXPECT_TRUE(r.errors.empty()) << r.errors.front();
  EXPECT_EQ(r.written, "spun 4999 true|soon true|late true");
}

// the outcome, not a measured time.
TEST(HtmlRuntime, CpuBudgetStopsASpinThatCatches) {
  formats::html::RunSettings l;
  l.cpu_ms = 50;
  formats::html::ScriptSource spin;
  spin.code = "for (;;) { try { while (true) {} } catch (e) {} }";
  EXPECT_TRUE(formats::html::run_scripts({&spin, 1}, {}, l).out_of_time);
}

TEST(HtmlRuntime, HeapCapStopsAllocation) {
  formats::html::RunSettings l;
  formats::html::ScriptSource grow;
  grow.code = "var s = 'x', keep = []; for (;;) { s = s + s; keep.push(s); }";
  l.cpu_ms = 60'000;
  l.heap_bytes = 16u << 20;
  const auto r = formats::html::run_scripts({&grow, 1}, {}, l);
  EXPECT_TRUE(r.out_of_memory);
  EXPECT_FALSE(r.out_of_time);
}

TEST(HtmlEngine, SmuggledZipIsScannedWithItsName) {
  const ScanResult r = testing::default_engine().scan(read_file(fixture("smuggling/reversed.html")), "Invoice.html");
  EXPECT_EQ(r.verdict, Verdict::malicious) << r.score;
  EXPECT_TRUE(testing::has_finding(r, "html.smuggling"));
  bool exe = false;
  for (const auto& a : r.tree) {
    if (a.type == FileType::pe_exe) {
      exe = true;
      EXPECT_EQ(r.tree.evidence_path(a.id),
                "file \"Invoice.html\" \u203a smuggled \"Invoice.zip\" \u203a member[0] \"Invoice.iso\" \u203a \"/INVOICE.EXE\"");
    }
  }
  EXPECT_TRUE(exe);
}

// ADR 0043 end to end: a page in a message reads the receiving site's
// Received stamp, whichever engine scans it and whatever the machine's zone,
// so what it writes has one hash; the page's artifact says where the clock came from.
TEST(HtmlEngine, APageReadsTheSameClockOnEveryScan) {
  const std::string mail =
      "Received: from mx.example by mail.example (Postfix) with ESMTP id 4F1A;\r\n"
      "\tThu, 21 May 2020 19:00:00 +0900 (KST)\r\n"
      "Date: Wed, 20 May 2020 01:00:00 +0000\r\n"
      "From: a@example.org\r\nTo: b@example.org\r\nSubject: clock\r\nMIME-Version: 1.0\r\n"
      "Content-Type: text/html\r\n\r\n"
      "<html><body><script>var d = new Date();"
      "document.write('<p>' + d.toString() + ' ' + d.getHours() + ' ' + Date.now() + '</p>');"
      "</script></body></html>\r\n";
  const std::vector<std::uint8_t> bytes(mail.begin(), mail.end());
  auto written = [](const ScanResult& r, std::string* clock, std::string* from) {
    std::string hash;
    for (const auto& a : r.tree) {
      if (a.type == FileType::html) {
        *clock = a.meta_string("html.clock");
        *from = a.meta_string("html.clock_from");
      }
      if (r.tree.evidence_path(a.id).ends_with("document.write")) hash = to_hex(a.hashes.sha256);
    }
    return hash;
  };
  std::string clock, from, clock2, from2;
  const std::string first = written(testing::default_engine().scan(ByteView(bytes.data(), bytes.size()), "m.eml"), &clock, &from);
  const std::string second = in_zone("America/New_York", [&] {
    return written(testing::default_engine().scan(ByteView(bytes.data(), bytes.size()), "m.eml"), &clock2, &from2);
  });
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, second);
  EXPECT_EQ(clock, "2020-05-21T10:00:00Z");
  EXPECT_EQ(from, "received");
  EXPECT_EQ(clock2, clock);
  EXPECT_EQ(from2, from);
}

TEST(HtmlEngine, NewsletterIsClean) {
  const ScanResult r = testing::default_engine().scan(read_file(fixture("smuggling/benign_newsletter.html")), "n.html");
  EXPECT_EQ(r.verdict, Verdict::clean) << r.score;
  EXPECT_FALSE(testing::has_finding(r, "html.smuggling"));
}

}  // namespace
}  // namespace sluice
