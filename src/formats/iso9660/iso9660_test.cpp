// Oracles: the isoinfo / xorriso / 7z / pycdlib listings in tests/fixtures/listings
// (made by mature tools), SHA-256 of the known payload (pe/hello.exe), and the
// third-party corpora in ../shared/corpora/images.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
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

using sluice::testing::has_anomaly;

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

TEST(Iso9660, UdfVatMapsVirtualBlocks) {
  // mkudffs --media-type=cdr: the file set descriptor and the root directory
  // are in the virtual partition, reachable only through the VAT (file type
  // 248) in the last block (listings/udf_vat.img.txt). mkudffs cannot add
  // files, so the root read through the VAT is empty.
  const ScanResult r = scan_fixture("iso/udf_vat.img.gz");
  const Artifact* img = image_of(r);
  ASSERT_NE(img, nullptr);
  EXPECT_EQ(img->type, FileType::udf);
  EXPECT_EQ(meta_string(*img, "udf.logical_volume_id"), "UDF_VAT");
  const auto* vat = std::get_if<std::int64_t>(img->find_meta("udf.vat_entries"));  // a number, stored as one
  ASSERT_NE(vat, nullptr);
  EXPECT_EQ(*vat, 2) << "the FSD and the root directory";
  // mkudffs names every file set "LinuxUDF"; it is read from the FSD the VAT maps.
  EXPECT_EQ(meta_string(*img, "udf.file_set_id"), "LinuxUDF");
  EXPECT_FALSE(st::has_finding(r, "udf.unsupported"));
  EXPECT_FALSE(st::has_finding(r, "udf.bad_descriptor"));
  EXPECT_TRUE(img->children.empty());
}

TEST(Iso9660, UdfVat150TrailingRegidFormIsRead) {
  // mkudffs --udfrev=1.50: the VAT is a type-0 file entry whose data ends with
  // the regid "*UDF Virtual Alloc Tbl" (UDF 1.50 2.2.10), not file type 248.
  const ScanResult r = scan_fixture("iso/udf_vat150.img.gz");
  const Artifact* img = image_of(r);
  ASSERT_NE(img, nullptr);
  EXPECT_EQ(meta_string(*img, "udf.revision"), "1.50");
  EXPECT_EQ(meta_string(*img, "udf.logical_volume_id"), "UDF_VAT150");
  EXPECT_EQ(st::meta_text(*img, "udf.vat_entries"), "2") << "the FSD and the root directory";
  // mkudffs names every file set "LinuxUDF"; it is read from the FSD the VAT maps.
  EXPECT_EQ(meta_string(*img, "udf.file_set_id"), "LinuxUDF");
  EXPECT_FALSE(st::has_finding(r, "udf.bad_descriptor"));
  EXPECT_FALSE(st::has_finding(r, "udf.unsupported"));
}

TEST(Iso9660, UdfVatFuzzSeedReachesTheVat) {
  // fuzz/seeds/iso9660/udf_vat.compact.img (make_disc_fixtures.sh): the VAT
  // volume packed under 64 KiB with its anchor at N-1.
  ScanOptions o;
  o.root_type = FileType::udf;
  const ScanResult r = st::default_engine().scan(
      st::read_file(fixture("../../fuzz/seeds/iso9660/udf_vat.compact.img")), "seed.img", o);
  const Artifact* img = image_of(r);
  ASSERT_NE(img, nullptr);
  EXPECT_EQ(st::meta_text(*img, "udf.vat_entries"), "2");
  EXPECT_EQ(meta_string(*img, "udf.file_set_id"), "LinuxUDF");
  EXPECT_FALSE(st::has_finding(r, "udf.bad_descriptor"));
}

TEST(Iso9660, UdfVatEntryLiesAreAnomalies) {
  auto gz = st::read_file(fixture("iso/udf_vat.img.gz"));
  const ScanResult outer = st::default_engine().scan(std::move(gz), "udf_vat.img.gz");
  const Artifact* img = image_of(outer);
  ASSERT_NE(img, nullptr);
  std::vector<std::uint8_t> b(img->bytes.data(), img->bytes.data() + img->bytes.size());
  // VAT 2.00 (UDF 2.2.11): header of L_HD bytes, then one LE32 per virtual
  // block. The VAT's data is embedded in its file entry (the last block);
  // point the root's entry (virtual block 1, after the FSD's 0) elsewhere.
  const std::size_t fe = b.size() - 2048;
  const std::size_t l_ea = b[fe + 208] | (b[fe + 209] << 8);
  const std::size_t data = fe + 216 + l_ea;
  const std::size_t l_hd = b[data] | (b[data + 1] << 8);
  for (std::size_t i = 0; i < 4; ++i) b[data + l_hd + 4 + i] = 0x00;  // -> physical block 0
  ScanOptions o;
  o.root_type = FileType::udf;
  const ScanResult r = st::default_engine().scan(std::move(b), "udf_vat.img", o);
  EXPECT_TRUE(st::has_finding(r, "udf.bad_descriptor")) << "the root is not a file entry now";
  EXPECT_FALSE(r.error);
}

namespace {

// UDF 2.50 metadata partition, hand-built on mkudffs' udf_empty.img: no writer
// here makes one (udftools 2.3 refuses 2.50 on non-write-once media and writes
// no metadata map; pycdlib's UDF 2.60 has none). A type-2 "*UDF Metadata
// Partition" map is appended to the LVD, a metadata file entry (type 250) and
// its mirror (251) covering the whole physical partition are appended after the
// image, and the file set descriptor and root are addressed through the map.
struct MetadataUdf {
  std::vector<std::uint8_t> b;
  std::size_t main_fe = 0, mirror_fe = 0;

  std::uint32_t u32(std::size_t o) const {
    return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (std::uint32_t{b[o + 3]} << 24);
  }
  void put16(std::size_t o, std::uint32_t v) { b[o] = v & 0xFF; b[o + 1] = (v >> 8) & 0xFF; }
  void put32(std::size_t o, std::uint32_t v) { for (int i = 0; i < 4; ++i) b[o + i] = (v >> (8 * i)) & 0xFF; }
  void checksum(std::size_t tag) {
    std::uint8_t sum = 0;
    for (std::size_t i = 0; i < 16; ++i) sum = static_cast<std::uint8_t>(sum + (i == 4 ? 0 : b[tag + i]));
    b[tag + 4] = sum;
  }
  std::size_t find_tag(std::uint16_t id) const {
    for (std::size_t s = 0; (s + 1) * 512 <= b.size(); ++s) {
      if ((b[s * 512] | (b[s * 512 + 1] << 8)) == id && u32(s * 512 + 12) == s) return s * 512;
    }
    return 0;
  }
  void file_entry(std::size_t at, std::uint8_t type, std::uint32_t bytes, std::uint32_t lbn) {
    b[at] = 5;  // tag 261
    b[at + 1] = 1;
    b[at + 2] = 2;
    b[at + 27] = type;
    for (int i = 0; i < 8; ++i) b[at + 56 + i] = i < 4 ? (bytes >> (8 * i)) & 0xFF : 0;
    put32(at + 172, 8);  // L_AD: one short_ad
    put32(at + 176, bytes);
    put32(at + 180, 0);
    put32(at + 12, lbn);
    checksum(at);
  }

  MetadataUdf() : b(st::read_file(fixture("iso/udf_empty.img"))) {
    const std::size_t lvd = find_tag(6), pd = find_tag(5);
    const std::uint32_t part_start = u32(pd + 188), part_len = u32(pd + 192);
    const std::uint32_t map_len = u32(lvd + 264);
    const std::size_t map = lvd + 440 + map_len;
    b[map] = 2;
    b[map + 1] = 64;
    const std::string id = "*UDF Metadata Partition";
    std::copy(id.begin(), id.end(), b.begin() + static_cast<std::ptrdiff_t>(map + 5));
    put16(map + 36, 1);
    put16(map + 38, b[lvd + 440 + 4] | (b[lvd + 440 + 5] << 8));  // same physical partition
    const std::uint32_t first_new = static_cast<std::uint32_t>(b.size() / 512) - part_start;
    put32(map + 40, first_new);      // metadata file
    put32(map + 44, first_new + 1);  // mirror
    put32(map + 48, 0xFFFFFFFF);
    put32(lvd + 264, map_len + 64);
    put32(lvd + 268, u32(lvd + 268) + 1);
    put16(lvd + 256, 1);  // the FSD is in the metadata partition (map 1)
    checksum(lvd);
    const std::size_t fsd = (part_start + u32(lvd + 252)) * std::size_t{512};
    put16(fsd + 408, 1);  // and so is the root directory
    checksum(fsd);
    main_fe = b.size();
    mirror_fe = main_fe + 512;
    b.resize(b.size() + 1024, 0);
    file_entry(main_fe, 250, part_len * 512, first_new);
    file_entry(mirror_fe, 251, part_len * 512, first_new + 1);
  }
  ScanResult scan() const {
    ScanOptions o;
    o.root_type = FileType::udf;
    return st::default_engine().scan(std::vector(b), "metadata.img", o);
  }
};

}  // namespace

TEST(Iso9660, UdfMetadataPartitionIsReadThroughTheMetadataFile) {
  MetadataUdf udf;
  const ScanResult r = udf.scan();
  const Artifact* img = image_of(r);
  ASSERT_NE(img, nullptr);
  // The FSD resolves only through the metadata file's allocation descriptors.
  EXPECT_EQ(meta_string(*img, "udf.file_set_id"), "LinuxUDF");
  EXPECT_FALSE(st::has_finding(r, "udf.bad_descriptor"));
  EXPECT_FALSE(st::has_finding(r, "udf.unsupported"));
  EXPECT_FALSE(st::has_finding(r, "udf.metadata_mirror_used"));
}

TEST(Iso9660, UdfDamagedMetadataFileFallsBackToMirror) {
  MetadataUdf udf;
  udf.b[udf.main_fe + 4] ^= 0xFF;  // the main metadata file's tag checksum
  const ScanResult r = udf.scan();
  EXPECT_TRUE(st::has_finding(r, "udf.metadata_mirror_used"));
  EXPECT_EQ(meta_string(*image_of(r), "udf.file_set_id"), "LinuxUDF");
  udf.b[udf.mirror_fe] = 0;  // and now the mirror is no file entry either
  const ScanResult both = udf.scan();
  EXPECT_FALSE(st::has_finding(both, "udf.metadata_mirror_used"));
  EXPECT_TRUE(st::has_finding(both, "udf.bad_descriptor"));
  EXPECT_TRUE(meta_string(*image_of(both), "udf.file_set_id").empty());
}

// A descriptor the image ends inside was read with zeros for its missing
// fields; now it is refused where it is taken, and the reason is reported.
TEST(Iso9660, UdfDescriptorCutByTheImageEndIsReported) {
  MetadataUdf udf;
  udf.b[udf.main_fe] = 0;                  // the metadata file is no file entry
  udf.b.resize(udf.mirror_fe + 100);       // and the image ends inside its mirror
  const ScanResult r = udf.scan();
  const Artifact* img = image_of(r);
  ASSERT_NE(img, nullptr);
  bool cut = false;
  for (const Anomaly& x : img->anomalies) {
    cut = cut || (x.id == "udf.bad_descriptor" && x.message.find("a file entry at offset " +
                                                                  std::to_string(udf.mirror_fe) +
                                                                  " is cut by the end of the image") != std::string::npos);
  }
  EXPECT_TRUE(cut);
  EXPECT_FALSE(st::has_finding(r, "udf.metadata_mirror_used"));
}

// A type 2 partition map is 64 bytes; one recorded shorter had its metadata
// file and mirror locations read as block 0.
TEST(Iso9660, UdfShortTypeTwoPartitionMapIsReported) {
  MetadataUdf udf;
  const std::size_t lvd = udf.find_tag(6);
  const std::size_t map = lvd + 440 + (udf.u32(lvd + 264) - 64);
  ASSERT_EQ(udf.b[map], 2);
  udf.b[map + 1] = 40;
  udf.checksum(lvd);
  const ScanResult r = udf.scan();
  const Artifact* img = image_of(r);
  ASSERT_NE(img, nullptr);
  bool reported = false;
  for (const Anomaly& x : img->anomalies) {
    reported = reported || (x.id == "udf.bad_descriptor" &&
                            x.message == "a type 2 partition map of 40 bytes (64 expected) is not read");
  }
  EXPECT_TRUE(reported);
  // The file set descriptor lies in that partition: it cannot be found.
  EXPECT_TRUE(meta_string(*img, "udf.file_set_id").empty());
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
  // `su`: a system use area (SUSP entries) after the name.
  std::size_t record(std::size_t at, std::uint32_t lba, std::uint32_t size, std::uint8_t flags,
                     const std::string& name, const std::string& su = {}) {
    const std::size_t base = 33 + name.size() + (name.size() % 2 == 0 ? 1 : 0);
    const std::size_t len = base + su.size() + (su.size() % 2);
    b[at] = static_cast<std::uint8_t>(len);
    both32(at + 2, lba);
    both32(at + 10, size);
    b[at + 25] = flags;
    b[at + 28] = 1;
    b[at + 31] = 1;
    b[at + 32] = static_cast<std::uint8_t>(name.size());
    for (std::size_t i = 0; i < name.size(); ++i) b[at + 33 + i] = static_cast<std::uint8_t>(name[i]);
    for (std::size_t i = 0; i < su.size(); ++i) b[at + base + i] = static_cast<std::uint8_t>(su[i]);
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

// A SUSP entry: signature, length, version 1, payload.
std::string susp(const char* sig, const std::string& payload) {
  return std::string(sig, 2) + static_cast<char>(4 + payload.size()) + '\1' + payload;
}
std::string both32(std::uint32_t v) {
  std::string o(8, '\0');
  for (int i = 0; i < 4; ++i) {
    o[i] = static_cast<char>(v >> (8 * i));
    o[7 - i] = static_cast<char>(v >> (8 * i));
  }
  return o;
}

namespace {

// The root directory's "." with SUSP's SP entry (so the tree is read with
// Rock Ridge) and its ".."; returns where the next record goes.
std::size_t rock_ridge_root(IsoBuilder& iso) {
  std::fill(iso.b.begin() + 18 * 2048, iso.b.begin() + 19 * 2048, 0);
  const std::size_t at = iso.record(18 * 2048, 18, 2048, 2, std::string(1, '\0'),
                                    susp("SP", std::string("\xBE\xEF\0", 3)));
  return iso.record(at, 18, 2048, 2, std::string(1, '\1'));
}

}  // namespace

TEST(Iso9660, RockRidgeChildLinkToAncestorIsBoundedAndReported) {
  IsoBuilder iso;
  // Root "." carries SUSP's SP entry so the tree is read with Rock Ridge.
  std::size_t at = 18 * 2048;
  std::fill(iso.b.begin() + 18 * 2048, iso.b.begin() + 19 * 2048, 0);
  at = iso.record(at, 18, 2048, 2, std::string(1, '\0'), susp("SP", std::string("\xBE\xEF\0", 3)));
  at = iso.record(at, 18, 2048, 2, std::string(1, '\1'));
  at = iso.record(at, 19, 2048, 2, "SUB", susp("NM", std::string("\0sub", 4)));
  at = iso.record(at, 21, 5, 0, "A.TXT;1", susp("NM", std::string("\0a.txt", 6)));
  iso.b[21 * 2048] = 'h';
  // /SUB holds a CL placeholder pointing back at the root, and a second one at /SUB.
  at = 19 * 2048;
  at = iso.record(at, 19, 2048, 2, std::string(1, '\0'));
  at = iso.record(at, 18, 2048, 2, std::string(1, '\1'));
  at = iso.record(at, 0, 0, 0, "UP;1", susp("NM", std::string("\0up", 3)) + susp("CL", both32(18)));
  at = iso.record(at, 0, 0, 0, "SELF;1", susp("CL", both32(19)));
  const ScanResult r = scan_bytes(std::move(iso.b));
  EXPECT_TRUE(st::has_finding(r, "iso.directory_cycle"));
  EXPECT_EQ(names_in_view(r, "rockridge"), (std::set<std::string>{"/a.txt"}));
}

// Entries cut short of their fixed fields were read as zeros: an NM without
// its flags byte named the file "" (so Rock Ridge listed it as "/"), a cut CE
// continued at block 0. Each is now skipped and reported where it stands.
TEST(Iso9660, RockRidgeEntriesTooShortForTheirFieldsAreReportedAndSkipped) {
  IsoBuilder iso;
  std::size_t at = rock_ridge_root(iso);
  at = iso.record(at, 20, 5, 0, "A.TXT;1",
                  susp("NM", "") + susp("PX", std::string(4, '\0')) + susp("CL", std::string("\1\0", 2)) +
                      susp("TF", "") + susp("CE", std::string(8, '\0')));
  iso.b[20 * 2048] = 'h';
  const ScanResult r = scan_bytes(std::move(iso.b));
  EXPECT_EQ(names_in_view(r, "rockridge"), (std::set<std::string>{"/A.TXT;1"}));
  const Artifact* a = child_named(r, "rockridge", "/A.TXT;1");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->find_meta("rr.uid"), nullptr);
  EXPECT_EQ(a->find_meta("rr.mode"), nullptr);
  std::set<std::string> cut;
  for (const Anomaly& x : r.tree[0].anomalies) {
    if (x.id == "iso.bad_directory_record" && x.message.find("too short for its fields") != std::string::npos) {
      cut.insert(x.message.substr(0, x.message.find(" of ")));
    }
  }
  EXPECT_EQ(cut, (std::set<std::string>{"system use entry 'NM'", "system use entry 'PX'", "system use entry 'CL'",
                                        "system use entry 'TF'", "system use entry 'CE'"}));
}

TEST(Iso9660, RockRidgeChildLinkPastTheEndIsReported) {
  IsoBuilder iso;
  std::size_t at = rock_ridge_root(iso);
  at = iso.record(at, 0, 0, 0, "FAR;1", susp("NM", std::string("\0far", 4)) + susp("CL", both32(100000)));
  at = iso.record(at, 20, 5, 0, "A.TXT;1", susp("NM", std::string("\0a.txt", 6)));
  iso.b[20 * 2048] = 'h';
  const ScanResult r = scan_bytes(std::move(iso.b));
  bool reported = false;
  for (const Anomaly& x : r.tree[0].anomalies) {
    reported = reported || (x.id == "iso.extent_past_end" && x.message.find("'/far' points past the end") != std::string::npos);
  }
  EXPECT_TRUE(reported);
  EXPECT_EQ(names_in_view(r, "rockridge"), (std::set<std::string>{"/a.txt"}));
}

TEST(Iso9660, RockRidgeSymlinkWithDataIsReported) {
  IsoBuilder iso;
  std::size_t at = rock_ridge_root(iso);
  // SL "/tmp/x": a ROOT component, then "tmp" and "x".
  const std::string sl = std::string("\0\x08\0\0\3tmp\0\1x", 11);
  at = iso.record(at, 20, 5, 0, "LINK.EXE;1", susp("NM", std::string("\0link.exe", 9)) + susp("SL", sl));
  iso.b[20 * 2048] = 'M';
  const ScanResult r = scan_bytes(std::move(iso.b));
  const Artifact* a = child_named(r, "rockridge", "/link.exe");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(child_named(r, "iso9660", "/LINK.EXE;1"), a);
  EXPECT_TRUE(has_anomaly(*a, "iso.rr_symlink_with_data"));
  EXPECT_EQ(meta_string(*a, "rr.symlink"), "/tmp/x");
  EXPECT_EQ(a->bytes.size(), 5u);
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

// --- Rock Ridge relocation, PX/TF/SL, zisofs, VAT, view names (issue #5) --------

namespace {

std::int64_t meta_int(const Artifact& a, const std::string& key) {
  const MetaValue* v = a.find_meta(key);
  const auto* i = v ? std::get_if<std::int64_t>(v) : nullptr;
  return i ? *i : -1;
}

// bsdtar -tvf lines kept by make_disc_fixtures.sh: "<mode> Mon D YYYY path[ -> target]".
std::map<std::string, std::string> bsdtar_entries(const std::string& file, char type) {
  std::ifstream in(fixture("listings/" + file));
  std::map<std::string, std::string> out;  // path -> symlink target ("" for files)
  const std::regex line_re(R"(^(\S)\S+ \S+ \d+ \d+ (.+?)(?: -> (.+))?$)");
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (line.starts_with("### isoinfo")) break;
    if (std::regex_match(line, m, line_re) && m[1].str()[0] == type) {
      out["/" + m[2].str()] = m[3].str();
    }
  }
  return out;
}

std::map<std::string, std::string> sha_listing(const std::string& file) {
  std::ifstream in(fixture("listings/" + file));
  std::map<std::string, std::string> out;
  const std::regex line_re(R"(^([0-9a-f]{64})  (\S+)$)");
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, line_re)) out["/" + m[2].str()] = m[1].str();
  }
  return out;
}

}  // namespace

TEST(Iso9660, RockRidgeRelocationMatchesBsdtar) {
  const ScanResult r = scan_fixture("iso/rr_deep.iso");
  // libarchive follows CL/RE: the relocated directory appears at its
  // placeholder's place and rr_moved is gone from the Rock Ridge paths.
  std::set<std::string> oracle;
  for (const auto& [path, target] : bsdtar_entries("rr_deep.iso.txt", '-')) oracle.insert(path);
  for (const auto& [path, target] : bsdtar_entries("rr_deep.iso.txt", 'l')) oracle.insert(path);
  ASSERT_EQ(oracle.size(), 4u);
  EXPECT_EQ(names_in_view(r, "rockridge"), oracle);
  const Artifact* deep = child_named(r, "rockridge", "/a/b/c/d/e/f/g/h/i/j/deep_payload.exe");
  ASSERT_NE(deep, nullptr);
  EXPECT_EQ(to_hex(deep->hashes.sha256), hello_sha());
  // The ISO 9660 tree keeps the relocated place (isoinfo -l lists /RR_MOVED/H/I/J/).
  EXPECT_EQ(child_named(r, "iso9660", "/RR_MOVED/H/I/J/DEEP_PAY.EXE;1"), deep);
  EXPECT_EQ(child_named(r, "joliet", "/a/b/c/d/e/f/g/h/i/j/deep_payload.exe"), deep);
  EXPECT_FALSE(st::has_finding(r, "iso.directory_cycle"));
  EXPECT_FALSE(st::has_finding(r, "iso.view_missing"));
}

TEST(Iso9660, RockRidgePosixMetadataIsKept) {
  const ScanResult r = scan_fixture("iso/rr_deep.iso");
  const Artifact* top = child_named(r, "rockridge", "/top.txt");
  ASSERT_NE(top, nullptr);
  // bsdtar -tvf: -rwxr-x---, mtime set by make_disc_fixtures.sh (touch -d @1586856600).
  EXPECT_EQ(meta_string(*top, "rr.mode"), "100750");
  EXPECT_EQ(meta_int(*top, "rr.nlink"), 1);
  EXPECT_EQ(meta_string(*top, "rr.modified"), "2020-04-14T09:30:00Z");
  EXPECT_EQ(meta_string(*top, "rr.accessed"), "2020-04-14T09:30:00Z");
  const auto links = bsdtar_entries("rr_deep.iso.txt", 'l');
  ASSERT_EQ(links.size(), 1u);
  const Artifact* link = child_named(r, "rockridge", links.begin()->first);
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(meta_string(*link, "rr.symlink"), links.begin()->second);
  EXPECT_EQ(meta_string(*link, "rr.mode"), "120777");
  EXPECT_TRUE(link->bytes.empty());
  EXPECT_FALSE(st::has_finding(r, "iso.rr_symlink_with_data"));
}

TEST(Iso9660, ZisofsInflatesLikeBsdtar) {
  const ScanResult r = scan_fixture("iso/zisofs.iso");
  const auto oracle = sha_listing("zisofs.iso.txt");
  ASSERT_EQ(oracle.size(), 4u);
  for (const auto& [path, sha] : oracle) {
    const Artifact* a = child_named(r, "rockridge", path);
    ASSERT_NE(a, nullptr) << path;
    EXPECT_EQ(to_hex(a->hashes.sha256), sha) << path;
  }
  const Artifact* hello = child_named(r, "rockridge", "/hello.exe");
  EXPECT_EQ(to_hex(hello->hashes.sha256), hello_sha());
  EXPECT_EQ(meta_int(*hello, "iso.zisofs.stored_size"), 5830);  // isoinfo -l
  EXPECT_EQ(meta_int(*hello, "iso.zisofs.block_size"), 32768);
  EXPECT_EQ(child_named(r, "iso9660", "/HELLO.EXE;1"), hello);
  EXPECT_EQ(meta_int(*child_named(r, "rockridge", "/tiny.txt"), "iso.zisofs.stored_size"), -1);
  EXPECT_FALSE(st::has_finding(r, "iso.zisofs_corrupt"));
}

TEST(Iso9660, ZisofsLiesAreAnomalies) {
  auto bytes = st::read_file(fixture("iso/zisofs.iso"));
  const ScanResult clean = st::default_engine().scan(std::vector(bytes), "zisofs.iso");
  const Artifact* text = child_named(clean, "rockridge", "/text.txt");
  ASSERT_NE(text, nullptr);
  const auto at = static_cast<std::size_t>(meta_int(*text, "iso.zisofs.offset"));
  ASSERT_GT(at, 0u);
  // The first block pointer after the header now points past the file.
  for (std::size_t i = 0; i < 4; ++i) bytes[at + 20 + i] = 0xFF;
  const ScanResult r = st::default_engine().scan(std::vector(bytes), "zisofs.iso");
  const Artifact* bad = child_named(r, "rockridge", "/text.txt");
  ASSERT_NE(bad, nullptr);
  EXPECT_TRUE(has_anomaly(*bad, "iso.zisofs_corrupt"));
  EXPECT_FALSE(r.error);
}

TEST(Iso9660, ViewNamesDifferingBeyondShorteningAreReported) {
  const ScanResult r = scan_fixture("iso/view_names.iso");
  // listings/view_names.iso.txt (pycdlib): one extent per line, ISO 9660 -> Joliet.
  const Artifact* payload = child_named(r, "joliet", "/payload.exe");
  ASSERT_NE(payload, nullptr);
  EXPECT_EQ(child_named(r, "iso9660", "/REPORT.PDF;1"), payload);
  EXPECT_TRUE(has_anomaly(*payload, "iso.view_extension_mismatch"));
  EXPECT_FALSE(has_anomaly(*payload, "iso.view_name_mismatch"));
  const Artifact* notes = child_named(r, "joliet", "/notes.txt");
  ASSERT_NE(notes, nullptr);
  EXPECT_EQ(child_named(r, "iso9660", "/README.TXT;1"), notes);
  EXPECT_TRUE(has_anomaly(*notes, "iso.view_name_mismatch"));
  EXPECT_FALSE(has_anomaly(*notes, "iso.view_extension_mismatch"));
  // INVOICE_.PDF is the 8.3 shortening of Invoice_April.pdf: the format's rule.
  const Artifact* invoice = child_named(r, "joliet", "/Invoice_April.pdf");
  ASSERT_NE(invoice, nullptr);
  EXPECT_EQ(child_named(r, "iso9660", "/INVOICE_.PDF;1"), invoice);
  for (const Anomaly& a : invoice->anomalies) EXPECT_FALSE(a.id.starts_with("iso.view_")) << a.id;
}

// forks.iso (make_disc_fixtures.sh): genisoimage output patched into an
// interleaved file and an associated file, in both the ISO 9660 and Joliet trees.
namespace {

// Start of the directory record whose identifier is `id` (8-bit or UCS-2 bytes).
std::size_t record_of(const std::vector<std::uint8_t>& img, std::string_view id) {
  const auto it = std::search(img.begin(), img.end(), id.begin(), id.end());
  return it == img.end() ? 0 : static_cast<std::size_t>(it - img.begin()) - 33;
}
const std::string_view kJolietInterleaved{"\0i\0n\0t\0e\0r\0l\0v\0.\0b\0i\0n", 22};

}  // namespace

TEST(Iso9660, InterleavedFileIsAssembledFromItsUnits) {
  const ScanResult r = scan_fixture("iso/forks.iso");
  const auto oracle = sha_listing("forks.iso.txt");
  ASSERT_EQ(oracle.size(), 3u);
  const Artifact* f = child_named(r, "iso9660", "/INTERLV.BIN;1");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->bytes.size(), 5000u);
  EXPECT_EQ(to_hex(f->hashes.sha256), oracle.at("/interlv.bin"));  // the gaps' "GAP!" left out
  EXPECT_FALSE(f->truncated);
  EXPECT_EQ(child_named(r, "joliet", "/interlv.bin"), f);
  EXPECT_EQ(meta_string(*f, "iso.interleaved"), "unit 1, gap 1");
  EXPECT_TRUE(has_anomaly(*f, "iso.interleaved"));
  EXPECT_EQ(std::count_if(f->anomalies.begin(), f->anomalies.end(),
                          [](const auto& a) { return a.id == "iso.interleaved"; }),
            1);  // said once for the two records
  EXPECT_FALSE(has_anomaly(*f, "iso.extent_past_end"));
  EXPECT_FALSE(st::has_finding(r, "iso.extent_overlap"));
  EXPECT_FALSE(st::has_finding(r, "iso.interleave_invalid"));
}

TEST(Iso9660, InterleaveLiesAreAnomalies) {
  const auto clean = st::read_file(fixture("iso/forks.iso"));
  const std::size_t iso_rec = record_of(clean, "INTERLV.BIN;1");
  const std::size_t jol_rec = record_of(clean, kJolietInterleaved);
  ASSERT_GT(iso_rec, 0u);
  ASSERT_GT(jol_rec, 0u);
  {  // A gap without a unit size: invalid, read as contiguous (unit, gap, unit...).
    auto b = clean;
    for (const std::size_t rec : {iso_rec, jol_rec}) b[rec + 26] = 0, b[rec + 27] = 3;
    const ScanResult r = st::default_engine().scan(std::move(b), "forks.iso");
    const Artifact* f = child_named(r, "iso9660", "/INTERLV.BIN;1");
    ASSERT_NE(f, nullptr);
    EXPECT_TRUE(has_anomaly(*f, "iso.interleave_invalid"));
    EXPECT_FALSE(has_anomaly(*f, "iso.interleaved"));
    EXPECT_NE(f->bytes.chars().find("GAP!"), std::string_view::npos);
  }
  {  // Gaps of 255 blocks: the second unit is past the end, the first is kept.
    auto b = clean;
    for (const std::size_t rec : {iso_rec, jol_rec}) b[rec + 27] = 255;
    const ScanResult r = st::default_engine().scan(std::move(b), "forks.iso");
    const Artifact* f = child_named(r, "iso9660", "/INTERLV.BIN;1");
    ASSERT_NE(f, nullptr);
    EXPECT_TRUE(has_anomaly(*f, "iso.extent_past_end"));
    EXPECT_EQ(f->bytes.size(), 2048u);
    EXPECT_TRUE(f->bytes.chars().starts_with("unit 00000 of an interleaved file"));
    EXPECT_FALSE(r.error);
  }
}

TEST(Iso9660, AssociatedFileIsItsOwnArtifact) {
  const ScanResult r = scan_fixture("iso/forks.iso");
  const auto oracle = sha_listing("forks.iso.txt");
  const Artifact* assoc = child_named(r, "iso9660", "/B.TXT:associated;1");
  const Artifact* owner = child_named(r, "iso9660", "/B.TXT;1");
  ASSERT_NE(assoc, nullptr);
  ASSERT_NE(owner, nullptr);
  EXPECT_NE(assoc, owner);
  EXPECT_EQ(child_named(r, "joliet", "/b.txt:associated"), assoc);
  EXPECT_EQ(child_named(r, "joliet", "/b.txt"), owner);
  EXPECT_EQ(to_hex(assoc->hashes.sha256), oracle.at("/a.txt"));  // the patched a.txt record
  EXPECT_EQ(to_hex(owner->hashes.sha256), oracle.at("/b.txt"));
  EXPECT_TRUE(assoc->meta_flag("iso.associated"));
  EXPECT_FALSE(owner->meta_flag("iso.associated"));
  EXPECT_EQ(owner->names.size(), 2u);  // never merged with the associated file's names
  EXPECT_FALSE(st::has_finding(r, "iso.view_content_mismatch"));
  EXPECT_FALSE(st::has_finding(r, "iso.view_missing"));
}

TEST(Iso9660, AssociatedFileSharingItsOwnersExtentStaysSeparate) {
  auto b = st::read_file(fixture("iso/forks.iso"));
  // Point the associated records at the owner's extent and size.
  const std::size_t iso_assoc = record_of(b, "B.TXT;1");
  const std::size_t iso_owner = iso_assoc + b[iso_assoc];
  ASSERT_EQ(std::string_view(reinterpret_cast<const char*>(&b[iso_owner + 33]), 7), "B.TXT;1");
  std::copy_n(&b[iso_owner + 2], 16, &b[iso_assoc + 2]);
  const ScanResult r = st::default_engine().scan(std::move(b), "forks.iso");
  const Artifact* assoc = child_named(r, "iso9660", "/B.TXT:associated;1");
  const Artifact* owner = child_named(r, "iso9660", "/B.TXT;1");
  ASSERT_NE(assoc, nullptr);
  ASSERT_NE(owner, nullptr);
  EXPECT_NE(assoc, owner);
  EXPECT_EQ(assoc->bytes.size(), owner->bytes.size());
  EXPECT_FALSE(owner->meta_flag("iso.associated"));
}

// udf_streams.img (make_disc_fixtures.sh): mkudffs volume plus a hand-written
// named stream on /host.txt. 7-Zip (listing) sees the main data only.
namespace {

std::map<std::string, std::string> stream_listing() {
  std::ifstream in(fixture("listings/udf_streams.img.txt"));
  std::map<std::string, std::string> out;  // path -> sha256, then "7z:" + name -> size
  std::string line;
  bool sevenz = false;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string a, b;
    if (line.starts_with("### 7z")) sevenz = true;
    if (line.starts_with("#") || !(ls >> a >> b)) continue;
    if (sevenz) {
      out["7z:/" + b] = a;
    } else {
      out[a] = b;
    }
  }
  return out;
}

ScanResult scan_udf(std::vector<std::uint8_t> b) {
  ScanOptions o;
  o.root_type = FileType::udf;
  return st::default_engine().scan(std::move(b), "udf_streams.img", o);
}

// Byte offset of the extended file entry at partition block `lbn` (512-byte blocks).
std::size_t udf_block(const std::vector<std::uint8_t>& b, std::uint32_t lbn) {
  for (std::size_t s = 0; (s + 1) * 512 <= b.size(); ++s) {
    const std::size_t at = s * 512;
    if (b[at] == 5 && b[at + 1] == 0 && b[at + 12] == s) {  // partition descriptor, tag 5
      const std::uint32_t start = b[at + 188] | (b[at + 189] << 8) | (b[at + 190] << 16);
      return (start + lbn) * std::size_t{512};
    }
  }
  return 0;
}

void udf_reseal(std::vector<std::uint8_t>& b, std::size_t at) {
  std::uint8_t sum = 0;
  for (std::size_t i = 0; i < 16; ++i) sum = static_cast<std::uint8_t>(sum + (i == 4 ? 0 : b[at + i]));
  b[at + 4] = sum;
}

}  // namespace

TEST(Iso9660, UdfNamedStreamIsItsOwnArtifact) {
  const auto oracle = stream_listing();
  ASSERT_EQ(oracle.size(), 3u);
  const ScanResult r = scan_fixture("iso/udf_streams.img");
  // 7-Zip lists the main data only: so does the udf view.
  EXPECT_EQ(names_in_view(r, "udf"), std::set<std::string>{"/host.txt"});
  ASSERT_EQ(oracle.count("7z:/host.txt"), 1u);
  const Artifact* host = child_named(r, "udf", "/host.txt");
  ASSERT_NE(host, nullptr);
  EXPECT_EQ(std::to_string(host->bytes.size()), oracle.at("7z:/host.txt"));
  EXPECT_EQ(to_hex(host->hashes.sha256), oracle.at("/host.txt"));
  EXPECT_FALSE(has_anomaly(*host, "udf.named_stream"));
  const Artifact* stream = child_named(r, "udf-stream", "/host.txt:payload.exe");
  ASSERT_NE(stream, nullptr);
  EXPECT_NE(stream, host);
  EXPECT_EQ(to_hex(stream->hashes.sha256), oracle.at("/host.txt:payload.exe"));
  EXPECT_TRUE(has_anomaly(*stream, "udf.named_stream"));
  EXPECT_EQ(stream->names.size(), 1u);
  EXPECT_FALSE(st::has_finding(r, "udf.bad_descriptor"));
  EXPECT_FALSE(st::has_finding(r, "iso.view_missing"));
}

TEST(Iso9660, UdfStreamDirectoryLiesAreBounded) {
  const auto clean = st::read_file(fixture("iso/udf_streams.img"));
  const std::size_t host = udf_block(clean, 4), sdir = udf_block(clean, 5);
  ASSERT_GT(host, 0u);
  ASSERT_EQ(clean[host + 27], 5);   // the host file's entry
  ASSERT_EQ(clean[sdir + 27], 13);  // its stream directory
  {  // The stream directory ICB names the root directory, already read: ignored.
    auto b = clean;
    b[host + 156] = 3;
    udf_reseal(b, host);
    const ScanResult r = scan_udf(std::move(b));
    EXPECT_FALSE(st::has_finding(r, "udf.named_stream"));
    EXPECT_NE(child_named(r, "udf", "/host.txt"), nullptr);
    EXPECT_FALSE(r.error);
  }
  {  // The stream's FID claims to be a directory: streams hold no directories.
    auto b = clean;
    const std::size_t fid = sdir + 216 + 40;  // after the parent FID
    ASSERT_EQ(b[fid], 1);                     // tag 257
    b[fid + 18] |= 0x02;
    udf_reseal(b, fid);
    const ScanResult r = scan_udf(std::move(b));
    EXPECT_FALSE(st::has_finding(r, "udf.named_stream"));
    EXPECT_TRUE(st::has_finding(r, "udf.bad_descriptor"));
  }
  {  // The stream names its own host file's entry as its stream directory.
    auto b = clean;
    b[host + 156] = 4;
    udf_reseal(b, host);
    const ScanResult r = scan_udf(std::move(b));
    EXPECT_FALSE(st::has_finding(r, "udf.named_stream"));
    EXPECT_FALSE(r.error);
  }
}

TEST(Iso9660, UdfStreamFuzzSeedReachesTheStream) {
  const ScanResult r = scan_udf(st::read_file(fixture("../../fuzz/seeds/iso9660/udf_streams.img")));
  EXPECT_NE(child_named(r, "udf-stream", "/host.txt:payload.exe"), nullptr);
}

TEST(Iso9660, ForksFuzzSeedReachesBothRecords) {
  const ScanResult r = scan_bytes(st::read_file(fixture("../../fuzz/seeds/iso9660/forks.head.iso")));
  EXPECT_NE(child_named(r, "iso9660", "/B.TXT:associated;1"), nullptr);
  const Artifact* f = child_named(r, "iso9660", "/INTERLV.BIN;1");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(has_anomaly(*f, "iso.interleaved"));
  EXPECT_TRUE(has_anomaly(*f, "iso.extent_past_end"));  // the units lie past the cut
}

// --- third-party corpora --------------------------------------------------------

TEST(Iso9660, CorporaScanWithoutCrashOrHang) {
  const fs::path root = st::corpora();
  if (root.empty() || !fs::exists(root / "images")) SLUICE_SKIP_UNLESS_CI() << "../shared/corpora absent";
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
  if (root.empty() || !fs::exists(root / "images")) SLUICE_SKIP_UNLESS_CI() << "../shared/corpora absent";
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

// libarchive's own Rock Ridge test images, read in place; bsdtar (libarchive)
// is the oracle for paths (CL/RE followed), symlink targets and inflated zisofs.
TEST(Iso9660, CorporaRockRidgeAgreesWithBsdtar) {
  const fs::path root = st::corpora();
  if (root.empty() || !fs::exists(root / "images" / "libarchive")) SLUICE_SKIP_UNLESS_CI() << "corpora absent";
  // bsdtar -tv: mode, links, uid, gid, size, month, day, year, path [-> target].
  const std::regex line_re(R"(^(\S)\S+\s+\d+\s+\S+\s+\S+\s+(\d+)\s+\S+\s+\d+\s+\S+\s+(.+?)(?: -> (.+))?$)");
  for (const char* rel : {"test_read_format_iso_zisofs.iso",
                          "test_read_format_iso_rockridge_rr_moved.iso.gz"}) {
    const fs::path img = root / "images" / "libarchive" / rel;
    // The gzip'd image expands 1000:1 (12 MB of zeros): lift the ratio limit.
    Limits lim;
    lim.max_ratio = 100'000;
    const ScanResult r = st::engine_with(lim).scan(st::read_file(img), rel);
    std::istringstream listing(st::command_output("bsdtar -tvf '" + img.string() + "'"));
    std::size_t checked = 0;
    std::smatch m;
    for (std::string line; std::getline(listing, line);) {
      if (!std::regex_match(line, m, line_re) || m[1] == "d") continue;
      std::string path = m[3].str();
      const bool hardlink = path.find(" link to ") != std::string::npos;
      if (hardlink) path.erase(path.find(" link to "));
      const Artifact* a = child_named(r, "rockridge", "/" + path);
      ASSERT_NE(a, nullptr) << rel << ": " << path;
      ++checked;
      if (m[1] == "l") {
        EXPECT_EQ(meta_string(*a, "rr.symlink"), m[4].str()) << path;
      } else if (!hardlink) {
        const std::string member = "bsdtar -xOf '" + img.string() + "' '" + path + "'";
        const std::string sha = st::command_output(member + " | sha256sum").substr(0, 64);
        const std::uint64_t n = std::stoull(st::command_output(member + " | wc -c"));
        // Expected disagreement: libarchive hands zisofs all-zero blocks over as
        // sparse holes and bsdtar -O drops trailing holes, so its output is a
        // prefix of the file; the rest must be zeros.
        ASSERT_LE(n, a->bytes.size()) << path;
        const auto* b = a->bytes.data();
        EXPECT_EQ(st::sha256_hex(std::vector<std::uint8_t>(b, b + n)), sha) << rel << ": " << path;
        EXPECT_TRUE(std::all_of(b + n, b + a->bytes.size(), [](std::uint8_t c) { return c == 0; }));
        EXPECT_EQ(a->bytes.size(), std::stoull(m[2].str())) << path;
      }
    }
    EXPECT_GE(checked, 2u) << rel;
    EXPECT_FALSE(st::has_finding(r, "iso.zisofs_corrupt")) << rel;
  }
  {
    // A zisofs block pointer table that claims more than the file holds.
    const ScanResult r = st::default_engine().scan(
        st::read_file(root / "images/libarchive/test_read_format_iso_zisofs_overflow.iso"), "o.iso");
    EXPECT_FALSE(r.error);
  }
}
