// The starter YARA rules against the yara CLI (the reference implementation,
// Debian's `yara` package) as an oracle: every artifact Sluice unpacks from
// every fixture is written out and scanned by the CLI with the same rules, and
// the (artifact, rule) pairs must be the same as Sluice's yara.match findings.
// This checks the rules compile cleanly, that Sluice hands YARA the right bytes
// for every artifact, and that no match is lost or invented on the way.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;

struct Pair {
  std::string artifact;  // "<fixture>#<artifact id>"
  std::string rule;
  auto operator<=>(const Pair&) const = default;
};

std::string evidence(const Finding& f, std::string_view key) {
  for (const auto& [k, v] : f.evidence) {
    if (k == key) return v;
  }
  return {};
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

TEST(YaraOracle, StarterRulesAgreeWithTheYaraCliOnEveryFixtureArtifact) {
  std::string tmpl = (fs::temp_directory_path() / "sluice-yara-oracle-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const fs::path work(tmpl);
  const fs::path source(SLUICE_SOURCE_DIR);

  // The oracle compiles the same files; warnings fail it, so the starter rules
  // stay free of slow or ambiguous strings.
  std::string rules;
  for (const auto& e : fs::directory_iterator(source / "data/yara")) {
    if (e.path().extension() == ".yar") rules += " " + shell_quote(e.path().string());
  }
  const fs::path compiled = work / "rules.yarc";
  const std::string yarac = testing::command_output(
      "yarac --fail-on-warnings" + rules + " " + shell_quote(compiled.string()) + " 2>&1; echo rc=$?");
  ASSERT_NE(yarac.find("rc=0"), std::string::npos) << "yarac (package yara) failed:\n" << yarac;

  // Inputs: every fixture file, plus the EICAR string built in memory (never
  // committed, so no scanner flags the source tree).
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> inputs;
  const fs::path fixtures(SLUICE_FIXTURES_DIR);
  // Fixtures larger than yara.max_scan_bytes by design, where the CLI and a
  // bounded scan cannot agree: the 2000 GiB NTFS disk holds 64 MiB of $LogFile
  // (mkntfs' size for any volume that large). The bound itself is tested in
  // Yara.ScanLimitsAreReportedNotSilent, sparse disks in
  // Yara.SparseDisksAreScannedByTheirDataAtTrueOffsets.
  const std::set<std::string> too_large{"vhd/ntfs_2t.vhdx.gz"};
  for (const auto& e : fs::recursive_directory_iterator(fixtures)) {
    if (!e.is_regular_file()) continue;
    if (too_large.contains(fs::relative(e.path(), fixtures).string())) continue;
    inputs.emplace_back(fs::relative(e.path(), fixtures).string(), testing::read_file(e.path()));
  }
  const std::string eicar = std::string("X5O!P%@AP[4\\PZX54(P^)7CC)7}$") + "EICAR-STANDARD-ANTIVIRUS" +
                            "-TEST-FILE!$H+H*";
  inputs.emplace_back("<eicar>", std::vector<std::uint8_t>(eicar.begin(), eicar.end()));
  ASSERT_GT(inputs.size(), 50u);

  fs::create_directories(work / "dump");
  const Engine engine = testing::default_engine();
  const std::uint64_t max_scan = engine.config().yara.max_scan_bytes;
  std::set<Pair> sluice_hits;
  std::map<std::string, std::string> label_of_file;  // dump file name -> "<fixture>#<id>"
  std::size_t dumped = 0;
  for (std::size_t n = 0; n < inputs.size(); ++n) {
    const auto& [name, bytes] = inputs[n];
    const ScanResult r = engine.scan(ByteView(bytes.data(), bytes.size()), name);
    for (const Finding& f : r.findings) {
      if (f.id == "yara.match" && evidence(f, "namespace") == "sluice") {
        sluice_hits.insert({name + "#" + std::to_string(f.artifact), evidence(f, "rule")});
      }
      EXPECT_NE(f.id, "yara.incomplete") << name << ": " << f.message;
    }
    // The same bytes Sluice scanned: each distinct, non-empty artifact.
    for (const Artifact& a : r.tree) {
      if (a.duplicate_of || a.bytes.empty()) continue;
      // Sparse disks larger than the scan bound are scanned as memory blocks
      // (Yara.SparseDisksAreScannedByTheirDataAtTrueOffsets); the CLI would
      // read every zero of their terabytes.
      if (a.bytes.size() > max_scan && r.tree.present_extents(a.bytes)) continue;
      ASSERT_LE(a.bytes.size(), max_scan) << name;
      const std::string file = std::to_string(n) + "_" + std::to_string(a.id);
      std::ofstream(work / "dump" / file, std::ios::binary)
          .write(reinterpret_cast<const char*>(a.bytes.data()), static_cast<std::streamsize>(a.bytes.size()));
      label_of_file[file] = name + "#" + std::to_string(a.id);
      ++dumped;
    }
  }

  const std::string out = testing::command_output("yara -w -C -r " + shell_quote(compiled.string()) + " " +
                                                  shell_quote((work / "dump").string()) + " 2>&1");
  std::set<Pair> cli_hits;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    const auto space = line.find(' ');
    ASSERT_NE(space, std::string::npos) << "unexpected yara output: " << line;
    const std::string file = fs::path(line.substr(space + 1)).filename().string();
    ASSERT_TRUE(label_of_file.contains(file)) << line;
    cli_hits.insert({label_of_file[file], line.substr(0, space)});
  }

  std::error_code ec;
  fs::remove_all(work, ec);

  // Known disagreements: none.
  for (const Pair& p : cli_hits) {
    EXPECT_TRUE(sluice_hits.contains(p)) << "yara CLI only: " << p.rule << " on " << p.artifact;
  }
  for (const Pair& p : sluice_hits) {
    EXPECT_TRUE(cli_hits.contains(p)) << "Sluice only: " << p.rule << " on " << p.artifact;
  }
  // Every starter rule is exercised by some fixture (or the EICAR string), except
  // Sluice_AutoIt_Compiled_Script, for want of a harmless sample (AutoIt's
  // compiler is Windows-only and not redistributable).
  std::set<std::string> rules_hit;
  for (const Pair& p : cli_hits) rules_hit.insert(p.rule);
  for (const char* rule : {"Sluice_EICAR_Test_File", "Sluice_ISO_Autorun", "Sluice_Lnk_Cmd_Shell",
                           "Sluice_Mshta_Remote_Script", "Sluice_NSIS_Installer",
                           "Sluice_PowerShell_Encoded_Command", "Sluice_Remcos_Strings"}) {
    EXPECT_TRUE(rules_hit.contains(rule)) << rule << " matched nothing in " << dumped << " artifacts";
  }
}

}  // namespace
}  // namespace sluice
