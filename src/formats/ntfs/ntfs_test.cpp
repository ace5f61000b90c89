// NTFS / exFAT through The Sleuth Kit. Oracles: tests/fixtures/listings/{ntfs,exfat}.img.txt
// (fls -r -p, fsstat and icat of the fixtures), the SHA-256 of pe/hello.exe, and fsstat
// of the real Windows-made NTFS volumes in ../shared/corpora/images/dissect-hypervisor.
#include <gtest/gtest.h>

#include <cstring>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "formats/ntfs/parser.hpp"
#include "formats/ntfs/tsk_api.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using testing::fixture;
using testing::has_finding;
using testing::read_file;

// The raw volume out of its .gz, decoded by the project's gzip unpacker.
std::vector<std::uint8_t> volume(const std::string& rel) {
  const ScanResult r = testing::engine_only({"gzip"}).scan(read_file(fixture(rel)), rel);
  EXPECT_EQ(r.tree.size(), 2u);
  if (r.tree.size() < 2) return {};
  const ByteView b = r.tree[1].bytes;
  return {b.data(), b.data() + b.size()};
}

ScanResult scan_volume(const std::string& rel, const Limits* limits = nullptr) {
  return testing::engine_only({"ntfs"}, limits).scan(volume(rel), rel);
}

std::string meta_string(const Artifact& a, std::string_view key) {
  const MetaValue* v = a.find_meta(key);
  if (v == nullptr || !std::holds_alternative<std::string>(*v)) return {};
  return std::get<std::string>(*v);
}

const Artifact* by_name(const ScanResult& r, std::string_view view, std::string_view name) {
  for (const Artifact& a : r.tree) {
    if (!a.names.empty() && a.names[0].view == view && a.names[0].value == name) return &a;
  }
  return nullptr;
}

std::size_t count_anomaly(const ScanResult& r, std::string_view id) {
  std::size_t n = 0;
  for (const Artifact& a : r.tree) {
    for (const Anomaly& an : a.anomalies) n += an.id == id ? 1 : 0;
  }
  return n;
}

// fls listing of user files ("/name" → TSK address) and icat hashes ("/name" → sha256).
struct Oracle {
  std::set<std::string> user_files;
  std::map<std::string, std::string> sha256;
  std::map<std::string, std::string> fsstat;
};

Oracle read_oracle(const std::string& rel) {
  Oracle o;
  std::ifstream in(fixture(rel));
  std::string line;
  std::string section;
  while (std::getline(in, line)) {
    if (line.starts_with("# ")) {
      section = line.substr(2, 6);
      continue;
    }
    const auto tab = line.find('\t');
    if (section == "fls -r") {
      if (tab == std::string::npos) continue;
      const std::string name = line.substr(tab + 1);
      // TSK's own metadata ($MFT, $OrphanFiles, exFAT's label entry) is not content.
      if (line.starts_with("r/r ") && !name.starts_with("$") && !name.ends_with("(Volume Label Entry)")) {
        o.user_files.insert("/" + name);
      }
    } else if (section == "sha256") {
      if (tab != std::string::npos) o.sha256["/" + line.substr(tab + 1)] = line.substr(0, tab);
    } else if (section == "fsstat") {
      const auto colon = line.find(": ");
      if (colon != std::string::npos) o.fsstat[line.substr(0, colon)] = line.substr(colon + 2);
    }
  }
  return o;
}

bool hit_deadline(const ScanResult& r) {
  for (const LimitHit& h : r.tree.limits_hit) {
    if (h.kind == LimitKind::deadline) return true;
  }
  return false;
}

// The Sleuth Kit is opened on first use (docs/adr/0030): every function the
// unpacker calls is in the library the build found.
TEST(Ntfs, TheSleuthKitLoadsWithEveryFunctionTheUnpackerCalls) {
  auto tsk = formats::ntfs::TskApi::load(core::LibrarySearch::files);
  ASSERT_TRUE(tsk) << tsk.error().what;
  EXPECT_NE((*tsk)->fs_attr_read, nullptr);
  EXPECT_NE((*tsk)->error_set_errstr, nullptr);
}

TEST(Ntfs, FilesAndStreamsMatchFlsAndIcat) {
  const Oracle o = read_oracle("listings/ntfs.img.txt");
  ASSERT_EQ(o.user_files.size(), 4u) << "oracle listing unreadable";
  const ScanResult r = scan_volume("ntfs/ntfs.img.gz");
  ASSERT_GE(r.tree.size(), 1u);
  EXPECT_EQ(r.tree[0].type, FileType::ntfs);
  std::set<std::string> seen;
  for (const Artifact& a : r.tree) {
    if (a.names.empty() || a.names[0].view != "ntfs") continue;
    seen.insert(a.names[0].value);
    auto it = o.sha256.find(a.names[0].value);
    ASSERT_NE(it, o.sha256.end()) << a.names[0].value;
    EXPECT_EQ(to_hex(a.hashes.sha256), it->second) << a.names[0].value;
    EXPECT_FALSE(a.truncated) << a.names[0].value;
  }
  EXPECT_EQ(seen, o.user_files);
}

TEST(Ntfs, ExecutableIsHelloExeByteForByte) {
  const ScanResult r = testing::default_engine().scan(read_file(fixture("ntfs/ntfs.img.gz")), "ntfs.img.gz");
  const Artifact* exe = by_name(r, "ntfs", "/hello.exe");
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(exe->type, FileType::pe_exe);
  EXPECT_EQ(to_hex(exe->hashes.sha256), testing::sha256_hex(read_file(fixture("pe/hello.exe"))));
  EXPECT_TRUE(has_finding(r, "container.executable_in_image"));
  EXPECT_NE(r.verdict, Verdict::clean);
}

TEST(Ntfs, VolumeLabelAndSerialMatchFsstat) {
  const Oracle o = read_oracle("listings/ntfs.img.txt");
  const ScanResult r = scan_volume("ntfs/ntfs.img.gz");
  EXPECT_EQ(meta_string(r.tree[0], "ntfs.volume_label"), o.fsstat.at("Volume Name"));
  EXPECT_EQ(meta_string(r.tree[0], "ntfs.serial"), o.fsstat.at("Volume Serial Number"));
}

TEST(Ntfs, NamedStreamIsAnAnomalyButMarkOfTheWebIsMeta) {
  const ScanResult r = scan_volume("ntfs/ntfs.img.gz");
  const Artifact* exe = by_name(r, "ntfs", "/hello.exe");
  ASSERT_NE(exe, nullptr);
  // One stream hides data ("secret.txt"); Zone.Identifier is provenance.
  EXPECT_EQ(count_anomaly(r, "ntfs.alternate_data_stream"), 1u);
  ASSERT_EQ(exe->anomalies.size(), 1u);
  EXPECT_EQ(exe->anomalies[0].id, "ntfs.alternate_data_stream");
  EXPECT_NE(exe->anomalies[0].message.find("secret.txt"), std::string::npos);
  const MetaValue* zone = exe->find_meta("ntfs.zone_id");
  ASSERT_NE(zone, nullptr);
  EXPECT_EQ(std::get<std::int64_t>(*zone), 3);
  const Artifact* stream = by_name(r, "ntfs", "/hello.exe:secret.txt");
  ASSERT_NE(stream, nullptr);
  EXPECT_EQ(stream->bytes.chars(), "hello from a stream\n");
}

TEST(Ntfs, HiddenAttributeIsReportedOnlyWhereSet) {
  const ScanResult r = scan_volume("ntfs/ntfs.img.gz");
  EXPECT_EQ(count_anomaly(r, "ntfs.hidden_file"), 1u);
  const Artifact* notes = by_name(r, "ntfs", "/notes.txt");
  ASSERT_NE(notes, nullptr);
  ASSERT_NE(notes->find_meta("ntfs.hidden"), nullptr);
  EXPECT_EQ(notes->bytes.chars(), "hidden notes\n");
  EXPECT_EQ(by_name(r, "ntfs", "/hello.exe")->find_meta("ntfs.hidden"), nullptr);
}

TEST(Ntfs, ExfatLabelAndSerialMatchFsstatAndNoMetadataFilesLeak) {
  const Oracle o = read_oracle("listings/exfat.img.txt");
  const ScanResult r = scan_volume("ntfs/exfat.img.gz");
  ASSERT_GE(r.tree.size(), 1u);
  EXPECT_EQ(r.tree[0].type, FileType::exfat);
  EXPECT_EQ(meta_string(r.tree[0], "exfat.volume_label"),
            o.fsstat.at("Volume Label (from root directory)"));
  EXPECT_EQ(meta_string(r.tree[0], "exfat.serial"), o.fsstat.at("Volume Serial Number"));
  // fls lists only the label entry, $ALLOC_BITMAP, $UPCASE_TABLE and TSK's virtual files.
  EXPECT_TRUE(o.user_files.empty());
  EXPECT_EQ(r.tree.size(), 1u) << "an empty volume has no children";
  EXPECT_TRUE(r.tree[0].anomalies.empty());
}

TEST(Ntfs, ExfatFilesMatchFlsAndIcat) {
  // exfat_files.img: files written by the exfat-fuse driver (make_ntfs_fixtures.sh),
  // one in a subdirectory; fls/icat are the oracle for paths and bytes.
  const Oracle o = read_oracle("listings/exfat_files.img.txt");
  ASSERT_EQ(o.user_files.size(), 3u) << "oracle listing unreadable";
  const ScanResult r = scan_volume("ntfs/exfat_files.img.gz");
  ASSERT_GE(r.tree.size(), 1u);
  EXPECT_EQ(r.tree[0].type, FileType::exfat);
  EXPECT_EQ(meta_string(r.tree[0], "exfat.serial"), o.fsstat.at("Volume Serial Number"));
  std::set<std::string> seen;
  for (const Artifact& a : r.tree) {
    if (a.id == 0 || a.names.empty()) continue;
    seen.insert(a.names[0].value);
    auto it = o.sha256.find(a.names[0].value);
    ASSERT_NE(it, o.sha256.end()) << a.names[0].value;
    EXPECT_EQ(to_hex(a.hashes.sha256), it->second) << a.names[0].value;
  }
  EXPECT_EQ(seen, o.user_files);
  const ScanResult full = testing::default_engine().scan(read_file(fixture("ntfs/exfat_files.img.gz")), "x.img.gz");
  EXPECT_TRUE(has_finding(full, "container.executable_in_image"));
  EXPECT_TRUE(has_finding(full, "name.double_extension"));
}

TEST(Ntfs, CutVolumeIsUnreadableNotClean) {
  std::vector<std::uint8_t> v = volume("ntfs/ntfs.img.gz");
  v.resize(64 * 1024);  // boot sector survives, the MFT does not
  const ScanResult r = testing::engine_only({"ntfs"}).scan(std::move(v), "cut.img");
  EXPECT_EQ(r.tree[0].type, FileType::ntfs);
  EXPECT_TRUE(has_finding(r, "ntfs.unreadable"));
  EXPECT_TRUE(has_finding(r, "unpack.error"));
}

TEST(Ntfs, DecodeAllowanceCutsOwnedReadsAndIsReported) {
  Limits limits;
  limits.max_artifact_bytes = 8;  // resident files are decoded; hello.exe is a view
  const ScanResult r = scan_volume("ntfs/ntfs.img.gz", &limits);
  const Artifact* notes = by_name(r, "ntfs", "/notes.txt");
  ASSERT_NE(notes, nullptr);
  EXPECT_LE(notes->bytes.size(), 8u);
  EXPECT_TRUE(notes->truncated);
  EXPECT_TRUE(has_finding(r, "limit.exceeded"));
  const Artifact* exe = by_name(r, "ntfs", "/hello.exe");
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(exe->bytes.size(), 14848u) << "contiguous file is a zero-copy view";
}

TEST(Ntfs, ChildLimitStopsTheWalk) {
  Limits limits;
  limits.max_children = 1;
  const ScanResult r = scan_volume("ntfs/ntfs.img.gz", &limits);
  EXPECT_EQ(r.tree[0].children.size(), 1u);
  EXPECT_TRUE(has_finding(r, "limit.exceeded"));
}

// Damaged copies of the fixture: every byte class of the MFT and boot sector in
// turn. TSK must fail or list something, never crash or hang.
TEST(Ntfs, CorruptedVolumesEndInAnomaliesNotCrashes) {
  const std::vector<std::uint8_t> base = volume("ntfs/ntfs.img.gz");
  ASSERT_FALSE(base.empty());
  std::uint64_t state = 0x5A1CE;
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  };
  const auto mft = static_cast<std::size_t>(4 * 4096);  // mkntfs puts $MFT at cluster 4 on 8 MiB
  for (int round = 0; round < 40; ++round) {
    std::vector<std::uint8_t> v = base;
    for (int k = 0; k < 8; ++k) {
      const std::size_t at = round % 4 == 0 ? next() % 512 : mft + next() % (80 * 1024);
      if (at < v.size()) v[at] = static_cast<std::uint8_t>(next());
    }
    // No wall clock here: a hang would show as the engine's own deadline limit.
    const ScanResult r = testing::engine_only({"ntfs"}).scan(std::move(v), "mutated.img");
    EXPECT_FALSE(hit_deadline(r)) << "round " << round;
    EXPECT_GE(r.tree.size(), 1u);
  }
}

// A live file whose $DATA run list is absurd (issue #21): it never vanishes
// from the scan without a word. The record is found by the file's UTF-16 name
// in its $FILE_NAME attribute; only bytes outside the fixup slots change.
TEST(Ntfs, AbsurdRunListNeverHidesAFileSilently) {
  auto vol = volume("ntfs/ntfs.img.gz");
  ASSERT_FALSE(vol.empty());
  const std::u16string want = u"hello.exe";
  std::size_t patched = 0;
  for (std::size_t rec = 0; rec + 1024 <= vol.size(); rec += 1024) {
    if (std::memcmp(&vol[rec], "FILE", 4) != 0) continue;
    auto u16 = [&](std::size_t at) { return static_cast<std::size_t>(vol[at] | (vol[at + 1] << 8)); };
    auto u32 = [&](std::size_t at) { return u16(at) | (u16(at + 2) << 16); };
    bool named = false;
    std::size_t data = 0;
    for (std::size_t a = rec + u16(rec + 0x14); a + 16 < rec + 1024;) {
      const std::size_t type = u32(a), len = u32(a + 4);
      if (type == 0xFFFFFFFF || len < 16 || a + len > rec + 1024) break;
      if (type == 0x30 && vol[a + 8] == 0) {
        const std::size_t v = a + u16(a + 0x14);
        const std::size_t n = vol[v + 0x40];
        if (n == want.size()) {
          named = true;
          for (std::size_t i = 0; i < n; ++i) named = named && u16(v + 0x42 + 2 * i) == want[i];
        }
      }
      if (type == 0x80 && vol[a + 8] == 1 && vol[a + 9] == 0) data = a;
      a += len;
    }
    if (!named || data == 0) continue;
    // One run of 2^40 clusters starting 2^40 clusters in: header 0x66 (six
    // length bytes, six offset bytes), away from the fixups at 510 and 1022.
    const std::size_t runs = data + u16(data + 0x20);
    ASSERT_LT((runs - rec) % 512 + 13, 510u);
    vol[runs] = 0x66;
    for (int i = 1; i <= 12; ++i) vol[runs + i] = (i == 6 || i == 12) ? 0x01 : 0x00;
    vol[runs + 13] = 0;
    ++patched;
  }
  ASSERT_EQ(patched, 1u) << "hello.exe's non-resident $DATA not found";
  const ScanResult r = testing::engine_only({"ntfs"}).scan(std::move(vol), "absurd_runs.img");
  // TSK 4.11 drops the file (its record's attributes do not load): the walk
  // names it instead. Were TSK to list it, the read would fail and say so.
  if (by_name(r, "ntfs", "/hello.exe") == nullptr) {
    EXPECT_EQ(count_anomaly(r, "ntfs.record_unreadable"), 1u);
  } else {
    EXPECT_GE(count_anomaly(r, "ntfs.read_error"), 1u);
  }
  EXPECT_NE(r.verdict, Verdict::clean);
}

TEST(Ntfs, ParserHelpers) {
  const std::uint8_t label[] = {'N', 0, 'e', 0, 'w', 0, 0x3D, 0xD8, 0x00, 0xDE, 0x00, 0xD8};
  EXPECT_EQ(formats::ntfs::utf16le_to_utf8(ByteView(label, sizeof label)),
            "New\xF0\x9F\x98\x80\xEF\xBF\xBD");
  const std::string zone = "[ZoneTransfer]\r\nZoneId=3\r\n";
  EXPECT_EQ(formats::ntfs::zone_id(ByteView(reinterpret_cast<const std::uint8_t*>(zone.data()), zone.size())), 3);
  EXPECT_FALSE(formats::ntfs::zone_id(ByteView{}).has_value());
  const std::uint8_t si[36] = {};
  EXPECT_TRUE(formats::ntfs::dos_flags(ByteView(si, sizeof si)).has_value());
  EXPECT_FALSE(formats::ntfs::dos_flags(ByteView(si, 35)).has_value());
}

// Real Windows-made NTFS (VHD/VHDX → MBR → partition). Oracle: fsstat of each
// volume (label "New Volume", serials below); fls lists only Windows' metadata, so
// there are no user files. Known disagreement: fls also shows
// $OrphanFiles/OrphanFile-33 (a deleted record with no parent directory); the
// walk skips orphans (TSK_FS_DIR_WALK_FLAG_NOORPHAN, see README.md).
TEST(Ntfs, WindowsMadeVolumesInCorpora) {
  const auto root = testing::corpora();
  if (root.empty() || !std::filesystem::exists(root / "images/dissect-hypervisor")) {
    SLUICE_SKIP_UNLESS_CI() << "../shared/corpora/images/dissect-hypervisor is absent";
  }
  const std::map<std::string, std::string> serials = {
      {"fixed.vhd.gz", "A08877EB8877BE7A"},
      {"dynamic.vhd.gz", "0896723096721E7E"},
      {"dynamic.vhdx.gz", "66908AAF908A84F1"},
      {"fixed.vhdx.gz", "4A00A08500A07A19"},
  };
  int volumes = 0;
  for (const auto& e : std::filesystem::directory_iterator(root / "images/dissect-hypervisor")) {
    const std::string name = e.path().filename().string();
    const ScanResult r = testing::default_engine().scan(read_file(e.path()), name);
    EXPECT_FALSE(hit_deadline(r)) << name;
    const Artifact* vol = testing::find_by_type(r, FileType::ntfs);
    auto it = serials.find(name);
    if (it == serials.end()) {
      // differencing.avhdx.gz: its parent disk is missing, so no volume is reachable.
      EXPECT_EQ(vol, nullptr) << name;
      continue;
    }
    ASSERT_NE(vol, nullptr) << name;
    ++volumes;
    EXPECT_EQ(meta_string(*vol, "ntfs.volume_label"), "New Volume") << name;
    EXPECT_EQ(meta_string(*vol, "ntfs.serial"), it->second) << name;
    EXPECT_TRUE(vol->children.empty()) << name << ": fls lists no user files";
    EXPECT_FALSE(has_finding(r, "ntfs.hidden_file")) << name << ": $Extend metadata leaked";
    EXPECT_FALSE(has_finding(r, "ntfs.unreadable")) << name;
  }
  EXPECT_EQ(volumes, 4);
}

}  // namespace
}  // namespace sluice
