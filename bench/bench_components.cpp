// The hot components of a ham scan (issue #17), each against the way it used
// to be done where that is the point: the lure lexicon in one automaton pass
// vs one find per phrase; one automaton walk vs four at once; the MIME walk;
// the URL scan; script sniffing; the JSON report; a page's scripts;
// the password search's key derivations, one candidate alone and two side by
// side (docs/adr/0035: a pair should cost about one); the starter YARA rules
// over 64 KiB of prose by libyara and by the literal prefilter that stands
// in for it where nothing can match (docs/adr/0040).
// A whole message: bench_engine's BM_ScanFixture.
// Run: cmake --preset bench && cmake --build --preset bench && build/bench/bench/bench_components
#include <benchmark/benchmark.h>

#include <array>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "analysis/lure/lexicon.hpp"
#include "analysis/yara/literal_prefilter.hpp"
#include "analysis/yara/rules.hpp"
#include "codecs/text/urls.hpp"
#include "core/phrase_matcher.hpp"
#include "core/script_sniff.hpp"
#include "formats/archive/rar3_crypto.hpp"
#include "formats/archive/rar5_crypto.hpp"
#include "formats/archive/sevenzip_crypto.hpp"
#include "formats/html/runtime.hpp"
#include "formats/mime/parser.hpp"
#include "sluice/engine.hpp"
#include "sluice/report.hpp"

// Last: libyara's module header defines a macro named parent().
#include <yara.h>

namespace {

std::vector<std::uint8_t> fixture(const std::string& name) {
  std::ifstream in(std::string(SLUICE_FIXTURES_DIR) + "/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// 64 KiB of lower-case mail prose (the lure detector's text cap), no lexicon hits.
std::string prose() {
  static constexpr std::string_view kWords[] = {"the", "meeting", "notes", "are", "attached", "please",
                                                "review", "before", "friday", "thanks", "regards", "team"};
  std::string s;
  std::uint32_t x = 2020;
  while (s.size() < 64 * 1024) {
    x = x * 1103515245 + 12345;
    s += kWords[(x >> 16) % std::size(kWords)];
    s += (x >> 8) % 11 == 0 ? ".\n" : " ";
  }
  return s;
}

std::vector<std::vector<std::string>> lexicon_lists() {
  std::vector<std::vector<std::string>> lists;
  for (const auto& b : sluice::analysis::lure::builtin_brands()) lists.push_back(b.phrases);
  for (const auto& t : sluice::analysis::lure::builtin_themes()) lists.push_back(t.phrases);
  return lists;
}

void BM_LureLexiconOnePass(benchmark::State& state) {
  const std::string text = prose();
  const sluice::analysis::lure::PhraseLists lists(lexicon_lists());
  for (auto _ : state) benchmark::DoNotOptimize(lists.find(text));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_LureLexiconOnePass);

// The old way, for the ratio: one string_view::find per phrase.
void BM_LureLexiconFindPerPhrase(benchmark::State& state) {
  const std::string text = prose();
  const auto lists = lexicon_lists();
  for (auto _ : state) {
    std::size_t hits = 0;
    for (const auto& l : lists) {
      for (const auto& p : l) hits += std::string_view(text).find(p) != std::string_view::npos ? 1 : 0;
    }
    benchmark::DoNotOptimize(hits);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_LureLexiconFindPerPhrase);

// One automaton walk against four interleaved (PhraseMatcher::scan_unordered,
// which the sniffer and the lexicon use): the lexicon's phrases over the prose.
sluice::core::PhraseMatcher lexicon_matcher() {
  std::vector<std::string> phrases;
  for (const auto& l : lexicon_lists()) phrases.insert(phrases.end(), l.begin(), l.end());
  return sluice::core::PhraseMatcher(phrases, sluice::core::PhraseMatcher::Case::ascii_insensitive);
}

void BM_PhraseScanOneWalk(benchmark::State& state) {
  const std::string text = prose();
  const auto m = lexicon_matcher();
  for (auto _ : state) {
    std::size_t hits = 0;
    m.scan(text, [&hits](std::size_t, std::size_t) { return ++hits != 0; });
    benchmark::DoNotOptimize(hits);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_PhraseScanOneWalk);

void BM_PhraseScanFourWalks(benchmark::State& state) {
  const std::string text = prose();
  const auto m = lexicon_matcher();
  for (auto _ : state) {
    std::size_t hits = 0;
    m.scan_unordered(text, [&hits](std::size_t, std::size_t) { ++hits; });
    benchmark::DoNotOptimize(hits);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_PhraseScanFourWalks);

// The MIME walk alone (headers, parameters, boundaries, leaves; no decoding
// or detectors): the AICPA campaign mail, multipart with a base64 ZIP.
// libyara over the prose with the starter rules (nothing matches), as the
// detector scans it: fast mode, no fault guard.
void BM_YaraStarterRulesLibyara(benchmark::State& state) {
  const std::string text = prose();
  auto rules = sluice::analysis::yara::Rules::compile(sluice::analysis::yara::builtin_sources());
  if (!rules) {
    state.SkipWithError("starter rules do not compile");
    return;
  }
  const sluice::analysis::yara::Scanner scanner = (*rules)->new_scanner();
  yr_scanner_set_callback(scanner.get(), [](YR_SCAN_CONTEXT*, int, void*, void*) { return CALLBACK_CONTINUE; }, nullptr);
  yr_scanner_set_flags(scanner.get(), SCAN_FLAGS_FAST_MODE | SCAN_FLAGS_NO_TRYCATCH);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        yr_scanner_scan_mem(scanner.get(), reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_YaraStarterRulesLibyara);

// The literal prefilter's answer for the same bytes ("no": libyara is not run).
void BM_YaraStarterRulesPrefilter(benchmark::State& state) {
  const std::string text = prose();
  std::vector<std::string> sources;
  for (const auto& s : sluice::analysis::yara::builtin_sources()) sources.push_back(s.text);
  const std::vector<std::string_view> views(sources.begin(), sources.end());
  const auto prefilter = sluice::analysis::yara::LiteralPrefilter::from_sources(views);
  if (!prefilter || prefilter->may_match(text)) {
    state.SkipWithError("no prefilter for the starter rules, or the prose holds a literal");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(prefilter->may_match(text));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_YaraStarterRulesPrefilter);

void BM_MimeWalk(benchmark::State& state) {
  const auto bytes = fixture("mail/aicpa.eml");
  const sluice::Limits limits;
  for (auto _ : state) benchmark::DoNotOptimize(sluice::formats::mime::parse(sluice::ByteView(bytes.data(), bytes.size()), limits));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_MimeWalk);

// URLs in 64 KiB of prose with a link every 40 words or so (ADR 0036: the
// scan jumps between "://" and "www." anchors).
void BM_UrlScan(benchmark::State& state) {
  std::string text = prose();
  for (std::size_t at = 300; at + 64 < text.size(); at += 300) {
    const std::size_t space = text.find(' ', at);
    if (space == std::string::npos) break;
    text.replace(space, 1, at % 600 == 0 ? " https://www.example.com/p?q=1 " : " www.example.org/x ");
  }
  for (auto _ : state) {
    sluice::codecs::text::UrlSet urls(1000);
    sluice::codecs::text::find_urls(text, urls);
    benchmark::DoNotOptimize(urls.urls().size());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_UrlScan);

void BM_ScriptSniff(benchmark::State& state) {
  const std::string text = prose();
  for (auto _ : state) benchmark::DoNotOptimize(sluice::core::sniff_script(text));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ScriptSniff);

void BM_JsonReport(benchmark::State& state) {
  const auto msg = fixture("mail/aicpa.eml");
  auto engine = sluice::Engine::create(*sluice::default_config());
  const auto result = engine->scan(sluice::ByteView(msg.data(), msg.size()), "aicpa.eml");
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string json = sluice::report::to_json(result, false);
    bytes += json.size();
    benchmark::DoNotOptimize(json.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_JsonReport);

// A newsletter's one tracking script, run in the fake browser (in process:
// the script helper's round trip around it is in the whole-message figures).
void BM_HtmlScriptRun(benchmark::State& state) {
  sluice::formats::html::ScriptSource s;
  s.code = "var img = document.createElement('img'); img.src = 'https://example.org/p.gif?u=' + 42;";
  s.where = "script[0]";
  const auto prelude = sluice::formats::html::compile_prelude();
  for (auto _ : state) {
    auto r = sluice::formats::html::run_scripts({&s, 1}, {}, {}, prelude);
    benchmark::DoNotOptimize(r.scripts_run);
  }
}
BENCHMARK(BM_HtmlScriptRun);

// The same page in one interpreter put back after each run (ADR 0041), as a
// script helper serves its pages.
void BM_HtmlScriptRunReset(benchmark::State& state) {
  sluice::formats::html::ScriptSource s;
  s.code = "var img = document.createElement('img'); img.src = 'https://example.org/p.gif?u=' + 42;";
  s.where = "script[0]";
  const auto prelude = sluice::formats::html::compile_prelude();
  auto in = sluice::formats::html::Interpreter::prepare(prelude);
  for (auto _ : state) {
    if (!in->reset()) state.SkipWithError("reset failed");
    auto r = in->run({&s, 1}, {}, {});
    benchmark::DoNotOptimize(r.scripts_run);
  }
}
BENCHMARK(BM_HtmlScriptRunReset);

// 7-Zip's default 2^19 rounds; RAR 5's default 2^15 PBKDF2 iterations; RAR 3's
// fixed 2^18 SHA-1 iterations. Two eight-character candidates, as a
// password list from a mail body gives.
void BM_SevenZipKey(benchmark::State& state) {
  sluice::formats::archive::sevenzip::AesProps p;
  p.cycles_power = 19;
  for (auto _ : state) benchmark::DoNotOptimize(sluice::formats::archive::sevenzip::derive_key(p, "Order202"));
}
BENCHMARK(BM_SevenZipKey)->Unit(benchmark::kMillisecond);
void BM_SevenZipKeyPair(benchmark::State& state) {
  sluice::formats::archive::sevenzip::AesProps p;
  p.cycles_power = 19;
  for (auto _ : state) benchmark::DoNotOptimize(sluice::formats::archive::sevenzip::derive_keys(p, "Order202", "Order203"));
}
BENCHMARK(BM_SevenZipKeyPair)->Unit(benchmark::kMillisecond);

void BM_Rar5Key(benchmark::State& state) {
  const sluice::formats::archive::rar5::KdfParams p;
  for (auto _ : state) benchmark::DoNotOptimize(sluice::formats::archive::rar5::derive(p, "Order202"));
}
BENCHMARK(BM_Rar5Key)->Unit(benchmark::kMillisecond);
void BM_Rar5KeyPair(benchmark::State& state) {
  const sluice::formats::archive::rar5::KdfParams p;
  for (auto _ : state) benchmark::DoNotOptimize(sluice::formats::archive::rar5::derive_pair(p, "Order202", "Order203"));
}
BENCHMARK(BM_Rar5KeyPair)->Unit(benchmark::kMillisecond);

void BM_Rar3Key(benchmark::State& state) {
  const std::array<std::uint8_t, 8> salt{1, 2, 3, 4, 5, 6, 7, 8};
  for (auto _ : state) benchmark::DoNotOptimize(sluice::formats::archive::rar3::derive("Order202", salt));
}
BENCHMARK(BM_Rar3Key)->Unit(benchmark::kMillisecond);
void BM_Rar3KeyPair(benchmark::State& state) {
  const std::array<std::uint8_t, 8> salt{1, 2, 3, 4, 5, 6, 7, 8};
  for (auto _ : state) benchmark::DoNotOptimize(sluice::formats::archive::rar3::derive_pair("Order202", "Order203", salt));
}
BENCHMARK(BM_Rar3KeyPair)->Unit(benchmark::kMillisecond);

}  // namespace
