// Tests for the libarchive bridge. Oracles: the SHA-256 of pe/hello.exe (the
// payload every fixture packs), 7-Zip 26 (`7z`, a second, independent reader)
// over the fixtures and the third-party corpora, and rarfile's .exp listings.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "formats/archive/parser.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using testing::fixture;
using testing::has_finding;
using testing::read_file;

const std::string& hello_sha256() {
  static const std::string h = testing::sha256_hex(read_file(fixture("pe/hello.exe")));
  return h;
}

Engine archive_engine(const Limits* limits = nullptr) {
  return testing::engine_only({"archive"}, limits);
}

ScanResult scan_path(const fs::path& p, const Limits* limits = nullptr) {
  return archive_engine(limits).scan(read_file(p), p.filename().string());
}

std::vector<const Artifact*> children_of(const ScanResult& r, ArtifactId id) {
  std::vector<const Artifact*> out;
  for (ArtifactId c : r.tree[id].children) out.push_back(&r.tree[c]);
  return out;
}

const Artifact* child_named(const ScanResult& r, std::string_view name) {
  for (const Artifact* a : children_of(r, 0)) {
    if (a->display_name() == name) return a;
  }
  return nullptr;
}

using testing::has_anomaly;

std::string meta_string(const Artifact& a, std::string_view key) {
  const MetaValue* v = a.find_meta(key);
  if (v == nullptr) return {};
  if (const auto* s = std::get_if<std::string>(v)) return *s;
  return {};
}

TEST(Archive, SevenZipFixtureMatchesItsListing) {
  // listings/hello.7z.txt (7z l): one file, hello.exe, 14848 bytes.
  const ScanResult r = scan_path(fixture("7z/hello.7z"));
  ASSERT_EQ(r.tree.size(), 2u);
  const Artifact& exe = r.tree[1];
  ASSERT_FALSE(exe.names.empty());
  EXPECT_EQ(exe.names[0].view, "archive");
  EXPECT_EQ(exe.names[0].value, "hello.exe");
  EXPECT_EQ(exe.bytes.size(), 14848u);
  EXPECT_EQ(exe.type, FileType::pe_exe);
  EXPECT_EQ(to_hex(exe.hashes.sha256), hello_sha256());
  EXPECT_EQ(meta_string(r.tree[0], "archive.format"), "7-Zip");
  EXPECT_EQ(meta_string(exe, "archive.format"), "7-Zip");
  EXPECT_NE(exe.find_meta("archive.mtime"), nullptr);
  EXPECT_FALSE(exe.truncated);
}

TEST(Archive, TarCpioAndLhaGiveNamesAndBytes) {
  for (const char* rel : {"archive/hello.tar", "archive/hello.cpio", "archive/hello.lzh"}) {
    SCOPED_TRACE(rel);
    const ScanResult r = scan_path(fixture(rel));
    ASSERT_EQ(r.tree[0].children.size(), 2u);
    const Artifact* exe = child_named(r, "docs/invoice.pdf.exe");
    const Artifact* txt = child_named(r, "docs/readme.txt");
    ASSERT_NE(exe, nullptr);
    ASSERT_NE(txt, nullptr);
    EXPECT_EQ(to_hex(exe->hashes.sha256), hello_sha256());
    EXPECT_EQ(exe->type, FileType::pe_exe);
    EXPECT_EQ(std::string(txt->bytes.chars()), "hello\n");
    EXPECT_EQ(r.tree[0].find_meta("archive.entries") != nullptr, true);
  }
}

TEST(Archive, ArGivesNamesAndBytes) {
  // GNU ar (binutils, D mode) keeps base names; `ar t` lists these two.
  const ScanResult r = scan_path(fixture("archive/hello.a"));
  EXPECT_EQ(r.tree[0].type, FileType::ar);
  const Artifact* exe = child_named(r, "invoice.pdf.exe");
  const Artifact* txt = child_named(r, "readme.txt");
  ASSERT_NE(exe, nullptr);
  ASSERT_NE(txt, nullptr);
  EXPECT_EQ(to_hex(exe->hashes.sha256), hello_sha256());
  EXPECT_EQ(exe->type, FileType::pe_exe);
  EXPECT_EQ(std::string(txt->bytes.chars()), "hello\n");
  EXPECT_EQ(r.tree[0].children.size(), 2u) << "the symbol index is not a member";
  EXPECT_TRUE(r.tree[0].meta_flag("ar.symbol_index"));
  EXPECT_FALSE(has_finding(r, "archive.absolute_path"));
}

TEST(Archive, RawStreamsAreOneChildNamedLikeTheDecompressor) {
  for (const char* rel : {"archive/hello.exe.xz", "archive/hello.exe.bz2", "archive/hello.exe.zst",
                          "archive/hello.exe.lzma"}) {
    SCOPED_TRACE(rel);
    const ScanResult r = scan_path(fixture(rel));
    ASSERT_EQ(r.tree.size(), 2u);
    const Artifact& exe = r.tree[1];
    ASSERT_EQ(exe.names.size(), 1u);
    EXPECT_EQ(exe.names[0].view, "derived");
    EXPECT_EQ(exe.names[0].value, "hello.exe");
    EXPECT_EQ(to_hex(exe.hashes.sha256), hello_sha256());
    EXPECT_FALSE(meta_string(r.tree[0], "archive.filters").empty());
    EXPECT_TRUE(r.findings.empty() || !has_finding(r, "unpack.error"));
  }
}

TEST(Archive, TarInsideXzIsRecursed) {
  const ScanResult r = scan_path(fixture("archive/hello.tar.xz"));
  ASSERT_EQ(r.tree.size(), 4u);
  EXPECT_EQ(r.tree[1].type, FileType::tar);
  EXPECT_EQ(r.tree[1].display_name(), "hello.tar");
  bool found = false;
  for (const Artifact& a : r.tree) found |= to_hex(a.hashes.sha256) == hello_sha256();
  EXPECT_TRUE(found);
}

TEST(Archive, EscapingPathsAndLinksAreReported) {
  const ScanResult r = scan_path(fixture("archive/evil.tar"));
  const Artifact* up = child_named(r, "../../Startup/evil.exe");
  const Artifact* abs = child_named(r, "/etc/cron.d/evil");
  const Artifact* link = child_named(r, "link.lnk");
  const Artifact* ok = child_named(r, "ok.txt");
  ASSERT_TRUE(up && abs && link && ok);
  EXPECT_TRUE(has_anomaly(*up, "archive.path_traversal"));
  EXPECT_EQ(to_hex(up->hashes.sha256), hello_sha256());
  EXPECT_TRUE(has_anomaly(*abs, "archive.absolute_path"));
  EXPECT_TRUE(has_anomaly(*link, "archive.symlink"));
  EXPECT_TRUE(has_anomaly(*link, "archive.path_traversal")) << "target /etc/passwd";
  EXPECT_EQ(link->bytes.size(), 0u);
  EXPECT_EQ(meta_string(*link, "archive.symlink_target"), "/etc/passwd");
  EXPECT_TRUE(ok->anomalies.empty());
  EXPECT_TRUE(has_finding(r, "archive.path_traversal"));
  EXPECT_TRUE(has_finding(r, "archive.absolute_path"));
}

TEST(Archive, EncryptedEntryIsStillAChildWithItsName) {
  // Password Order2020, which a scan of the archive alone (no message) does
  // not have: the entries stay closed but listed (sevenzip_test.cpp opens it).
  const ScanResult r = scan_path(fixture("7z_crypto/order_nonsolid.7z"));
  const Artifact* iso = child_named(r, "Order.iso");
  ASSERT_NE(iso, nullptr);
  EXPECT_TRUE(has_anomaly(*iso, "archive.encrypted"));
  const MetaValue* enc = iso->find_meta("archive.encrypted");
  ASSERT_NE(enc, nullptr);
  EXPECT_TRUE(std::get<bool>(*enc));
  EXPECT_EQ(iso->bytes.size(), 0u);
  EXPECT_TRUE(has_finding(r, "archive.encrypted"));
  EXPECT_TRUE(has_finding(r, "archive.encrypted_unopened"));
}

TEST(Archive, EncryptedHeadersAreReportedNotClean) {
  const ScanResult r = scan_path(fixture("7z_crypto/order_lzma2_mhe.7z"));
  EXPECT_TRUE(has_finding(r, "archive.encrypted"));
  EXPECT_TRUE(has_finding(r, "archive.encrypted_headers"));
  EXPECT_EQ(r.tree.size(), 1u) << "not even the names could be read";
}

TEST(Archive, TruncatedArchiveIsCorruptAndAnUnpackError) {
  const ScanResult r = scan_path(fixture("archive/truncated.7z"));
  EXPECT_TRUE(has_finding(r, "archive.corrupt"));
  EXPECT_TRUE(has_finding(r, "unpack.error"));
}

TEST(Archive, DecodeCapTruncatesAndIsReported) {
  Limits l;
  l.max_artifact_bytes = 4096;
  const ScanResult r = scan_path(fixture("archive/hello.exe.xz"), &l);
  ASSERT_EQ(r.tree.size(), 2u);
  EXPECT_TRUE(r.tree[1].truncated);
  EXPECT_EQ(r.tree[1].bytes.size(), 4096u);
  EXPECT_TRUE(has_finding(r, "limit.exceeded"));
  ASSERT_FALSE(r.tree.limits_hit.empty());
  EXPECT_EQ(r.tree.limits_hit[0].kind, LimitKind::artifact_bytes);
}

TEST(Archive, CapIsSharedAcrossEntries) {
  Limits l;
  l.max_artifact_bytes = 10000;  // hello.exe alone (14848) does not fit
  const ScanResult r = scan_path(fixture("archive/hello.tar"), &l);
  std::uint64_t total = 0;
  for (const Artifact* a : children_of(r, 0)) total += a->bytes.size();
  EXPECT_LE(total, 10000u);
  EXPECT_TRUE(has_finding(r, "limit.exceeded"));
}

// ---------------------------------------------------------------- 7-Zip oracle

bool have_7z() { return std::system("command -v 7z >/dev/null 2>&1") == 0; }

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  return q + "'";
}

// Binary stdout of a command (never fed attacker text unquoted).
std::vector<std::uint8_t> run(const std::string& cmd) {
  std::vector<std::uint8_t> out;
  FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
  if (p == nullptr) return out;
  std::array<std::uint8_t, 65536> buf{};
  for (;;) {
    const std::size_t n = fread(buf.data(), 1, buf.size(), p);
    if (n == 0) break;
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  }
  pclose(p);
  return out;
}

struct OracleEntry {
  std::string path;
  bool folder = false;
  bool encrypted = false;
  bool link = false;
};

// `7z l -slt -ba`: blocks of "Key = value" lines. A wrong password (-pX) keeps
// 7z from prompting on encrypted headers.
std::vector<OracleEntry> oracle_list(const fs::path& file) {
  const auto raw = run("7z l -slt -ba -pX " + shell_quote(file.string()));
  std::vector<OracleEntry> out;
  std::istringstream in(std::string(raw.begin(), raw.end()));
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("Path = ")) {
      out.push_back({line.substr(7)});
    } else if (!out.empty()) {
      if (line == "Folder = +") out.back().folder = true;
      if (line == "Encrypted = +") out.back().encrypted = true;
      if (line.starts_with("Attributes = ") && line.find('D') != std::string::npos &&
          line.find('D') < line.find(' ', 13)) out.back().folder = true;
      if (line.starts_with("Mode = d")) out.back().folder = true;
      if (line.starts_with("Mode = l")) out.back().link = true;
      if (line.starts_with("Symbolic Link = ") && line.size() > 16) out.back().link = true;
    }
  }
  return out;
}

std::string oracle_sha256(const fs::path& file, const std::string& entry) {
  return testing::sha256_hex(
      run("7z e -so -spd -pX -bd " + shell_quote(file.string()) + " -- " + shell_quote(entry)));
}

bool routed_here(FileType t) {
  switch (t) {
    case FileType::sevenzip: case FileType::rar: case FileType::cab: case FileType::tar:
    case FileType::cpio: case FileType::lha: case FileType::ar: return true;
    default: return false;
  }
}

// Files where libarchive 3.6.2 and 7-Zip 26 legitimately disagree, by name.
const std::map<std::string, std::string>& known_disagreements() {
  static const std::map<std::string, std::string> k = {
      // libarchive 3.6.2 calls abort() ("Fatal Internal Error in libarchive: No
      // memory") when its RAR5 window allocation fails; see README.md, open issue.
      {"rarfile/rar5-versions.rar",
       "RAR 5 file versions (rar -ver): 7-Zip lists the older versions as [VER]/n/name, "
       "libarchive 3.6 returns only the newest; open gap, see README.md"},
      {"libarchive/test_read_format_rar5_extra_field_version.rar",
       "RAR 5 file versions, as rar5-versions.rar"},
      {"libarchive/test_fuzz.lzh",
       "libarchive's own fuzzed LHA sample: the damaged -lh5- stream decodes to different bytes "
       "in libarchive and 7-Zip, and neither reports an error for it"},
  };
  return k;
}

// Disagreements with 7z where Sluice reports nothing, each printed by name.
// Measured 2026-11-26 (44; 40 after RAR 5 opened in a worker and volume parts
// were reported), in these groups: GNU sparse tar members (libarchive
// expands or names them differently), Solaris ACL tar entries, non-ASCII names in RAR/7z that the wide-name conversion
// misses (rar_unicode, rar3-subdirs, unicode2, umlaut-*), 7z archives without
// names (github_14: 7z invents one), gcpio CRC variants, one damaged LZX CAB.
// A higher count is a regression; fixing one lowers the ceiling.
constexpr std::size_t kUnexplainedCeiling = 40;

struct CorpusTally {
  std::size_t archives = 0, names = 0, hashes = 0;
  std::vector<std::string> mismatches;  // Sluice gave no reason
  std::vector<std::string> explained;   // Sluice reported why it could not read it all
};

// A disagreement is explained when the scan itself says the archive was not
// fully readable (unsupported coder or version, damage, encryption).
bool reported_unreadable(const ScanResult& r) {
  for (const char* id : {"unpack.error", "archive.unsupported", "archive.corrupt", "archive.encrypted",
                         "archive.volume_part", "isolation.worker_failed"}) {
    if (testing::has_finding(r, id)) return true;
  }
  return false;
}

void check_against_7z(const std::string& dir, const fs::path& p, CorpusTally& t) {
  const std::string key = dir + "/" + p.filename().string();
  if (known_disagreements().contains(key)) return;
  const ScanResult r = scan_path(p);
  if (!routed_here(r.tree[0].type)) return;
  ++t.archives;
  std::map<std::string, const Artifact*> ours;
  for (const Artifact* a : children_of(r, 0)) ours[std::string(a->display_name())] = a;
  std::size_t hashed_here = 0;
  auto& sink = reported_unreadable(r) ? t.explained : t.mismatches;
  for (const OracleEntry& e : oracle_list(p)) {
    if (e.folder) continue;
    ++t.names;
    auto it = ours.find(e.path);
    if (it == ours.end()) {
      sink.push_back(key + ": 7z lists '" + e.path + "', we do not");
      continue;
    }
    // Debian's p7zip (dfsg) lists RAR but has no RAR decoder: RAR bytes are
    // checked against rarfile's CRCs instead (RarfileExpectedListings). One
    // entry per archive is extracted, to keep the run short.
    if (r.tree[0].type == FileType::rar) continue;
    if (e.encrypted || e.link || it->second->truncated || hashed_here >= 1) continue;
    if (it->second->find_meta("archive.symlink_target") != nullptr) continue;
    ++hashed_here;
    ++t.hashes;
    if (oracle_sha256(p, e.path) != to_hex(it->second->hashes.sha256)) {
      sink.push_back(key + ": '" + e.path + "' bytes differ from 7z's");
    }
  }
}

// RAR 5 is not handed to libarchive (docs/adr/0006): it could end the process.
TEST(Archive, RarVolumePartsAreReported) {
  const fs::path root = testing::corpora() / "archives";
  if (!fs::is_directory(root / "rarfile")) SLUICE_SKIP_UNLESS_CI() << "../shared/corpora absent";
  // rarfile's volume sets (RAR 3 and RAR 5, made by rar -v) against single
  // archives of both versions.
  for (const char* part : {"rarfile/rar3-vols.part1.rar", "rarfile/rar3-vols.part2.rar",
                           "rarfile/rar5-vols.part1.rar", "rarfile/rar5-vols.part3.rar"}) {
    SCOPED_TRACE(part);
    const std::vector<std::uint8_t> b = testing::read_file(root / part);
    EXPECT_TRUE(formats::archive::rar_is_volume(ByteView(b.data(), b.size())));
    EXPECT_TRUE(testing::has_finding(scan_path(root / part), "archive.volume_part"));
  }
  for (const char* single : {"rarfile/rar3-comment-plain.rar", "rarfile/rar5-solid.rar"}) {
    SCOPED_TRACE(single);
    if (!fs::exists(root / single)) continue;
    const std::vector<std::uint8_t> b = testing::read_file(root / single);
    EXPECT_FALSE(formats::archive::rar_is_volume(ByteView(b.data(), b.size())));
  }
  const std::vector<std::uint8_t> cut = {'R', 'a', 'r', '!', 0x1A, 0x07, 0x01, 0x00, 1, 2, 3, 4, 0x80};
  EXPECT_FALSE(formats::archive::rar_is_volume(ByteView(cut.data(), cut.size()))) << "a cut vint is not a volume";
}

TEST(Archive, CorpusMatchesSevenZip) {
  const fs::path root = testing::corpora();
  if (root.empty()) SLUICE_SKIP_UNLESS_CI() << "../shared/corpora is absent";
  if (!have_7z()) SLUICE_SKIP_UNLESS_CI() << "7z (p7zip-full) is not installed";
  std::vector<std::pair<std::string, fs::path>> files;
  for (const char* dir : {"libarchive", "p7zip", "py7zr", "rarfile", "strelka", "clamav", "dfvfs"}) {
    const fs::path d = root / "archives" / dir;
    if (!fs::is_directory(d)) continue;
    for (const auto& de : fs::recursive_directory_iterator(d)) {
      if (de.is_regular_file()) files.emplace_back(dir, de.path());
    }
  }
  std::sort(files.begin(), files.end());
  CorpusTally all;
  for (const auto& [dir, p] : files) check_against_7z(dir, p, all);
  std::sort(all.mismatches.begin(), all.mismatches.end());
  std::cout << "archive corpus: " << files.size() << " files, " << all.archives << " archives, "
            << all.names << " names, " << all.hashes << " hashes compared with 7z\n";
  EXPECT_GT(all.archives, 300u);
  // Known disagreements, not yet itemised per file (README.md "Open"): RAR
  // multi-volume parts, RAR 1.5-4 solid archives, 7z zstd/LZ4/Deflate64/PPMd
  // coders libarchive 3.6.2 lacks, legacy-charset names (cp866, koi8r, cp932),
  // GNU sparse files, RAR5 [VER] versions. A count above this is a regression.
  for (const auto& m : all.explained) std::cout << "reported by Sluice as not fully readable: " << m << "\n";
  for (const auto& m : all.mismatches) std::cout << "UNEXPLAINED: " << m << "\n";
  std::cout << all.explained.size() << " disagreements Sluice reports, " << all.mismatches.size()
            << " it does not\n";
  EXPECT_LE(all.mismatches.size(), kUnexplainedCeiling);
}

}  // namespace
}  // namespace sluice
