#include <gtest/gtest.h>

#include "analysis/detector.hpp"
#include "analysis/names/extensions.hpp"
#include "analysis/names/lolbins.hpp"
#include "analysis/scripts/indicators.hpp"

namespace sluice::analysis {
namespace names {
Status register_detector(Detectors& d, const Config& config);
}
namespace {

std::vector<Finding> judge(std::vector<Name> names, FileType content) {
  ArtifactTree t;
  t.add_root(ByteView::of("root"), "message", {{"input", "x.eml"}});
  const ArtifactId c = t.add_child(0, ByteView::of("child"), "part[1]", std::move(names));
  t.at(c).type = content;
  Detectors d;
  EXPECT_TRUE(names::register_detector(d, Config{}));
  FindingSink sink;
  d.front()->inspect(t, sink);
  return std::move(sink.findings());
}

bool has(const std::vector<Finding>& fs, std::string_view id) {
  for (const auto& f : fs) {
    if (f.id == id) return true;
  }
  return false;
}

TEST(Names, ExtensionsAsExplorerResolvesThem) {
  EXPECT_EQ(names::last_extension("/DIR/INVOICE.SCR;1"), "scr");
  EXPECT_EQ(names::last_extension("a.PDF. . "), "pdf") << "trailing dots and spaces ignored";
  EXPECT_EQ(names::last_extension("noext"), "");
  EXPECT_EQ(names::claim_of("scr"), names::Claim::executable);
  EXPECT_EQ(names::claim_of("iso"), names::Claim::disk_image);
}

TEST(Names, DoubleExtensionsIncludingDotless) {
  EXPECT_TRUE(has(judge({{"mime", "invoice.pdf.exe"}}, FileType::pe_exe), "name.double_extension"));
  EXPECT_TRUE(has(judge({{"mime", "invoice pdf.exe"}}, FileType::pe_exe), "name.double_extension"));
  EXPECT_TRUE(has(judge({{"zip", "Loan_Application_docx.scr"}}, FileType::unknown),
                  "name.double_extension"))
      << "an executable extension is enough, even when the bytes are encrypted";
  EXPECT_FALSE(has(judge({{"mime", "setup_x64.exe"}}, FileType::pe_exe), "name.double_extension"));
  EXPECT_FALSE(has(judge({{"mime", "report.2020.pdf"}}, FileType::pdf), "name.double_extension"));
  EXPECT_FALSE(has(judge({{"mime", "backup.tar.gz"}}, FileType::gzip), "name.double_extension"));
}

TEST(Names, PaddingBeforeTheRealExtension) {
  const auto fs = judge({{"mime", "invoice.pdf                              .exe"}}, FileType::pe_exe);
  EXPECT_TRUE(has(fs, "name.padded_extension"));
  EXPECT_TRUE(has(fs, "name.double_extension"));
  EXPECT_TRUE(has(judge({{"iso9660", "SCAN_________.EXE"}}, FileType::pe_exe), "name.padded_extension"));
  EXPECT_FALSE(has(judge({{"mime", "a_b.exe"}}, FileType::pe_exe), "name.padded_extension"));
}

TEST(Names, BidiAndInvisibleCharacters) {
  const auto fs = judge({{"joliet", "invoice\xE2\x80\xAE" "fdp.scr"}}, FileType::pe_exe);
  ASSERT_TRUE(has(fs, "name.bidi_control"));
  EXPECT_EQ(fs.front().evidence.back().second, "U+202E");
  EXPECT_TRUE(has(judge({{"mime", "inv\xE2\x80\x8Boice.pdf"}}, FileType::pdf), "name.invisible_character"));
  EXPECT_TRUE(judge({{"mime", "caf\xC3\xA9 menu.pdf"}}, FileType::pdf).empty()) << "plain accents are fine";
  // Malformed UTF-8 must not derail the scan.
  EXPECT_TRUE(judge({{"mime", "\xE2\x80"}}, FileType::pdf).empty());
}

TEST(Names, ContentContradictsTheExtension) {
  EXPECT_TRUE(has(judge({{"mime", "statement.pdf"}}, FileType::pe_exe), "name.executable_disguised"));
  EXPECT_TRUE(has(judge({{"mime", "Invoice.pdf"}}, FileType::iso9660), "name.image_disguised"));
  EXPECT_TRUE(has(judge({{"mime", "photo.jpg"}}, FileType::lnk), "name.executable_disguised"));
  EXPECT_TRUE(judge({{"mime", "statement.pdf"}}, FileType::pdf).empty());
  EXPECT_TRUE(judge({{"mime", "disk.iso"}}, FileType::iso9660).empty());
}

TEST(Names, EveryViewIsJudgedAndTheRootIsNot) {
  // ISO 9660 says .PDF, Joliet says .exe: the trick is in the view Windows shows.
  const auto fs = judge({{"joliet", "report.pdf.exe"}, {"iso9660", "REPORT.PDF;1"}}, FileType::pe_exe);
  EXPECT_TRUE(has(fs, "name.double_extension"));
  EXPECT_TRUE(has(fs, "name.executable_disguised")) << "the ISO 9660 name claims a PDF";
  ArtifactTree t;
  t.add_root(ByteView::of("MZ"), "file", {{"input", "invoice.pdf.exe"}});
  t.at(0).type = FileType::pe_exe;
  Detectors d;
  EXPECT_TRUE(names::register_detector(d, Config{}));
  FindingSink sink;
  d.front()->inspect(t, sink);
  EXPECT_TRUE(sink.findings().empty());
}

// One LOLBin table serves shortcuts (by program) and scripts (by spelling).
TEST(Names, OneLolbinTableForShortcutsAndScripts) {
  EXPECT_TRUE(names::is_lolbin("C:\\Windows\\System32\\MSHTA.EXE"));
  EXPECT_TRUE(names::is_lolbin("conhost"));
  EXPECT_FALSE(names::is_lolbin("msbuild.exe")) << "started by scripts, not seen as a shortcut target";
  bool cmd = false, msbuild = false;
  for (const auto& s : names::lolbin_script_spellings()) {
    cmd = cmd || (s.text == "cmd.exe /c" && s.label == "cmd /c");
    msbuild = msbuild || s.text == "msbuild";
  }
  EXPECT_TRUE(cmd);
  EXPECT_TRUE(msbuild);
  // The script indicators read the same rows.
  const auto found = scripts::find_indicators("Set-Location x; MSBuild.exe evil.proj", FileType::script_bat);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, "script.lolbin");
  EXPECT_EQ(found[0].message, "the script starts signed Windows programs that run other code: msbuild");
}

}  // namespace
}  // namespace sluice::analysis
