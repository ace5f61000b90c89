// FAT tests. Oracles: the mdir/mattrib listings made by mtools when the
// fixtures were built (tests/fixtures/listings/*.img.txt), the SHA-256 of the
// payloads copied in (pe/hello.exe, pe/payload.dll), and third-party images
// (rust-fatfs, dosfstools). Corruptions are made by editing real images the
// way the dosfstools test suite describes its cases.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "disk_images.hpp"

namespace sluice::testing {
namespace {

using disk::by_name;
using disk::has_anomaly;

struct Listed {
  std::map<std::string, std::uint64_t> files;  // Windows path -> size
  std::string label;
  std::string serial;
  std::set<std::string> hidden;
};

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

// Reads `mdir -a` output: "NAME     EXT   SIZE DATE TIME  LONG NAME".
Listed parse_mdir(const std::string& text) {
  Listed out;
  std::istringstream in(text);
  std::string line, dir;
  while (std::getline(in, line)) {
    if (line.starts_with(" Volume in drive : is ")) out.label = trim(line.substr(22));
    if (line.starts_with(" Volume Serial Number is ")) out.serial = trim(line.substr(25));
    if (line.starts_with("Directory for ::")) {
      dir = trim(line.substr(16));
      if (dir == "/") dir.clear();
      continue;
    }
    if (line.starts_with("  A") && line.find("::/") != std::string::npos) {
      const std::string attrs = line.substr(0, line.find("::/"));
      if (attrs.find('H') != std::string::npos) out.hidden.insert(line.substr(line.find("::/") + 2));
      continue;
    }
    if (line.size() < 14 || line[0] == ' ' || line[0] == '#' || line[8] != ' ') continue;
    const std::string base = trim(line.substr(0, 8));
    const std::string ext = trim(line.substr(9, 3));
    std::istringstream rest(line.substr(12));
    std::string size, date, time;
    rest >> size >> date >> time;
    if (size == "<DIR>" || base == "." || base == "..") continue;
    std::string longname;
    std::getline(rest, longname);
    longname = trim(longname);
    const std::string name = !longname.empty() ? longname : (ext.empty() ? base : base + "." + ext);
    out.files[dir + "/" + name] = std::stoull(size);
  }
  return out;
}

// What Sluice found: live files directly under the FAT volume artifact.
std::map<std::string, std::uint64_t> live_files(const ScanResult& r) {
  std::map<std::string, std::uint64_t> out;
  for (const auto& a : r.tree) {
    if (a.parent == kNoArtifact || r.tree[a.parent].type != FileType::fat) continue;
    if (disk::meta_true(a, "fat.deleted") || a.names.empty()) continue;
    out[a.names.front().value] = a.bytes.size();
  }
  return out;
}

const Artifact& volume(const ScanResult& r) {
  const Artifact* v = find_by_type(r, FileType::fat);
  EXPECT_NE(v, nullptr);
  return v != nullptr ? *v : r.tree[0];
}

std::string listing(const std::string& name) {
  std::ifstream in(fixture("listings/" + name));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(Fat, ListingsMatchMdir) {
  for (const std::string name : {"sba_loan.img", "deleted.img", "fat32.img"}) {
    SCOPED_TRACE(name);
    const std::string path = name == "fat32.img" ? "fat/fat32.img.gz" : "fat/" + name;
    const ScanResult r = disk::scan(disk::load(fixture(path)), name);
    const Listed want = parse_mdir(listing(name + ".txt"));
    ASSERT_FALSE(want.files.empty());
    EXPECT_EQ(live_files(r), want.files);
    EXPECT_EQ(disk::meta_string(volume(r), "fat.volume_label"), want.label);
    EXPECT_EQ(disk::meta_string(volume(r), "fat.serial"), want.serial);
    EXPECT_TRUE(disk::anomaly_ids(r, "fat.").empty()) << disk::anomaly_ids(r, "fat.").front();
  }
}

TEST(Fat, SbaLoanPayloadsAndNames) {
  const ScanResult r = disk::scan(read_file(fixture("fat/sba_loan.img")), "sba_loan.img");
  const Artifact* exe = by_name(r, "/SBA Loan Application.pdf.exe");
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(exe->type, FileType::pe_exe);
  EXPECT_EQ(disk::sha256_of(exe->bytes), disk::hello_sha256());
  // The victim sees the LFN first; the 8.3 alias rides along.
  ASSERT_EQ(exe->names.size(), 2u);
  EXPECT_EQ(exe->names[0].view, "fat-lfn");
  EXPECT_EQ(exe->names[1].value, "/SBALOA~1.EXE");
  const Artifact* dll = by_name(r, "/loader.dll");
  ASSERT_NE(dll, nullptr);
  EXPECT_EQ(disk::sha256_of(dll->bytes), sha256_hex(read_file(fixture("pe/payload.dll"))));
  // mattrib's oracle: only loader.dll is hidden.
  const Listed want = parse_mdir(listing("sba_loan.img.txt"));
  EXPECT_EQ(want.hidden, std::set<std::string>{"/loader.dll"});
  EXPECT_TRUE(disk::meta_true(*dll, "fat.hidden"));
  EXPECT_FALSE(disk::meta_true(*exe, "fat.hidden"));
  EXPECT_TRUE(disk::meta_true(*exe, "fat.archive"));
  EXPECT_EQ(disk::meta_string(volume(r), "fat.oem_name"), "mkfs.fat");
  EXPECT_EQ(disk::meta_string(volume(r), "fat.type"), "FAT12");
  EXPECT_TRUE(has_finding(r, "container.executable_in_image"));
}

TEST(Fat, DeletedFileRecovered) {
  const ScanResult r = disk::scan(read_file(fixture("fat/deleted.img")), "deleted.img");
  const Artifact* del = by_name(r, "/Deleted Invoice.exe");
  ASSERT_NE(del, nullptr);
  EXPECT_TRUE(disk::meta_true(*del, "fat.deleted"));
  EXPECT_EQ(disk::sha256_of(del->bytes), disk::hello_sha256());
  // The 8.3 name's first byte was overwritten by 0xE5; the LFN checksum
  // restores it (undelete tools do the same).
  ASSERT_GE(del->names.size(), 2u);
  EXPECT_EQ(del->names[1].value, "/DELETE~1.EXE");
  const Artifact* keep = by_name(r, "/KEEP.TXT");
  ASSERT_NE(keep, nullptr);
  EXPECT_FALSE(disk::meta_true(*keep, "fat.deleted"));
}

TEST(Fat, Fat32SubdirectoryAndLfn) {
  const ScanResult r = disk::scan(disk::load(fixture("fat/fat32.img.gz")), "fat32.img");
  EXPECT_EQ(disk::meta_string(volume(r), "fat.type"), "FAT32");
  const Artifact* exe = by_name(r, "/Docs/Invoice 2020.exe");
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(disk::sha256_of(exe->bytes), disk::hello_sha256());
  EXPECT_EQ(exe->names[1].value, "/DOCS/INVOIC~1.EXE");
}

// Find the 32-byte directory entry whose 8.3 name is `name11`.
std::size_t find_entry(const std::vector<std::uint8_t>& img, std::string_view name11) {
  for (std::size_t off = 0; off + 32 <= img.size(); off += 32) {
    if (std::equal(name11.begin(), name11.end(), img.begin() + static_cast<std::ptrdiff_t>(off))) return off;
  }
  ADD_FAILURE() << "no entry " << name11;
  return 0;
}

// Windows drops an LFN whose checksum does not match its 8.3 entry: the victim
// then sees SBALOA~1.EXE, and a scanner trusting the LFN sees another name.
TEST(Fat, LfnChecksumMismatchFallsBackTo83) {
  auto img = read_file(fixture("fat/sba_loan.img"));
  const std::size_t sfn = find_entry(img, "SBALOA~1EXE");
  ASSERT_GE(sfn, 32u);
  // Every LFN entry of the set carries the checksum: change them all alike.
  for (std::size_t at = sfn - 32; at > 0 && img[at + 11] == 0x0F; at -= 32) img[at + 13] ^= 0x5A;
  const ScanResult r = disk::scan(std::move(img), "lfn.img");
  EXPECT_TRUE(has_anomaly(r, "fat.lfn_checksum_mismatch"));
  const Artifact* exe = by_name(r, "/SBALOA~1.EXE");
  ASSERT_NE(exe, nullptr);
  ASSERT_GE(exe->names.size(), 2u);
  EXPECT_EQ(exe->names.back().value, "/SBA Loan Application.pdf.exe");
}

TEST(Fat, TrailingDataAfterVolumeIsScanned) {
  auto img = read_file(fixture("fat/deleted.img"));
  const auto exe = read_file(fixture("pe/hello.exe"));
  img.insert(img.end(), exe.begin(), exe.end());
  const ScanResult r = disk::scan(std::move(img), "trailing.img");
  EXPECT_TRUE(has_anomaly(r, "fat.trailing_data"));
  int hellos = 0;
  for (const auto& a : r.tree) hellos += disk::sha256_of(a.bytes) == disk::hello_sha256();
  EXPECT_GE(hellos, 2);  // the deleted one and the appended one (deduplicated or not)
}

// FAT12 entry `c` set to `v` in both FAT copies of a 160 KiB mkfs.fat image
// (1 reserved sector, 2 FATs of 1 sector each).
void set_fat12(std::vector<std::uint8_t>& img, std::uint32_t c, std::uint16_t v, std::size_t fat_bytes,
               std::size_t fat_off, int copies) {
  for (int k = 0; k < copies; ++k) {
    const std::size_t at = fat_off + static_cast<std::size_t>(k) * fat_bytes + c + c / 2;
    if (c & 1) {
      img[at] = static_cast<std::uint8_t>((img[at] & 0x0F) | ((v << 4) & 0xF0));
      img[at + 1] = static_cast<std::uint8_t>(v >> 4);
    } else {
      img[at] = static_cast<std::uint8_t>(v & 0xFF);
      img[at + 1] = static_cast<std::uint8_t>((img[at + 1] & 0xF0) | ((v >> 8) & 0x0F));
    }
  }
}

std::uint16_t u16(const std::vector<std::uint8_t>& b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
}

// The dosfstools cases (circular chain, chain into another file, chain past
// the end), made on the sba_loan floppy: each must end in its anomaly, fast.
TEST(Fat, CorruptedChainsAreReportedAndBounded) {
  const auto base = read_file(fixture("fat/sba_loan.img"));
  const std::size_t fat_off = static_cast<std::size_t>(u16(base, 14)) * u16(base, 11);
  const std::size_t fat_bytes = static_cast<std::size_t>(u16(base, 22)) * u16(base, 11);
  const std::uint16_t exe_first = u16(base, find_entry(base, "SBALOA~1EXE") + 26);
  const std::uint16_t dll_first = u16(base, find_entry(base, "LOADER  DLL") + 26);
  struct Case {
    std::string id;
    std::uint32_t cluster;
    std::uint16_t value;
  };
  for (const Case& c : {Case{"fat.chain_cycle", exe_first + 2u, exe_first},
                        Case{"fat.cross_linked", dll_first, exe_first},
                        Case{"fat.chain_out_of_range", exe_first, 0xFF0},
                        Case{"fat.chain_short", exe_first + 1u, 0}}) {
    SCOPED_TRACE(c.id);
    auto img = base;
    set_fat12(img, c.cluster, c.value, fat_bytes, fat_off, 2);
    const ScanResult r = disk::scan(std::move(img), "corrupt.img");
    EXPECT_TRUE(has_anomaly(r, c.id));
  }
  // Only one FAT copy edited: the copies disagree.
  auto img = base;
  set_fat12(img, exe_first, 0xFFF, fat_bytes, fat_off, 1);
  EXPECT_TRUE(has_anomaly(disk::scan(std::move(img), "fats.img"), "fat.fats_differ"));
}

// A fragmented file is assembled (owned, charged to the budget) and must still
// hash as hello.exe: move its second cluster far away and relink the chain.
TEST(Fat, FragmentedFileIsAssembled) {
  auto img = read_file(fixture("fat/sba_loan.img"));
  const std::size_t bps = u16(img, 11), spc = img[13], reserved = u16(img, 14), fats = img[16];
  const std::size_t root_bytes = (static_cast<std::size_t>(u16(img, 17)) * 32 + bps - 1) / bps * bps;
  const std::size_t fat_off = reserved * bps, fat_bytes = u16(img, 22) * bps;
  const std::size_t data = fat_off + fats * fat_bytes + root_bytes, cs = bps * spc;
  const std::uint16_t f = u16(img, find_entry(img, "SBALOA~1EXE") + 26);
  const std::uint16_t far = 2000;
  auto at = [&](std::size_t c) { return data + (c - 2) * cs; };
  std::copy_n(img.begin() + static_cast<std::ptrdiff_t>(at(f + 1u)), cs, img.begin() + static_cast<std::ptrdiff_t>(at(far)));
  std::fill_n(img.begin() + static_cast<std::ptrdiff_t>(at(f + 1u)), cs, 0xCC);
  set_fat12(img, f, far, fat_bytes, fat_off, 2);
  set_fat12(img, far, static_cast<std::uint16_t>(f + 2), fat_bytes, fat_off, 2);
  set_fat12(img, f + 1u, 0, fat_bytes, fat_off, 2);
  const ScanResult r = disk::scan(std::move(img), "frag.img");
  const Artifact* exe = by_name(r, "/SBA Loan Application.pdf.exe");
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(disk::sha256_of(exe->bytes), disk::hello_sha256());
  EXPECT_EQ(disk::meta_int(*exe, "fat.fragments"), 3);
  EXPECT_TRUE(disk::anomaly_ids(r, "fat.").empty());
}

// Many files aimed at one chain (cross-links) must not cost files x clusters.
TEST(Fat, ManyCrossLinkedFilesAreReportedOnce) {
  auto img = disk::load(fixture("fat/fat32.img.gz"));
  const std::size_t readme = find_entry(img, "README  TXT");
  // Fill the rest of the root cluster with copies of README claiming 4 GiB.
  int copies = 0;
  for (std::size_t at = readme + 32; at + 32 <= readme - (readme % 512) + 512 * 1 && copies < 200; at += 32) {
    std::copy_n(img.begin() + static_cast<std::ptrdiff_t>(readme), 32, img.begin() + static_cast<std::ptrdiff_t>(at));
    img[at] = static_cast<std::uint8_t>('A' + copies % 26);
    img[at + 1] = static_cast<std::uint8_t>('A' + copies / 26);
    for (int k = 28; k < 32; ++k) img[at + k] = 0xFF;
    ++copies;
  }
  ASSERT_GT(copies, 3);
  const ScanResult r = disk::scan(std::move(img), "many.img");
  EXPECT_TRUE(has_anomaly(r, "fat.cross_linked"));
}

// A directory whose entry points back at its parent must not loop.
TEST(Fat, DirectoryLoopIsBounded) {
  auto img = disk::load(fixture("fat/fat32.img.gz"));
  const std::size_t docs = find_entry(img, "DOCS       ");
  // Make README.TXT a directory sharing DOCS's clusters.
  const std::size_t readme = find_entry(img, "README  TXT");
  img[readme + 11] = 0x10;
  for (int k : {20, 21, 26, 27}) img[readme + k] = img[docs + k];
  const ScanResult r = disk::scan(std::move(img), "loop.img");
  EXPECT_TRUE(has_anomaly(r, "fat.directory_loop"));
  EXPECT_NE(by_name(r, "/Docs/Invoice 2020.exe"), nullptr);
}

TEST(Fat, RustFatfsImages) {
  const auto dir = corpora();
  if (dir.empty()) SLUICE_SKIP_UNLESS_CI() << "../shared/corpora absent";
  // rust-fatfs's own tests (tests/read.rs) read these paths from both images.
  for (const std::string name : {"fat12.img", "fat16.img"}) {
    SCOPED_TRACE(name);
    const ScanResult r = disk::scan(read_file(dir / "images/rust-fatfs" / name), name);
    const Artifact* s = by_name(r, "/short.txt");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(std::string(s->bytes.chars()), "Rust is cool!\n");  // TEST_STR in rust-fatfs tests/read.rs
    EXPECT_NE(by_name(r, "/very/long/path/test.txt"), nullptr);
    EXPECT_NE(by_name(r, "/very-long-dir-name/very-long-file-name.txt"), nullptr);
    const Artifact* l = by_name(r, "/long.txt");
    ASSERT_NE(l, nullptr);
    EXPECT_EQ(l->bytes.size(), 14000u);  // "Rust is cool!\n" * 1000
    EXPECT_TRUE(disk::anomaly_ids(r, "fat.").empty());
  }
}

// The dosfstools dumps are fsck.fat's *repaired* images (their FSCK0000.REC
// files are the recovered chains): a sound reader finds no chain damage left.
// Decoded in memory up to their last non-zero byte, so `fat.truncated` is the
// one anomaly expected (the 1 GiB sparse tail is not materialised).
TEST(Fat, DosfstoolsImagesNoCrashAndRepairedChainsClean) {
  const auto dir = corpora();
  if (dir.empty()) SLUICE_SKIP_UNLESS_CI() << "../shared/corpora absent";
  int scanned = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir / "images/dosfstools/xxd")) {
    if (e.path().extension() != ".xxd") continue;
    SCOPED_TRACE(e.path().filename().string());
    std::ifstream in(e.path());
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    auto img = disk::xxd_decode(text, true);
    const ScanResult r = disk::scan(std::move(img), e.path().filename().string());
    for (const auto& id : disk::anomaly_ids(r, "fat.")) {
      EXPECT_TRUE(id == "fat.truncated" || id == "fat.chain_past_end") << id;
    }
    ++scanned;
  }
  for (const auto& e : std::filesystem::directory_iterator(dir / "images/dosfstools")) {
    if (!e.is_regular_file()) continue;
    SCOPED_TRACE(e.path().filename().string());
    const ScanResult r = disk::scan(disk::load(e.path()), e.path().filename().string());
    EXPECT_NE(find_by_type(r, FileType::fat), nullptr);
    ++scanned;
  }
  EXPECT_GE(scanned, 49);
}

}  // namespace
}  // namespace sluice::testing
