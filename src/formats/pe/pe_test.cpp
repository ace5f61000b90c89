// PE tests. Oracles: pefile (Debian python3-pefile, via tests/fixtures/pe_oracle.py),
// the objdump / 7z listings in tests/fixtures/listings/, and the libarchive SFX corpus.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "formats/pe/parser.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using testing::fixture;
using testing::has_finding;
using testing::read_file;

bool have_pefile() {
  return fs::exists("/usr/bin/python3") &&
         testing::command_output("/usr/bin/python3 -c 'import pefile; print(1)' 2>/dev/null") == "1\n";
}

// The facts pe_oracle.py prints, rebuilt from Sluice's model in the same form.
std::multiset<std::string> sluice_facts(const std::vector<std::uint8_t>& bytes) {
  std::multiset<std::string> out;
  auto parsed = formats::pe::parse(ByteView(bytes.data(), bytes.size()), Limits{});
  if (!parsed) return {"error " + parsed.error().what};
  const formats::pe::PeImage* pe = &parsed->model;
  for (const auto& s : pe->sections) {
    std::array<char, 256> line{};
    std::snprintf(line.data(), line.size(), "section %s %u %u %.2f", s.name.c_str(), s.virtual_size,
                  s.raw_size, s.entropy);
    out.insert(line.data());
  }
  out.insert("imphash " + pe->imphash);
  out.insert("imports " + std::to_string(pe->import_symbol_count));
  for (const auto& [k, v] : pe->version_strings) out.insert("version " + k + "=" + v);
  out.insert("overlay " + (pe->overlay_offset ? std::to_string(*pe->overlay_offset) : std::string("none")));
  return out;
}

std::multiset<std::string> oracle_facts(const fs::path& p) {
  std::multiset<std::string> out;
  const std::string text = testing::command_output("/usr/bin/python3 '" + fixture("pe_oracle.py").string() + "' '" + p.string() +
                               "' 2>/dev/null");
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    out.insert(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

std::string diff(const std::multiset<std::string>& a, const std::multiset<std::string>& b) {
  std::string d;
  for (const auto& x : a) if (!b.contains(x)) d += "  sluice only: " + x + "\n";
  for (const auto& x : b) if (!a.contains(x)) d += "  pefile only: " + x + "\n";
  return d;
}

TEST(Pe, HeadersMatchObjdumpListing) {
  // listings/hello.exe.txt: PE32+, Windows CUI, start address 0x1400014d0, timestamp 0.
  const ScanResult r = testing::default_engine().scan(read_file(fixture("pe/hello.exe")), "hello.exe");
  const Artifact& a = r.tree[0];
  EXPECT_EQ(a.type, FileType::pe_exe);
  EXPECT_EQ(testing::meta_text(a, "pe.format"), "PE32+");
  EXPECT_EQ(testing::meta_text(a, "pe.machine"), "amd64");
  EXPECT_EQ(testing::meta_text(a, "pe.subsystem"), "windows_cui");
  EXPECT_EQ(testing::meta_text(a, "pe.timestamp"), "0");
  EXPECT_EQ(testing::meta_text(a, "pe.entry_point"), std::to_string(0x14d0));
  EXPECT_EQ(testing::meta_text(a, "pe.image_base"), "0x140000000");
  EXPECT_EQ(testing::meta_text(a, "pe.dll_characteristics"), std::to_string(0x160));
  EXPECT_EQ(testing::meta_text(a, "pe.entry_section"), ".text");
  EXPECT_EQ(testing::meta_text(a, "pe.signed"), "false");
  EXPECT_FALSE(has_finding(r, "pe.entry_outside_sections"));
  EXPECT_FALSE(has_finding(r, "pe.wx_section"));
  EXPECT_EQ(r.tree.size(), 1u) << "no resources, no overlay";

  const ScanResult r32 = testing::default_engine().scan(read_file(fixture("pe/hello32.exe")), "hello32.exe");
  EXPECT_EQ(testing::meta_text(r32.tree[0], "pe.format"), "PE32");
  EXPECT_EQ(testing::meta_text(r32.tree[0], "pe.machine"), "i386");
}

TEST(Pe, AdobeLureVersionInfoResourcesAndVendorClaim) {
  // listings/pdf_icon.exe.txt (7z l): VERSIONINFO strings and ICON/1, ICON/2, GROUP_ICON/1.
  const ScanResult r = testing::default_engine().scan(read_file(fixture("pe/pdf_icon.exe")), "pdf_icon.exe");
  const Artifact& a = r.tree[0];
  EXPECT_EQ(testing::meta_text(a, "pe.subsystem"), "windows_gui");
  EXPECT_EQ(testing::meta_text(a, "pe.version.CompanyName"), "Adobe Systems Incorporated");
  EXPECT_EQ(testing::meta_text(a, "pe.version.FileDescription"), "Adobe Acrobat Reader DC");
  EXPECT_EQ(testing::meta_text(a, "pe.version.OriginalFilename"), "AcroRd32.exe");
  EXPECT_EQ(testing::meta_text(a, "pe.version.InternalName"), "AcroRd32");
  EXPECT_EQ(testing::meta_text(a, "pe.version.FileVersion"), "20.9.20067.0");
  EXPECT_TRUE(has_finding(r, "pe.unsigned_vendor_claim"));
  std::set<std::string> names;
  std::map<std::string, std::size_t> sizes;
  for (const Artifact& c : r.tree) {
    if (c.parent != 0) continue;
    ASSERT_FALSE(c.names.empty());
    EXPECT_EQ(c.names[0].view, "pe.resource");
    names.insert(c.names[0].value);
    sizes[c.names[0].value] = c.bytes.size();
  }
  EXPECT_EQ(names, (std::set<std::string>{"/ICON/1/1033", "/ICON/2/1033", "/GROUP_ICON/1/1033"}));
  // 7z lists raw ICON resources with a 22-byte ICO header added (1128 → 1150).
  EXPECT_EQ(sizes["/ICON/1/1033"], 1128u);
  EXPECT_EQ(sizes["/ICON/2/1033"], 4264u);
  EXPECT_EQ(sizes["/GROUP_ICON/1/1033"], 34u);
  // hello.exe claims nothing: no vendor anomaly.
  const ScanResult plain = testing::default_engine().scan(read_file(fixture("pe/hello.exe")), "hello.exe");
  EXPECT_FALSE(has_finding(plain, "pe.unsigned_vendor_claim"));
}

TEST(Pe, DllExportsMatchObjdump) {
  const ScanResult r = testing::default_engine().scan(read_file(fixture("pe/payload.dll")), "payload.dll");
  const Artifact& a = r.tree[0];
  EXPECT_EQ(a.type, FileType::pe_dll);
  EXPECT_EQ(testing::meta_text(a, "pe.dll"), "true");
  EXPECT_EQ(testing::meta_text(a, "pe.exports.count"), "1");
  EXPECT_EQ(testing::meta_text(a, "pe.exports.names"), "sluice_hello");
  EXPECT_EQ(testing::meta_text(a, "pe.exports.name"), "payload.dll");
}

TEST(Pe, AgreesWithPefileOnFixtures) {
  if (!have_pefile()) SLUICE_SKIP_UNLESS_CI() << "python3-pefile not installed (scripts/install-deps.sh)";
  int compared = 0;
  for (const auto& e : fs::directory_iterator(fixture("pe"))) {
    const std::string ext = e.path().extension().string();
    if (ext != ".exe" && ext != ".dll" && ext != ".SCR") continue;
    const auto facts = sluice_facts(read_file(e.path()));
    const auto oracle = oracle_facts(e.path());
    EXPECT_EQ(facts, oracle) << e.path() << "\n" << diff(facts, oracle);
    ++compared;
  }
  EXPECT_GE(compared, 5);
}

TEST(Pe, AgreesWithPefileOnDebianMingwBinaries) {
  if (!have_pefile()) SLUICE_SKIP_UNLESS_CI() << "python3-pefile not installed (scripts/install-deps.sh)";
  std::vector<fs::path> files;
  for (const char* root : {"/usr/lib/gcc-cross", "/usr/x86_64-w64-mingw32", "/usr/i686-w64-mingw32",
                           "/usr/lib/gcc/x86_64-w64-mingw32", "/usr/lib/gcc/i686-w64-mingw32",
                           "/usr/share/win32", "/usr/share/win64"}) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) continue;
    for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec || files.size() >= 40) break;
      const std::string ext = it->path().extension().string();
      // Files over 2 MiB (the DWARF-laden libgcc/libstdc++ builds) only slow pefile.
      if (it->is_regular_file(ec) && (ext == ".dll" || ext == ".exe") && it->file_size(ec) <= (2u << 20)) {
        files.push_back(it->path());
      }
    }
  }
  if (files.empty()) SLUICE_SKIP_UNLESS_CI() << "no mingw-w64 PE files installed";
  for (const auto& f : files) {
    const auto facts = sluice_facts(read_file(f));
    const auto oracle = oracle_facts(f);
    EXPECT_EQ(facts, oracle) << f << "\n" << diff(facts, oracle);
  }
}

TEST(Pe, SfxCorpusOverlaysAreFoundAndUnpacked) {
  const fs::path dir = testing::corpora() / "archives/libarchive";
  if (testing::corpora().empty()) SLUICE_SKIP_UNLESS_CI() << "../shared/corpora absent";
  // Known disagreement: test_read_format_7zip_sfx_boundary_pe.exe is a stub whose
  // optional header magic is 0; pefile reads on (overlay 768), Sluice stops with
  // pe.malformed_headers because the loader would refuse it.
  const std::map<std::string, FileType> expected{
      {"test_read_format_7zip_sfx_pe.exe", FileType::sevenzip},
      {"test_read_format_7zip_sfx_modified_pe.exe", FileType::unknown},  // 7z header deliberately damaged
      {"test_read_format_rar_sfx.exe", FileType::rar},
      {"test_read_format_rar5_sfx.exe", FileType::rar},
  };
  const bool oracle = have_pefile();
  for (const auto& [name, type] : expected) {
    const fs::path p = dir / name;
    ASSERT_TRUE(fs::exists(p)) << p;
    const auto bytes = read_file(p);
    const ScanResult r = testing::default_engine().scan(std::vector<std::uint8_t>(bytes), name);
    const Artifact* overlay = nullptr;
    for (const Artifact& a : r.tree) {
      if (a.parent == 0 && a.locator.starts_with("overlay@")) overlay = &a;
    }
    ASSERT_NE(overlay, nullptr) << name;
    EXPECT_EQ(overlay->type, type) << name;
    if (oracle) {
      const auto facts = sluice_facts(bytes);
      const auto o = oracle_facts(p);
      EXPECT_EQ(facts, o) << name << "\n" << diff(facts, o);
    }
  }
  const auto stub = read_file(dir / "test_read_format_7zip_sfx_boundary_pe.exe");
  const ScanResult r = testing::default_engine().scan(std::vector<std::uint8_t>(stub), "boundary");
  EXPECT_TRUE(has_finding(r, "pe.malformed_headers"));
}

TEST(Pe, CorporaExecutablesScanWithoutTrouble) {
  if (testing::corpora().empty()) SLUICE_SKIP_UNLESS_CI() << "../shared/corpora absent";
  int executables = 0;
  for (const char* sub : {"archives/libarchive", "archives/p7zip", "archives/clamav"}) {
    const fs::path dir = testing::corpora() / sub;
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir)) {
      const std::string n = e.path().filename().string();
      const bool wanted = n.find("sfx") != std::string::npos || n.starts_with("7za433_") ||
                          std::string_view(sub) == "archives/clamav";
      if (!wanted || !e.is_regular_file()) continue;
      const ScanResult r = testing::default_engine().scan(read_file(e.path()), n);
      for (const Artifact& a : r.tree) {
        if (a.type == FileType::pe_exe || a.type == FileType::pe_dll) {
          ++executables;
          EXPECT_TRUE(a.find_meta("pe.format") != nullptr || a.find_meta("pe.dos_only") != nullptr ||
                      !a.anomalies.empty())
              << n << " › " << r.tree.evidence_path(a.id);
        }
      }
    }
  }
  EXPECT_GE(executables, 5);
}

std::vector<std::uint8_t> patched(std::vector<std::uint8_t> b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4 && at + i < b.size(); ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
  return b;
}

TEST(Pe, ResourceLoopIsCutAndReported) {
  // pdf_icon.exe's .rsrc is at file offset 0x3a00; its first entry's subdirectory
  // offset (root + 16 + 4) is pointed back at the root.
  auto b = patched(read_file(fixture("pe/pdf_icon.exe")), 0x3a00 + 16 + 4, 0x80000000u);
  const ScanResult r = testing::default_engine().scan(std::move(b), "loop.exe");
  EXPECT_TRUE(has_finding(r, "pe.resource_loop"));
}

TEST(Pe, HostileHeadersEndInAnomaliesNotCrashes) {
  const auto hello = read_file(fixture("pe/hello.exe"));
  const std::uint32_t lfanew = hello[0x3C] | (hello[0x3D] << 8);
  {  // e_lfanew far past the end: a DOS program as far as Windows is concerned
    const ScanResult r = testing::default_engine().scan(patched(hello, 0x3C, 0xFFFFFFF0u), "x.exe");
    EXPECT_EQ(testing::meta_text(r.tree[0], "pe.dos_only"), "true");
  }
  {  // 0xFFFF sections: capped at the loader's 96
    auto b = hello;
    b[lfanew + 6] = 0xFF;
    b[lfanew + 7] = 0xFF;
    const ScanResult r = testing::default_engine().scan(std::move(b), "x.exe");
    EXPECT_TRUE(has_finding(r, "pe.too_many_sections"));
  }
  {  // entry point moved into nothing
    const std::size_t opt = lfanew + 24;
    const ScanResult r = testing::default_engine().scan(patched(hello, opt + 16, 0x7FFFFFF0u), "x.exe");
    EXPECT_TRUE(has_finding(r, "pe.entry_outside_sections"));
  }
  {  // .text made writable: W+X and entry in a writable section
    const std::size_t opt = lfanew + 24;
    const std::size_t sec0 = opt + 240;  // PE32+ optional header size
    const ScanResult r = testing::default_engine().scan(patched(hello, sec0 + 36, 0xE0000020u), "x.exe");
    EXPECT_TRUE(has_finding(r, "pe.wx_section"));
    EXPECT_TRUE(has_finding(r, "pe.entry_in_noncode_section"));
  }
  // Every prefix of the file: no crash (the sanitizer build checks the reads).
  const Engine engine = testing::default_engine();
  for (std::size_t n = 0; n < hello.size(); n += 97) {
    std::vector<std::uint8_t> cut(hello.begin(), hello.begin() + static_cast<std::ptrdiff_t>(n));
    (void)engine.scan(std::move(cut), "cut.exe");
  }
}

TEST(Pe, OverlayIsEmittedAsAChild) {
  auto b = read_file(fixture("pe/hello.exe"));
  const std::size_t end = b.size();
  const auto zip = read_file(fixture("pe/hello.exe"));  // any payload: another PE
  b.insert(b.end(), zip.begin(), zip.end());
  const ScanResult r = testing::default_engine().scan(std::move(b), "sfx.exe");
  EXPECT_EQ(testing::meta_text(r.tree[0], "pe.overlay.offset"), std::to_string(end));
  EXPECT_EQ(testing::meta_text(r.tree[0], "pe.overlay.size"), std::to_string(zip.size()));
  ASSERT_GE(r.tree.size(), 2u);
  EXPECT_EQ(r.tree[1].locator, "overlay@" + std::to_string(end));
  EXPECT_EQ(r.tree[1].type, FileType::pe_exe);
}

}  // namespace
}  // namespace sluice
