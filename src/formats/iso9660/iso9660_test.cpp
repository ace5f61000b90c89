// Oracles: the isoinfo / xorriso / 7z / pycdlib listings in tests/fixtures/listings
// (made by mature tools), SHA-256 of the known payload (pe/hello.exe), and the
// third-party corpora in ../shared/corpora/images.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "formats/iso9660/parser.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace sluice;
namespace st = sluice::testing;
using st::fixture;

namespace {

const Artifact* image_of(const ScanResult& r) {
  for (const Artifact& a : r.tree) {
    if (a.type == FileType::iso9660 || a.type == FileType::udf) return &a;
  }
  return nullptr;
}

std::set<std::string> names_in_view(const ScanResult& r, const std::string& view) {
  std::set<std::string> out;
  const Artifact* img = image_of(r);
  if (!img) return out;
  for (const ArtifactId c : img->children) {
    for (const Name& n : r.tree[c].names) {
      if (n.view == view) out.insert(n.value);
    }
  }
  return out;
}

const Artifact* child_named(const ScanResult& r, const std::string& view, const std::string& name) {
  const Artifact* img = image_of(r);
  if (!img) return nullptr;
  for (const ArtifactId c : img->children) {
    for (const Name& n : r.tree[c].names) {
      if (n.view == view && n.value == name) return &r.tree[c];
    }
  }
  return nullptr;
}

bool has_anomaly(const Artifact& a, const std::string& id) {
  for (const Anomaly& x : a.anomalies) {
    if (x.id == id) return true;
  }
  return false;
}

std::string meta_string(const Artifact& a, const std::string& key) {
  const MetaValue* v = a.find_meta(key);
  if (!v) return {};
  const auto* s = std::get_if<std::string>(v);
  return s ? *s : std::string{};
}

// Sections of a listing file: "" for the first isoinfo listing, then the text
// after each "### ". Values are full file paths (directories left out).
std::map<std::string, std::set<std::string>> parse_listing(const std::string& file) {
  std::ifstream in(fixture("listings/" + file));
  std::map<std::string, std::set<std::string>> out;
  std::string section, dir = "/", line;
  const std::regex isoinfo_line(R"(^([-d])\S+\s+.*\]\s\s(.*?) ?$)");
  const std::regex sevenz_line(R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \.\.\.\.\.\s+\d+\s+\d+\s+(.+)$)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (line.starts_with("### ")) {
      section = line.substr(4);
      dir = "/";
    } else if (line.starts_with("Directory listing of ")) {
      dir = line.substr(21);
    } else if (std::regex_match(line, m, isoinfo_line)) {
      if (m[1] == "-") out[section].insert(dir + m[2].str());
    } else if (std::regex_match(line, m, sevenz_line)) {
      out[section].insert("/" + m[1].str());
    } else if (line.size() > 2 && line.starts_with("'") && line.ends_with("'")) {
      out[section].insert("/" + line.substr(1, line.size() - 2));  // xorriso -ls
    } else if (section.starts_with("UDF tree") && line.starts_with("/")) {
      out[section].insert(line.substr(0, line.rfind(' ')));
    }
  }
  return out;
}

std::string hello_sha() { return st::sha256_hex(st::read_file(fixture("pe/hello.exe"))); }

ScanResult scan_fixture(const std::string& rel) {
  return st::default_engine().scan(st::read_file(fixture(rel)), fs::path(rel).filename());
}

}  // namespace

TEST(Iso9660, CdcHanMatchesIsoinfoInEveryView) {
  const ScanResult r = scan_fixture("iso/cdc_han.iso");
  const auto oracle = parse_listing("cdc_han.iso.txt");
  EXPECT_EQ(names_in_view(r, "iso9660"), oracle.at(""));
  EXPECT_EQ(names_in_view(r, "joliet"), oracle.at("Joliet"));
  EXPECT_EQ(names_in_view(r, "rockridge"), oracle.at("Rock Ridge"));
  const Artifact* exe = child_named(r, "iso9660", "/HAN_ALERT.SCR;1");
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(to_hex(exe->hashes.sha256), hello_sha());
  // Windows reads Joliet when there is no UDF: its name comes first.
  EXPECT_EQ(exe->names.front().view, "joliet");
  EXPECT_EQ(exe->names.front().value, "/HAN_ALERT.SCR");
  EXPECT_EQ(meta_string(*image_of(r), "iso.volume_id"), "HAN_ALERT");
  EXPECT_EQ(meta_string(*image_of(r), "iso.publisher_id"), "SLUICE");
  EXPECT_EQ(meta_string(*image_of(r), "iso.application_id"), "SLUICE TEST FIXTURE");
  EXPECT_FALSE(st::has_finding(r, "iso.view_missing"));
}

TEST(Iso9660, JolietMismatchIsReported) {
  const ScanResult r = scan_fixture("iso/joliet_mismatch.iso");
  const auto oracle = parse_listing("joliet_mismatch.iso.txt");
  EXPECT_EQ(names_in_view(r, "iso9660"), oracle.at(""));
  EXPECT_EQ(names_in_view(r, "joliet"), oracle.at("Joliet"));
  const Artifact* invoice = child_named(r, "joliet", "/Invoice April 2020.pdf.exe");
  ASSERT_NE(invoice, nullptr);
  EXPECT_EQ(invoice->names.front().value, "/Invoice April 2020.pdf.exe");
  EXPECT_NE(child_named(r, "iso9660", "/INVOICE_.EXE;1"), nullptr);
  EXPECT_EQ(child_named(r, "iso9660", "/INVOICE_.EXE;1"), invoice);  // one extent, one artifact
  // "INVOICE_.EXE" is the level-1 shortening genisoimage must make of the Joliet
  // name: the format's rule, not a trick, so no name mismatch is reported. The
  // ".pdf.exe" in the Joliet name is the names detector's to judge.
  EXPECT_FALSE(has_anomaly(*invoice, "iso.view_name_mismatch"));
  EXPECT_TRUE(st::has_finding(r, "name.double_extension"));
  const Artifact* jonly = child_named(r, "joliet", "/joliet_only.exe");
  ASSERT_NE(jonly, nullptr);
  EXPECT_TRUE(has_anomaly(*jonly, "iso.view_missing"));
  EXPECT_EQ(to_hex(jonly->hashes.sha256), hello_sha());
  const Artifact* ionly = child_named(r, "iso9660", "/ISO_ONLY.TXT;1");
  ASSERT_NE(ionly, nullptr);
  EXPECT_TRUE(has_anomaly(*ionly, "iso.view_missing"));
  const Artifact* readme = child_named(r, "joliet", "/README.TXT");
  ASSERT_NE(readme, nullptr);
  EXPECT_TRUE(readme->anomalies.empty());
}

TEST(Iso9660, ElToritoBootImageIsAnArtifact) {
  const ScanResult r = scan_fixture("iso/eltorito.iso");
  const auto oracle = parse_listing("eltorito.iso.txt");
  // isoinfo's first listing here is the Rock Ridge one (-R).
  EXPECT_EQ(names_in_view(r, "rockridge"), oracle.at(""));
  const Artifact* boot = child_named(r, "eltorito", "/[BOOT]/Boot-NoEmul.img");
  ASSERT_NE(boot, nullptr);
  // xorriso: Ldsiz 4 (512-byte sectors) at LBA 35, the same extent as /boot/boot.img.
  EXPECT_EQ(boot->bytes.size(), 4u * 512);
  EXPECT_EQ(child_named(r, "rockridge", "/boot/boot.img"), boot);
  EXPECT_EQ(child_named(r, "rockridge", "/SETUP.EXE")->hashes.sha256,
            child_named(r, "iso9660", "/SETUP.EXE;1")->hashes.sha256);
}

TEST(Iso9660, MultisessionKeepsEarlierSessionFiles) {
  const ScanResult r = scan_fixture("iso/multisession.iso");
  const auto oracle = parse_listing("multisession.iso.txt");
  EXPECT_EQ(names_in_view(r, "rockridge"), oracle.at("xorriso -toc"));  // isoinfo -R of the last session
  // Every file of session 1 (xorriso -load sbsector 32) is an artifact.
  for (const auto& n : oracle.at("session 1 tree (superblock at LBA 32: xorriso -load sbsector 32 -ls /)")) {
    EXPECT_NE(child_named(r, "rockridge@48", n), nullptr) << n;
  }
  const Artifact* gone = child_named(r, "rockridge@48", "/GONE.EXE");
  ASSERT_NE(gone, nullptr);
  EXPECT_EQ(to_hex(gone->hashes.sha256), hello_sha());
  EXPECT_TRUE(has_anomaly(*gone, "iso.earlier_session_file"));
  const Artifact* first = child_named(r, "rockridge", "/FIRST.TXT");
  ASSERT_NE(first, nullptr);
  EXPECT_FALSE(has_anomaly(*first, "iso.earlier_session_file"));
  EXPECT_EQ(child_named(r, "rockridge@48", "/FIRST.TXT"), first);  // same extent in both sessions
}

TEST(Iso9660, BridgeUdfPrefersUdfNames) {
  const ScanResult r = scan_fixture("iso/bridge_udf.iso.gz");
  const auto oracle = parse_listing("bridge_udf.iso.txt");
  EXPECT_EQ(names_in_view(r, "iso9660"), oracle.at(""));
  EXPECT_EQ(names_in_view(r, "joliet"), oracle.at("Joliet"));
  EXPECT_EQ(names_in_view(r, "udf"), oracle.at("7z (7z prefers the UDF view)"));
  const Artifact* doc = child_named(r, "udf", "/Document.exe");
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(doc->names.front().view, "udf");
  EXPECT_EQ(child_named(r, "iso9660", "/DOCUMENT.EXE;1"), doc);
  EXPECT_EQ(to_hex(doc->hashes.sha256), hello_sha());
  EXPECT_FALSE(st::has_finding(r, "iso.view_missing"));
  EXPECT_EQ(meta_string(*image_of(r), "udf.logical_volume_id"), "BRIDGE_UDF");
}

TEST(Iso9660, UdfOnlyFileIsFoundAndFlagged) {
  const ScanResult r = scan_fixture("iso/udf_only.iso.gz");
  const auto oracle = parse_listing("udf_only.iso.txt");
  EXPECT_EQ(names_in_view(r, "iso9660"), oracle.at(""));
  EXPECT_EQ(names_in_view(r, "udf"), oracle.at("UDF tree (pycdlib)"));
  const Artifact* pay = child_named(r, "udf", "/Payment_Details.exe");
  ASSERT_NE(pay, nullptr);
  EXPECT_EQ(to_hex(pay->hashes.sha256), hello_sha());
  EXPECT_TRUE(has_anomaly(*pay, "iso.view_missing"));
}

TEST(Iso9660, UdfEmptyReadsVolumeNoFiles) {
  const ScanResult r = scan_fixture("iso/udf_empty.img");
  const Artifact* img = image_of(r);
  ASSERT_NE(img, nullptr);
  EXPECT_EQ(img->type, FileType::udf);
  EXPECT_TRUE(img->children.empty());
  EXPECT_EQ(meta_string(*img, "udf.volume_id"), "UDF_EMPTY");
  EXPECT_EQ(meta_string(*img, "udf.revision"), "2.01");
  EXPECT_FALSE(st::has_finding(r, "unpack.error"));
}

// --- hand-made hostile images ---------------------------------------------------

namespace {

struct IsoBuilder {
  std::vector<std::uint8_t> b = std::vector<std::uint8_t>(24 * 2048, 0);
  void le32(std::size_t o, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b[o + i] = static_cast<std::uint8_t>(v >> (8 * i));
  }
  void be32(std::size_t o, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b[o + 3 - i] = static_cast<std::uint8_t>(v >> (8 * i));
  }
  void both32(std::size_t o, std::uint32_t v) { le32(o, v); be32(o + 4, v); }
  std::size_t record(std::size_t at, std::uint32_t lba, std::uint32_t size, std::uint8_t flags,
                     const std::string& name) {
    const std::size_t len = 33 + name.size() + (name.size() % 2 == 0 ? 1 : 0);
    b[at] = static_cast<std::uint8_t>(len);
    both32(at + 2, lba);
    both32(at + 10, size);
    b[at + 25] = flags;
    b[at + 28] = 1;
    b[at + 31] = 1;
    b[at + 32] = static_cast<std::uint8_t>(name.size());
    for (std::size_t i = 0; i < name.size(); ++i) b[at + 33 + i] = static_cast<std::uint8_t>(name[i]);
    return at + len;
  }
  IsoBuilder() {
    const std::size_t p = 16 * 2048;
    b[p] = 1;
    for (int i = 0; i < 5; ++i) b[p + 1 + i] = static_cast<std::uint8_t>("CD001"[i]);
    b[p + 6] = 1;
    both32(p + 80, 24);
    b[p + 128] = 0;  // block size 2048, both-endian u16
    b[p + 129] = 8;
    b[p + 130] = 8;
    b[p + 131] = 0;
    record(p + 156, 18, 2048, 2, std::string(1, '\0'));
    const std::size_t t = 17 * 2048;
    b[t] = 255;
    for (int i = 0; i < 5; ++i) b[t + 1 + i] = static_cast<std::uint8_t>("CD001"[i]);
    std::size_t at = 18 * 2048;
    at = record(at, 18, 2048, 2, std::string(1, '\0'));
    at = record(at, 18, 2048, 2, std::string(1, '\1'));
    dir_end = at;
  }
  std::size_t dir_end = 0;
};

ScanResult scan_bytes(std::vector<std::uint8_t> b) {
  ScanOptions o;
  o.root_type = FileType::iso9660;
  return st::default_engine().scan(std::move(b), "hostile.iso", o);
}

}  // namespace

TEST(Iso9660, DirectoryCycleIsBoundedAndReported) {
  IsoBuilder iso;
  std::size_t at = iso.record(iso.dir_end, 18, 2048, 2, "LOOP");  // points back at root
  at = iso.record(at, 20, 5, 0, "A.TXT;1");
  iso.b[20 * 2048] = 'h';
  const ScanResult r = scan_bytes(std::move(iso.b));
  EXPECT_TRUE(st::has_finding(r, "iso.directory_cycle"));
  EXPECT_EQ(names_in_view(r, "iso9660"), (std::set<std::string>{"/A.TXT;1"}));
}

TEST(Iso9660, LiesAreAnomaliesNotCrashes) {
  IsoBuilder iso;
  std::size_t at = iso.record(iso.dir_end, 22, 0xFFFFFFF0u, 0, "BIG.EXE;1");  // absurd size
  at = iso.record(at, 20, 4096, 0, "A.BIN;1");
  at = iso.record(at, 21, 4096, 1, "B.BIN;1");  // overlaps A, hidden
  iso.le32(at + 2, 23);                          // endian lie on the next record
  at = iso.record(at, 19, 10, 0, "C.TXT;1");
  iso.le32(at - 33 - 8 + 2, 23);
  const ScanResult r = scan_bytes(std::move(iso.b));
  EXPECT_TRUE(st::has_finding(r, "iso.extent_past_end"));
  EXPECT_TRUE(st::has_finding(r, "iso.extent_overlap"));
  EXPECT_TRUE(st::has_finding(r, "iso.hidden_file"));
  EXPECT_TRUE(st::has_finding(r, "iso.endian_mismatch"));
  const Artifact* big = child_named(r, "iso9660", "/BIG.EXE;1");
  ASSERT_NE(big, nullptr);
  EXPECT_LE(big->bytes.size(), 24u * 2048);
}

TEST(Iso9660, NameDecoders) {
  const std::uint8_t ucs2[] = {0x00, 'A', 0xD8, 0x3D, 0xDE, 0x00, 0xD8, 0x00, 0x00};
  EXPECT_EQ(formats::iso9660::utf16be_to_utf8(ByteView(ucs2, sizeof ucs2)), "A\xF0\x9F\x98\x80\xEF\xBF\xBD");
  bool ok = false;
  const std::uint8_t cs0_8[] = {8, 'a', 0xE9};
  EXPECT_EQ(formats::iso9660::osta_cs0_to_utf8(ByteView(cs0_8, 3), ok), "a\xC3\xA9");
  EXPECT_TRUE(ok);
  const std::uint8_t cs0_16[] = {16, 0x00, 'X', 0x04, 0x10};
  EXPECT_EQ(formats::iso9660::osta_cs0_to_utf8(ByteView(cs0_16, 5), ok), "X\xD0\x90");
  const std::uint8_t bad[] = {7, 'q'};
  (void)formats::iso9660::osta_cs0_to_utf8(ByteView(bad, 2), ok);
  EXPECT_FALSE(ok);
}

// --- third-party corpora --------------------------------------------------------

TEST(Iso9660, CorporaScanWithoutCrashOrHang) {
  const fs::path root = st::corpora();
  if (root.empty() || !fs::exists(root / "images")) GTEST_SKIP() << "../shared/corpora absent";
  std::size_t scanned = 0;
  for (const char* dir : {"libarchive", "libcdio", "strelka", "clamav", "hooklift-iso9660",
                          "kdomanski-iso9660", "sleuthkit", "dfvfs"}) {
    if (!fs::exists(root / "images" / dir)) continue;
    for (const auto& e : fs::directory_iterator(root / "images" / dir)) {
      const std::string n = e.path().filename().string();
      if (!(n.ends_with(".iso") || n.ends_with(".iso.gz") || n.ends_with(".img") ||
            n.ends_with(".bin") || n.ends_with(".raw"))) {
        continue;
      }
      const ScanResult r = st::default_engine().scan(st::read_file(e.path()), n);
      EXPECT_FALSE(r.error) << n;
      ++scanned;
    }
  }
  EXPECT_GE(scanned, 35u);
}

TEST(Iso9660, CorporaKnownFilesComeOut) {
  const fs::path root = st::corpora();
  if (root.empty() || !fs::exists(root / "images")) GTEST_SKIP() << "../shared/corpora absent";
  auto scan = [&](const std::string& rel) {
    return st::default_engine().scan(st::read_file(root / "images" / rel), rel);
  };
  {
    const ScanResult r = scan("libcdio/udf102.iso");
    EXPECT_FALSE(names_in_view(r, "udf").empty());
  }
  {
    // ISO + Joliet + Rock Ridge + UDF bridge: every view lists the same files.
    const ScanResult r = scan("libcdio/test-udf1.iso");
    EXPECT_FALSE(names_in_view(r, "udf").empty());
    EXPECT_EQ(names_in_view(r, "udf").size(), names_in_view(r, "rockridge").size());
    EXPECT_FALSE(st::has_finding(r, "iso.view_missing"));
  }
  {
    const ScanResult r = scan("strelka/test_udf_1.50.img");
    EXPECT_EQ(image_of(r)->type, FileType::udf);
    EXPECT_FALSE(names_in_view(r, "udf").empty());
  }
  {
    const ScanResult r = scan("kdomanski-iso9660/test.iso");
    EXPECT_GE(image_of(r)->children.size(), 1000u);
  }
  {
    const ScanResult r = scan("libarchive/test_read_format_iso_rockridge_ce_loop.iso");
    EXPECT_TRUE(st::has_finding(r, "iso.rr_continuation_loop"));
  }
  {
    const ScanResult r = scan("libcdio/isofs-m1.bin");  // raw 2352-byte mode 1 sectors
    EXPECT_TRUE(st::has_finding(r, "iso.raw_sectors"));
    EXPECT_GE(r.tree.size(), 3u);
  }
  {
    // ClamAV's Joliet tree deliberately lacks the file the ISO 9660 tree has.
    const ScanResult r = scan("clamav/iso_no_joliet.logo.iso");
    EXPECT_TRUE(st::has_finding(r, "iso.view_missing"));
  }
  {
    const ScanResult r = scan("libcdio/multi_extent_8k.iso");
    bool found = false;
    for (const Artifact& a : r.tree) found = found || (a.bytes.size() > 8192 && a.type != FileType::iso9660);
    EXPECT_TRUE(found) << "the multi-extent file comes out whole";
  }
}
