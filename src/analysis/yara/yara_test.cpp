#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "analysis/yara/rules.hpp"
#include "disk_images.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;

// The EICAR test string, assembled here so no file in the tree is a test file.
std::vector<std::uint8_t> eicar() {
  const std::string s = std::string("X5O!P%@AP[4\\PZX54(P^)7CC)7}$") + "EICAR-STANDARD-ANTIVIRUS" +
                        "-TEST-FILE!$H+H*";
  return {s.begin(), s.end()};
}

std::vector<const Finding*> yara_matches(const ScanResult& r) {
  std::vector<const Finding*> out;
  for (const Finding& f : r.findings) {
    if (f.id == "yara.match") out.push_back(&f);
  }
  return out;
}

std::string evidence(const Finding& f, std::string_view key) {
  for (const auto& [k, v] : f.evidence) {
    if (k == key) return v;
  }
  return "<missing>";
}

// A scratch directory for rule files, removed with the object.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "sluice-yara-XXXXXX").string();
    path = ::mkdtemp(tmpl.data()) != nullptr ? fs::path(tmpl) : fs::path();
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
  }
};

Result<Engine> engine_with_yara(const YaraConfig& y) {
  auto cfg = default_config();
  EXPECT_TRUE(cfg);
  cfg->yara = y;
  return Engine::create(std::move(*cfg));
}

TEST(Yara, StarterRulesCompileIntoTheDefaultEngine) {
  const auto sources = analysis::yara::builtin_sources();
  ASSERT_EQ(sources.size(), 4u) << "one source per data/yara/*.yar";
  auto rules = analysis::yara::Rules::compile(sources);
  ASSERT_TRUE(rules) << rules.error().what;
  EXPECT_EQ((*rules)->rule_count(), 8u);
}

}  // namespace
}  // namespace sluice

namespace sluice::embedded {
extern const unsigned char kYaraCompiled[];
extern const std::size_t kYaraCompiledSize;
}  // namespace sluice::embedded

namespace sluice {
namespace {

// The default engine loads the starter rules the build compiled
// (docs/adr/0030): they must be exactly what compiling the embedded sources
// now gives, byte for byte in libyara's saved form.
TEST(Yara, TheStarterRulesTheBuildSavedAreTheOnesTheSourcesCompileTo) {
  const std::span<const std::uint8_t> saved(embedded::kYaraCompiled, embedded::kYaraCompiledSize);
  auto loaded = analysis::yara::Rules::load(saved);
  ASSERT_TRUE(loaded) << loaded.error().what;
  auto compiled = analysis::yara::Rules::compile(analysis::yara::builtin_sources());
  ASSERT_TRUE(compiled) << compiled.error().what;
  EXPECT_EQ((*loaded)->rule_count(), (*compiled)->rule_count());
  auto again = (*compiled)->save();
  ASSERT_TRUE(again) << again.error().what;
  EXPECT_TRUE(std::equal(again->begin(), again->end(), saved.begin(), saved.end()))
      << "generated/yara_compiled.cpp is stale: " << again->size() << " bytes compiled, " << saved.size() << " saved";
  auto reloaded = (*loaded)->save();
  ASSERT_TRUE(reloaded);
  EXPECT_TRUE(std::equal(reloaded->begin(), reloaded->end(), saved.begin(), saved.end()));
}

// Whether scans keep libyara's fault guard (docs/adr/0031) follows from the
// rules themselves: asked of libyara by a probe scan, for compiled and loaded
// rule sets alike, including an import reached only through an include.
TEST(Yara, ARuleSetImportsModulesOnlyWhenOneOfItsRulesDoes) {
  using analysis::yara::Rules;
  auto starter = Rules::compile(analysis::yara::builtin_sources());
  ASSERT_TRUE(starter) << starter.error().what;
  EXPECT_FALSE((*starter)->imports_modules());
  auto loaded = Rules::load(std::span<const std::uint8_t>(embedded::kYaraCompiled, embedded::kYaraCompiledSize));
  ASSERT_TRUE(loaded) << loaded.error().what;
  EXPECT_FALSE((*loaded)->imports_modules());

  for (const char* module : {"pe", "math", "elf"}) {
    const std::string text = std::string("import \"") + module + "\"\nrule r { condition: filesize > 0 }\n";
    auto rules = Rules::compile({{"inline.yar", "t", text, false}});
    ASSERT_TRUE(rules) << module << ": " << rules.error().what;
    EXPECT_TRUE((*rules)->imports_modules()) << module;
    auto saved = (*rules)->save();
    ASSERT_TRUE(saved);
    auto back = Rules::load(*saved);
    ASSERT_TRUE(back) << back.error().what;
    EXPECT_TRUE((*back)->imports_modules()) << module << " after save and load";
  }

  TempDir dir;
  dir.write("base.yar", "import \"pe\"\nrule is_dll { condition: pe.is_dll() }\n");
  dir.write("main.yar", "include \"base.yar\"\nrule plain { strings: $a = \"abc\" condition: $a }\n");
  auto included = Rules::compile({{(dir.path / "main.yar").string(), "main", "", true}});
  ASSERT_TRUE(included) << included.error().what;
  EXPECT_TRUE((*included)->imports_modules());
  auto plain = Rules::compile({{"plain.yar", "p", "rule plain { strings: $a = \"abc\" condition: $a and uint16(0) == 0x5A4D }", false}});
  ASSERT_TRUE(plain) << plain.error().what;
  EXPECT_FALSE((*plain)->imports_modules());
}

TEST(Yara, SavedRulesCutShortOrDamagedAreAnErrorNotACrash) {
  const std::span<const std::uint8_t> saved(embedded::kYaraCompiled, embedded::kYaraCompiledSize);
  for (std::size_t n : {std::size_t{0}, std::size_t{3}, std::size_t{16}, saved.size() / 2}) {
    auto r = analysis::yara::Rules::load(saved.first(n));
    EXPECT_FALSE(r) << n << " bytes loaded";
    if (!r) {
      EXPECT_EQ(r.error().code, Errc::unsupported);
    }
  }
  std::vector<std::uint8_t> wrong_version(saved.begin(), saved.end());
  wrong_version[4] ^= 0xFF;  // after the "YARA" magic: the format version
  EXPECT_FALSE(analysis::yara::Rules::load(wrong_version));
}

TEST(Yara, EicarIsAMatchTaggedTestWhoseScoreComesFromTheRule) {
  const ScanResult r = testing::default_engine().scan(eicar(), "eicar.com");
  const auto m = yara_matches(r);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(evidence(*m[0], "rule"), "Sluice_EICAR_Test_File");
  EXPECT_EQ(evidence(*m[0], "namespace"), "sluice");
  EXPECT_EQ(evidence(*m[0], "tags"), "test");
  EXPECT_EQ(evidence(*m[0], "strings"), "$eicar@0x0");
  EXPECT_EQ(evidence(*m[0], "rule_score"), "80");
  EXPECT_NE(evidence(*m[0], "description").find("EICAR"), std::string::npos);
  EXPECT_EQ(m[0]->score, 80);
  EXPECT_EQ(r.verdict, Verdict::malicious);
}

TEST(Yara, RulesSeeDecodedMembersNotJustTheAttachment) {
  // The batch file is deflated inside the ZIP: only its decoded bytes match.
  const ScanResult r = testing::default_engine().scan(
      testing::read_file(testing::fixture("yara/mshta_bat.zip")), "mshta_bat.zip");
  const auto m = yara_matches(r);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(evidence(*m[0], "rule"), "Sluice_Mshta_Remote_Script");
  EXPECT_NE(m[0]->artifact, 0u);
  EXPECT_EQ(r.tree[m[0]->artifact].display_name(), "update.bat");
}

TEST(Yara, UserRuleDirectoriesCompileOnceWithTheirOwnNamespaceAndClampedScore) {
  TempDir dir;
  dir.write("vendor_a.yar",
            "rule HelloWorld : demo { meta: score = 500 description = \"says hello\"\n"
            "strings: $h = \"hello\" condition: $h }\n");
  dir.write("vendor_b.yara", "rule NoScore { strings: $w = \"world\" condition: $w }\n");
  dir.write("notes.txt", "this is not a rule file and is ignored {");
  YaraConfig y;
  y.builtin_rules = false;
  y.rule_dirs = {dir.path.string()};
  y.max_rule_score = 60;
  auto e = engine_with_yara(y);
  ASSERT_TRUE(e) << e.error().what;
  const std::string text = "hello world";
  const ScanResult r = e->scan(ByteView::of(text), "t.txt");
  const auto m = yara_matches(r);
  ASSERT_EQ(m.size(), 2u);
  const Finding& hello = evidence(*m[0], "rule") == "HelloWorld" ? *m[0] : *m[1];
  const Finding& world = &hello == m[0] ? *m[1] : *m[0];
  EXPECT_EQ(evidence(hello, "namespace"), "vendor_a");
  EXPECT_EQ(evidence(hello, "tags"), "demo");
  EXPECT_EQ(evidence(hello, "rule_score"), "500");
  EXPECT_EQ(hello.score, 60) << "clamped to yara.max_rule_score";
  EXPECT_EQ(evidence(world, "namespace"), "vendor_b");
  EXPECT_EQ(world.score, default_config()->policy.weight("yara.match", Severity::medium))
      << "no score meta: the policy's weight";
}

TEST(Yara, ABadRuleFileIsAConfigErrorNamingFileAndLine) {
  TempDir dir;
  dir.write("good.yar", "rule Good { condition: true }\n");
  dir.write("zz_bad.yar", "// line 1\n\nrule Bad { strings: $a = \"x\" condition: $b }\n");
  YaraConfig y;
  y.rule_dirs = {dir.path.string()};
  auto e = engine_with_yara(y);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().what.find("zz_bad.yar:3: undefined string"), std::string::npos)
      << e.error().what;

  y.rule_dirs = {(dir.path / "missing").string()};
  auto missing = engine_with_yara(y);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().what.find("not a directory"), std::string::npos);
}

TEST(Yara, DisabledOrEmptyRuleSetsRunNothing) {
  YaraConfig off;
  off.enabled = false;
  auto e = engine_with_yara(off);
  ASSERT_TRUE(e);
  EXPECT_TRUE(yara_matches(e->scan(eicar(), "eicar.com")).empty());
  YaraConfig none;
  none.builtin_rules = false;
  auto e2 = engine_with_yara(none);
  ASSERT_TRUE(e2);
  EXPECT_TRUE(yara_matches(e2->scan(eicar(), "eicar.com")).empty());
}

TEST(Yara, ScanLimitsAreReportedNotSilent) {
  std::vector<std::uint8_t> padded(4096, 'A');
  const auto e = eicar();
  padded.insert(padded.end(), e.begin(), e.end());
  YaraConfig y;
  y.max_scan_bytes = 1024;
  auto cut = engine_with_yara(y);
  ASSERT_TRUE(cut);
  const ScanResult r = cut->scan(ByteView(padded.data(), padded.size()), "padded.bin");
  EXPECT_TRUE(yara_matches(r).empty()) << "the string lies past the scanned prefix";
  EXPECT_TRUE(testing::has_finding(r, "yara.incomplete"));

  YaraConfig total;
  total.max_total_scan_bytes = 100;
  auto budget = engine_with_yara(total);
  ASSERT_TRUE(budget);
  const ScanResult r2 = budget->scan(ByteView(padded.data(), padded.size()), "padded.bin");
  EXPECT_TRUE(yara_matches(r2).empty());
  EXPECT_TRUE(testing::has_finding(r2, "yara.incomplete"));
}

// A 2.1 TB sparse disk (tests/fixtures/make_sparse_disk_fixtures.sh) is larger
// than max_scan_bytes, yet its data is scanned whole: libyara reads its present
// ranges as memory blocks at their true offsets (filesize = the full disk), so
// a string 2.1 TB in matches at its real offset and nothing is "incomplete".
TEST(Yara, SparseDisksAreScannedByTheirDataAtTrueOffsets) {
  const std::string needle = "Mingw-w64 runtime failure:";
  TempDir dir;
  dir.write("disk.yar", "rule FarInDisk { strings: $s = \"" + needle +
                            "\" condition: $s and filesize > 2000000000000 }\n");
  YaraConfig y;
  y.builtin_rules = false;
  y.rule_dirs = {dir.path.string()};
  auto e = engine_with_yara(y);
  ASSERT_TRUE(e) << e.error().what;
  const auto hello = testing::read_file(testing::fixture("pe/hello.exe"));
  const auto at = std::string(hello.begin(), hello.end()).find(needle);
  ASSERT_NE(at, std::string::npos);
  const auto file = testing::disk::load(testing::fixture("vhd/sparse_2t.vhdx.gz"));
  const ScanResult r = e->scan(ByteView(file.data(), file.size()), "s.vhdx");
  EXPECT_FALSE(testing::has_finding(r, "yara.incomplete"));
  const Artifact* disk = testing::find_by_type(r, FileType::gpt);
  const Artifact* exe = testing::find_by_type(r, FileType::pe_exe);
  ASSERT_NE(disk, nullptr);
  ASSERT_NE(exe, nullptr);
  const auto m = yara_matches(r);
  ASSERT_EQ(m.size(), 1u) << "only the view whose filesize passes the condition";
  EXPECT_EQ(m[0]->artifact, disk->id);
  const auto offset = static_cast<std::uint64_t>(exe->bytes.data() - disk->bytes.data()) + at;
  char want[40];
  std::snprintf(want, sizeof want, "$s@0x%llx", static_cast<unsigned long long>(offset));
  EXPECT_EQ(evidence(*m[0], "strings"), want);
  EXPECT_GT(offset, 2'000'000'000'000ull);
}

// In a disk image YARA is not given the 64 KiB-aligned chunks that are all
// zeros (docs/adr/0026): strings in the data still match at their true offsets
// in the file and `filesize` is the whole file, but nothing can be read inside
// such a chunk. The dynamic VHD of a 2 TB disk is 10 MB, nearly all zeros.
TEST(Yara, DiskImagesAreScannedWithoutTheirAllZeroChunks) {
  const auto file = testing::disk::load(testing::fixture("vhd/sparse_2t.vhd.gz"));
  const std::string text(file.begin(), file.end());
  const std::string needle = "This program cannot be run in DOS mode";
  const auto at = text.find(needle);
  ASSERT_NE(at, std::string::npos);
  std::uint64_t zero_chunk = 0;
  for (std::uint64_t c = 0; c + 65536 <= file.size() && zero_chunk == 0; c += 65536) {
    if (std::all_of(file.begin() + static_cast<std::ptrdiff_t>(c), file.begin() + static_cast<std::ptrdiff_t>(c + 65536),
                    [](std::uint8_t b) { return b == 0; })) {
      zero_chunk = c;
    }
  }
  ASSERT_NE(zero_chunk, 0u);
  TempDir dir;
  dir.write("vhd.yar", "rule InTheData { strings: $s = \"" + needle + "\" condition: $s and filesize == " +
                           std::to_string(file.size()) + " }\n"
                           "rule InAZeroChunk { condition: uint32(" + std::to_string(zero_chunk + 4096) +
                           ") == 0 }\n");
  YaraConfig y;
  y.builtin_rules = false;
  y.rule_dirs = {dir.path.string()};
  auto e = engine_with_yara(y);
  ASSERT_TRUE(e) << e.error().what;
  const ScanResult r = e->scan(ByteView(file.data(), file.size()), "s.vhd");
  ASSERT_EQ(r.tree[0].type, FileType::vhd);
  EXPECT_FALSE(testing::has_finding(r, "yara.incomplete"));
  std::vector<std::string> on_file;
  for (const Finding* f : yara_matches(r)) {
    if (f->artifact == 0) on_file.push_back(evidence(*f, "rule") + " " + evidence(*f, "strings"));
  }
  char want[80];
  std::snprintf(want, sizeof want, "InTheData $s@0x%llx", static_cast<unsigned long long>(at));
  EXPECT_EQ(on_file, std::vector<std::string>{want});
  // The executable inside is an artifact of its own, scanned whole.
  const Artifact* exe = testing::find_by_type(r, FileType::pe_exe);
  ASSERT_NE(exe, nullptr);
  bool exe_matched = false;
  for (const Finding* f : yara_matches(r)) exe_matched |= f->artifact == exe->id && evidence(*f, "rule") == "InAZeroChunk";
  EXPECT_FALSE(exe_matched) << "uint32 past the end of a small file is undefined";
}

TEST(Yara, OneEngineScansFromManyThreadsAlike) {
  const Engine engine = testing::default_engine();
  const auto lnk = testing::read_file(testing::fixture("yara/cmd_c.lnk"));
  std::vector<std::size_t> counts(8, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < counts.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        counts[t] += yara_matches(engine.scan(ByteView(lnk.data(), lnk.size()), "cmd_c.lnk")).size();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (std::size_t c : counts) EXPECT_EQ(c, 10u);
}

}  // namespace
}  // namespace sluice
