// VHDX log replay ([MS-VHDX] §2.3). Oracles: qemu, the writer of the log in
// tests/fixtures/make_vhdx_log_fixtures.sh, which also replays it (qemu-img
// check -r all) and gives INVOICE.EXE's SHA-256 on the replayed disk and on
// the stored one (listings/log_pending.vhdx.txt). Hostile logs are built here
// entry by entry, following the spec, to reach the checks one at a time.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>

#include "disk_images.hpp"
#include "formats/vhdx/crc32c.hpp"
#include "formats/vhdx/log.hpp"

namespace sluice::testing {
namespace {

using disk::has_anomaly;
namespace vx = formats::vhdx;

constexpr std::size_t kSector = 4096;
constexpr std::size_t kMiB = 1 << 20;

void put_le(std::vector<std::uint8_t>& b, std::size_t at, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint64_t get_le(const std::vector<std::uint8_t>& b, std::size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | b[at + i];
  return v;
}

std::string listing() {
  std::ifstream in(fixture("listings/log_pending.vhdx.txt"));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
std::string listed_hash(const std::string& heading) {
  const std::string l = listing();
  const auto at = l.find("### " + heading + "\n");
  if (at == std::string::npos) return "<" + heading + " missing>";
  return l.substr(at + heading.size() + 5, 64);
}
int listed_count(const std::string& pattern) {
  const std::string l = listing();
  const std::regex re(pattern);
  return static_cast<int>(
      std::distance(std::sregex_iterator(l.begin(), l.end(), re), std::sregex_iterator()));
}

// The locator of the vhdx child ("disk", "disk@stored") under which each
// INVOICE.EXE sits, with the SHA-256 of its bytes.
std::map<std::string, std::string> invoices(const ScanResult& r) {
  std::map<std::string, std::string> out;
  for (const Artifact& a : r.tree) {
    if (a.names.empty() || !a.names.front().value.ends_with("INVOICE.EXE")) continue;
    ArtifactId id = a.id;
    while (r.tree[id].parent != kNoArtifact && r.tree[r.tree[id].parent].type != FileType::vhdx) {
      id = r.tree[id].parent;
    }
    out[r.tree[id].locator] = disk::sha256_of(a.bytes);
  }
  return out;
}

const Artifact& vhdx_node(const ScanResult& r) {
  const Artifact* v = find_by_type(r, FileType::vhdx);
  EXPECT_NE(v, nullptr);
  return v != nullptr ? *v : r.tree[0];
}

std::vector<std::string> child_locators(const ScanResult& r) {
  std::vector<std::string> out;
  for (ArtifactId c : vhdx_node(r).children) out.push_back(r.tree[c].locator);
  return out;
}

// The current header of a fixture (the higher sequence number; both valid).
std::size_t current_header(const std::vector<std::uint8_t>& img) {
  return get_le(img, 64 * 1024 + 8, 8) >= get_le(img, 128 * 1024 + 8, 8) ? 64 * 1024 : 128 * 1024;
}
void reseal(std::vector<std::uint8_t>& img, std::size_t at, std::size_t len, std::size_t field) {
  put_le(img, at + field, 0, 4);
  put_le(img, at + field, vx::crc32c_skip(ByteView(img.data() + at, len), field), 4);
}

TEST(VhdxLog, PendingFixtureMatchesQemuReplay) {
  const ScanResult r = disk::scan(disk::load(fixture("vhd/log_pending.vhdx.gz")), "log_pending.vhdx");
  EXPECT_TRUE(has_anomaly(r, "vhdx.log_pending"));
  EXPECT_TRUE(has_anomaly(r, "vhdx.log_replayed"));
  EXPECT_TRUE(has_anomaly(r, "vhdx.log_changes_disk"));
  EXPECT_FALSE(has_anomaly(r, "vhdx.log_invalid"));
  EXPECT_FALSE(has_anomaly(r, "limit.exceeded"));
  const Artifact& v = vhdx_node(r);
  EXPECT_EQ(disk::meta_int(v, "vhdx.log_entries"), listed_count(R"(entry seq \d+)"));
  EXPECT_EQ(disk::meta_int(v, "vhdx.log_descriptors"), listed_count(R"(  (desc|zero) -> )"));
  EXPECT_EQ(child_locators(r), (std::vector<std::string>{"disk", "disk@stored"}));
  const auto inv = invoices(r);
  ASSERT_EQ(inv.count("disk"), 1u);
  ASSERT_EQ(inv.count("disk@stored"), 1u);
  // qemu's replayed disk is the oracle for the mounted view; it is hello.exe.
  EXPECT_EQ(inv.at("disk"), listed_hash("sha256 INVOICE.EXE replayed (qemu)"));
  EXPECT_EQ(inv.at("disk"), disk::hello_sha256());
  // Without the log, block 1 is absent: the file's tail reads as zeros.
  EXPECT_EQ(inv.at("disk@stored"), listed_hash("sha256 INVOICE.EXE stored (block 1 absent)"));
  EXPECT_NE(inv.at("disk@stored"), inv.at("disk"));
  // Every file of the mounted view against qemu's replayed disk (mcopy).
  const std::string l = listing();
  const std::regex line(R"(([0-9a-f]{64})  ([A-Z]+\.[A-Z]+))");
  int compared = 0;
  for (auto it = std::sregex_iterator(l.begin(), l.end(), line); it != std::sregex_iterator(); ++it) {
    const std::string name = (*it)[2];
    bool found = false;
    for (const Artifact& a : r.tree) {
      if (a.names.empty() || !a.names.front().value.ends_with("/" + name)) continue;
      if (r.tree[a.parent].locator != "disk") continue;  // the FAT of the mounted view
      EXPECT_EQ(disk::sha256_of(a.bytes), (*it)[1].str()) << name;
      found = true;
    }
    EXPECT_TRUE(found) << name;
    ++compared;
  }
  EXPECT_EQ(compared, 3);
}

// qemu applied its log and cleared LogGuid; the entry is still in the log
// region. A zero LogGuid means no log: nothing is replayed.
TEST(VhdxLog, AppliedLogIsNotReplayed) {
  const ScanResult r = disk::scan(disk::load(fixture("vhd/log_applied.vhdx.gz")), "log_applied.vhdx");
  EXPECT_TRUE(disk::anomaly_ids(r, "vhdx.").empty()) << disk::anomaly_ids(r, "vhdx.").front();
  EXPECT_EQ(child_locators(r), std::vector<std::string>{"disk"});
  EXPECT_EQ(invoices(r).at("disk"), disk::hello_sha256());
}

// The same file with the LogGuid set again: the entry replays onto sectors
// that already hold its data, so the disk does not change and there is one view.
TEST(VhdxLog, ReplayThatChangesNothingKeepsOneView) {
  auto img = disk::load(fixture("vhd/log_applied.vhdx.gz"));
  const std::size_t h = current_header(img);
  const std::size_t log = get_le(img, h + 72, 8);
  std::copy(img.begin() + log + 32, img.begin() + log + 48, img.begin() + h + 48);  // entry's LogGuid
  reseal(img, h, kSector, 4);
  const ScanResult r = disk::scan(std::move(img), "relog.vhdx");
  EXPECT_TRUE(has_anomaly(r, "vhdx.log_replayed"));
  EXPECT_FALSE(has_anomaly(r, "vhdx.log_changes_disk"));
  EXPECT_FALSE(has_anomaly(r, "vhdx.log_invalid"));
  EXPECT_EQ(child_locators(r), std::vector<std::string>{"disk"});
  EXPECT_EQ(invoices(r).at("disk"), disk::hello_sha256());
}

// A damaged entry: no active sequence, the log is ignored (§2.3.3) and the
// stored disk is what is scanned, with a finding.
TEST(VhdxLog, DamagedEntryIsIgnoredAndReported) {
  const auto base = disk::load(fixture("vhd/log_pending.vhdx.gz"));
  const std::size_t log = get_le(base, current_header(base) + 72, 8);
  for (std::size_t at : {log + 100,              // inside the header sector: CRC fails
                         log + kSector + 4}) {   // the data sector's SequenceHigh
    SCOPED_TRACE(at);
    auto img = base;
    img[at] ^= 0x01;
    const ScanResult r = disk::scan(std::move(img), "bad.vhdx");
    EXPECT_TRUE(has_anomaly(r, "vhdx.log_pending"));
    EXPECT_TRUE(has_anomaly(r, "vhdx.log_invalid"));
    EXPECT_FALSE(has_anomaly(r, "vhdx.log_replayed"));
    EXPECT_EQ(child_locators(r), std::vector<std::string>{"disk"});
    EXPECT_EQ(invoices(r).at("disk"), listed_hash("sha256 INVOICE.EXE stored (block 1 absent)"));
  }
}

TEST(VhdxLog, MisplacedLogIsIgnoredAndReported) {
  auto img = disk::load(fixture("vhd/log_pending.vhdx.gz"));
  const std::size_t h = current_header(img);
  put_le(img, h + 72, 1ull << 40, 8);  // LogOffset 1 TiB: past the end
  reseal(img, h, kSector, 4);
  const ScanResult r = disk::scan(std::move(img), "far.vhdx");
  EXPECT_TRUE(has_anomaly(r, "vhdx.log_invalid"));
  EXPECT_EQ(child_locators(r), std::vector<std::string>{"disk"});
}

// The fuzz seeds (made by the fixture script from qemu's entry): as written,
// and wrapped around the end of the log. Both replay the same BAT sector.
TEST(VhdxLog, SeedsHoldQemusEntryPlainAndWrapped) {
  const auto seed_dir = fixture("../../fuzz/seeds/vhdx_log");
  std::vector<std::vector<std::uint8_t>> images;
  for (const char* name : {"qemu_entry.log", "wrapped.log"}) {
    SCOPED_TRACE(name);
    const auto log = read_file(seed_dir / name);
    ASSERT_EQ(log.size(), 2 * kSector);
    vx::Guid g{};
    const std::size_t header = std::string_view(name) == "wrapped.log" ? kSector : 0;
    std::copy_n(log.begin() + static_cast<std::ptrdiff_t>(header + 32), 16, g.begin());
    const auto s = vx::scan_log(ByteView(log.data(), log.size()), g);
    ASSERT_EQ(s.active.size(), 1u) << s.why_none;
    EXPECT_EQ(s.active[0].offset, header);
    ASSERT_EQ(s.active[0].descriptors.size(), 1u);
    std::vector<std::uint8_t> image(vx::replayed_size(0, s.active), 0);
    EXPECT_EQ(vx::replay_log(ByteView(log.data(), log.size()), s.active, image, UINT64_MAX).descriptors, 1u);
    images.push_back(std::move(image));
  }
  EXPECT_EQ(images[0], images[1]);
}

// ---- hand-built logs, straight into scan_log / replay_log ----------------

constexpr vx::Guid kGuid{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

struct Desc {
  bool zero;
  std::uint64_t file_offset;
  std::uint64_t zero_length = 0;
  std::uint8_t fill = 0;  // "desc": the 4 KiB sector restored, all this byte
  std::vector<std::uint8_t> bytes = {};  // "desc": or these 4096 bytes
};

// One entry per §2.3.1, as contiguous bytes (the caller places it, possibly
// across the end of the log).
std::vector<std::uint8_t> entry(std::uint64_t seq, std::uint32_t tail, const std::vector<Desc>& descs,
                                const vx::Guid& guid = kGuid) {
  const std::size_t desc_sectors = (descs.size() + 2 + 127) / 128;
  std::size_t data = 0;
  for (const auto& d : descs) data += d.zero ? 0 : 1;
  std::vector<std::uint8_t> e((desc_sectors + data) * kSector, 0);
  std::copy_n("loge", 4, e.begin());
  put_le(e, 8, e.size(), 4);
  put_le(e, 12, tail, 4);
  put_le(e, 16, seq, 8);
  put_le(e, 24, descs.size(), 4);
  std::copy(guid.begin(), guid.end(), e.begin() + 32);
  put_le(e, 48, 0, 8);
  put_le(e, 56, 0, 8);
  std::size_t next_data = desc_sectors * kSector;
  for (std::size_t i = 0; i < descs.size(); ++i) {
    const std::size_t at = 64 + 32 * i;
    const Desc& d = descs[i];
    std::copy_n(d.zero ? "zero" : "desc", 4, e.begin() + static_cast<std::ptrdiff_t>(at));
    if (d.zero) {
      put_le(e, at + 8, d.zero_length, 8);
    } else {
      std::vector<std::uint8_t> sector = d.bytes;
      if (sector.empty()) sector.assign(kSector, d.fill);
      // TrailingBytes and LeadingBytes: the sector's last 4 and first 8.
      std::copy_n(sector.begin() + kSector - 4, 4, e.begin() + static_cast<std::ptrdiff_t>(at + 4));
      std::copy_n(sector.begin(), 8, e.begin() + static_cast<std::ptrdiff_t>(at + 8));
      std::copy_n("data", 4, e.begin() + static_cast<std::ptrdiff_t>(next_data));
      put_le(e, next_data + 4, seq >> 32, 4);
      std::copy_n(sector.begin() + 8, 4084, e.begin() + static_cast<std::ptrdiff_t>(next_data + 8));
      put_le(e, next_data + 4092, seq & 0xFFFFFFFFu, 4);
      next_data += kSector;
    }
    put_le(e, at + 16, d.file_offset, 8);
    put_le(e, at + 24, seq, 8);
  }
  reseal(e, 0, e.size(), 4);
  return e;
}

void place(std::vector<std::uint8_t>& log, std::size_t at, const std::vector<std::uint8_t>& e) {
  for (std::size_t i = 0; i < e.size(); ++i) log[(at + i) % log.size()] = e[i];
}

std::vector<std::uint64_t> sequences(const vx::LogScan& s) {
  std::vector<std::uint64_t> out;
  for (const auto& e : s.active) out.push_back(e.sequence);
  return out;
}

ByteView view(const std::vector<std::uint8_t>& b) { return {b.data(), b.size()}; }

TEST(VhdxLog, EntryWrapsAroundTheEndOfTheLog) {
  std::vector<std::uint8_t> log(kMiB, 0);
  // Header sector is the log's last sector; its data sector is the first.
  place(log, kMiB - kSector, entry(7, kMiB - kSector, {{false, 2 * kSector, 0, 0xAB}}));
  const auto s = vx::scan_log(view(log), kGuid);
  ASSERT_EQ(sequences(s), std::vector<std::uint64_t>{7}) << s.why_none;
  std::vector<std::uint8_t> image(4 * kSector, 0x11);
  EXPECT_EQ(vx::replayed_size(image.size(), s.active), image.size());
  const auto st = vx::replay_log(view(log), s.active, image, UINT64_MAX);
  EXPECT_EQ(st.descriptors, 1u);
  EXPECT_FALSE(st.clipped);
  EXPECT_EQ(std::count(image.begin() + 2 * kSector, image.begin() + 3 * kSector, 0xAB), 4096);
  EXPECT_EQ(std::count(image.begin(), image.end(), 0x11), 3 * 4096);
}

TEST(VhdxLog, ActiveSequenceIsTheHighestCompleteOne) {
  std::vector<std::uint8_t> log(kMiB, 0);
  place(log, 0, entry(5, 0, {}));                                 // an older sequence
  place(log, 8 * kSector, entry(9, 8 * kSector, {{false, 0, 0, 1}}));
  place(log, 10 * kSector, entry(10, 8 * kSector, {{true, 0, 2 * kSector}}));
  // The highest sequence number, 12, names a tail (20 sectors in) that holds
  // no entry: incomplete, so 9..10 (from the tail 10 names) is active.
  place(log, 30 * kSector, entry(12, 20 * kSector, {}));
  auto s = vx::scan_log(view(log), kGuid);
  EXPECT_EQ(sequences(s), (std::vector<std::uint64_t>{9, 10})) << s.why_none;
  EXPECT_EQ(s.valid_entries, 4u);
  // 11 right after 10 with itself as tail: a complete sequence of one, higher.
  place(log, 11 * kSector, entry(11, 11 * kSector, {}));
  s = vx::scan_log(view(log), kGuid);
  EXPECT_EQ(sequences(s), std::vector<std::uint64_t>{11});
  // 11 with tail 8: 9, 10, 11 in a row.
  place(log, 11 * kSector, entry(11, 8 * kSector, {}));
  s = vx::scan_log(view(log), kGuid);
  EXPECT_EQ(sequences(s), (std::vector<std::uint64_t>{9, 10, 11}));
  // Replay order: the data sector, then the zero descriptor over it.
  std::vector<std::uint8_t> image(4 * kSector, 0x22);
  const auto st = vx::replay_log(view(log), s.active, image, UINT64_MAX);
  EXPECT_EQ(st.descriptors, 2u);
  EXPECT_EQ(std::count(image.begin(), image.begin() + 2 * kSector, 0), 2 * 4096);
}

TEST(VhdxLog, EntriesThatBreakTheSpecAreNotValid) {
  const auto check_invalid = [](const std::vector<std::uint8_t>& e, const vx::Guid& g = kGuid) {
    std::vector<std::uint8_t> log(kMiB, 0);
    place(log, 0, e);
    const auto s = vx::scan_log(view(log), g);
    EXPECT_TRUE(s.active.empty());
    EXPECT_EQ(s.valid_entries, 0u);
    EXPECT_FALSE(s.why_none.empty());
  };
  auto good = entry(3, 0, {{false, 0, 0, 7}});
  {  // another LogGuid than the header's
    vx::Guid other = kGuid;
    other[0] ^= 1;
    check_invalid(good, other);
  }
  {  // descriptor sequence number differs from the entry's
    auto e = good;
    put_le(e, 64 + 24, 4, 8);
    reseal(e, 0, e.size(), 4);
    check_invalid(e);
  }
  {  // data sector's SequenceLow differs
    auto e = good;
    put_le(e, kSector + 4092, 4, 4);
    reseal(e, 0, e.size(), 4);
    check_invalid(e);
  }
  {  // FileOffset not 4 KiB aligned
    auto e = good;
    put_le(e, 64 + 16, 100, 8);
    reseal(e, 0, e.size(), 4);
    check_invalid(e);
  }
  {  // more descriptors than the entry has room for (2^32 - 1)
    auto e = good;
    put_le(e, 24, 0xFFFFFFFFu, 4);
    reseal(e, 0, e.size(), 4);
    check_invalid(e);
  }
  {  // EntryLength larger than the log, or not whole sectors
    for (std::uint64_t len : {std::uint64_t{2 * kMiB}, std::uint64_t{5000}, std::uint64_t{0}}) {
      auto e = good;
      put_le(e, 8, len, 4);
      reseal(e, 0, e.size(), 4);
      check_invalid(e);
    }
  }
  {  // sequence number 0
    check_invalid(entry(0, 0, {}));
  }
}

// Every sector a valid entry: 1..128 chained from sector 0, then decoys with
// higher sequence numbers whose tail is also sector 0. Each decoy within reach
// walks the 128 entries from its tail before failing; the step cap (4 per
// sector) ends the search instead of 57 x 128 steps, and says so.
TEST(VhdxLog, SearchWorkIsBounded) {
  std::vector<std::uint8_t> log(kMiB, 0);
  for (std::uint64_t i = 0; i < 128; ++i) place(log, i * kSector, entry(i + 1, 0, {}));
  for (std::uint64_t i = 128; i < 256; ++i) place(log, i * kSector, entry(i + 72, 0, {}));
  const auto s = vx::scan_log(view(log), kGuid);
  EXPECT_EQ(s.valid_entries, 256u);
  EXPECT_TRUE(s.active.empty());
  EXPECT_NE(s.why_none.find("stopped"), std::string::npos) << s.why_none;
}

// ---- hand-built logs in a qemu-made VHDX: what the log can hide ------------

// log_applied.vhdx (clean: hello.exe is INVOICE.EXE, at the start of block 1)
// with its log region replaced by `entries` and the header's LogGuid set.
std::vector<std::uint8_t> with_log(std::vector<std::uint8_t> img,
                                   const std::vector<std::vector<std::uint8_t>>& entries) {
  const std::size_t h = current_header(img);
  const std::size_t log = get_le(img, h + 72, 8);
  std::fill_n(img.begin() + static_cast<std::ptrdiff_t>(log), kMiB, 0);
  std::size_t at = 0;
  for (const auto& e : entries) {
    std::copy(e.begin(), e.end(), img.begin() + static_cast<std::ptrdiff_t>(log + at));
    at += e.size();
  }
  std::copy(kGuid.begin(), kGuid.end(), img.begin() + static_cast<std::ptrdiff_t>(h + 48));
  reseal(img, h, kSector, 4);
  return img;
}

// File offset of a region (BAT 2DC27766..., metadata 8B7CA206...) from region table 1.
std::size_t region(const std::vector<std::uint8_t>& img, std::uint8_t first_guid_byte) {
  for (std::size_t e = 192 * 1024 + 16; e < 192 * 1024 + 16 + 4 * 32; e += 32) {
    if (img[e] == first_guid_byte) return get_le(img, e + 16, 8);
  }
  ADD_FAILURE() << "region not found";
  return 0;
}

// The payload parked in the log: the stored file's first sector of INVOICE.EXE
// is zeros; only the replayed disk holds hello.exe. Payload-level change.
TEST(VhdxLog, PayloadSectorOnlyInTheLog) {
  auto img = disk::load(fixture("vhd/log_applied.vhdx.gz"));
  const std::size_t block1 = get_le(img, region(img, 0x66) + 8, 8) >> 20 << 20;  // BAT entry 1
  std::vector<std::uint8_t> first(img.begin() + static_cast<std::ptrdiff_t>(block1),
                                  img.begin() + static_cast<std::ptrdiff_t>(block1 + kSector));
  std::fill_n(img.begin() + static_cast<std::ptrdiff_t>(block1), kSector, 0);
  img = with_log(std::move(img), {entry(1, 0, {{false, block1, 0, 0, first}})});
  const ScanResult r = disk::scan(std::move(img), "parked.vhdx");
  EXPECT_TRUE(has_anomaly(r, "vhdx.log_changes_disk"));
  EXPECT_EQ(child_locators(r), (std::vector<std::string>{"disk", "disk@stored"}));
  const auto inv = invoices(r);
  EXPECT_EQ(inv.at("disk"), disk::hello_sha256());
  EXPECT_NE(inv.at("disk@stored"), disk::hello_sha256());
  bool says_payload = false;
  for (const auto& a : vhdx_node(r).anomalies) {
    if (a.id == "vhdx.log_changes_disk") {
      says_payload = a.message.find("payload sectors") != std::string::npos;
    }
  }
  EXPECT_TRUE(says_payload);
}

// The stored metadata table is wiped and only the log restores it: without
// the log the file does not parse at all, with it Windows mounts the FAT.
TEST(VhdxLog, MetadataOnlyInTheLog) {
  auto img = disk::load(fixture("vhd/log_applied.vhdx.gz"));
  const std::size_t md = region(img, 0x06);
  std::vector<std::uint8_t> table(img.begin() + static_cast<std::ptrdiff_t>(md),
                                  img.begin() + static_cast<std::ptrdiff_t>(md + kSector));
  std::fill_n(img.begin() + static_cast<std::ptrdiff_t>(md), kSector, 0);
  {  // without a log: an error, no disk
    const ScanResult r = disk::scan(img, "nometa.vhdx");
    EXPECT_TRUE(child_locators(r).empty());
  }
  // Two entries in one sequence (tail 0): a zero descriptor, then the data.
  img = with_log(std::move(img), {entry(41, 0, {{true, md, kSector}}),
                                  entry(42, 0, {{false, md, 0, 0, table}})});
  const ScanResult r = disk::scan(std::move(img), "meta.vhdx");
  EXPECT_TRUE(has_anomaly(r, "vhdx.log_replayed"));
  EXPECT_TRUE(has_anomaly(r, "vhdx.log_changes_disk"));
  EXPECT_EQ(disk::meta_int(vhdx_node(r), "vhdx.log_entries"), 2);
  EXPECT_EQ(child_locators(r), std::vector<std::string>{"disk"});
  EXPECT_EQ(invoices(r).at("disk"), disk::hello_sha256());
}

// FlushedFileOffset past the end: the file was cut after the log was
// written. qemu refuses it; we report it and still replay.
TEST(VhdxLog, FlushedFileOffsetPastTheEnd) {
  auto img = disk::load(fixture("vhd/log_pending.vhdx.gz"));
  const std::size_t log = get_le(img, current_header(img) + 72, 8);
  put_le(img, log + 48, img.size() + kMiB, 8);
  reseal(img, log, get_le(img, log + 8, 4), 4);
  const ScanResult r = disk::scan(std::move(img), "cut.vhdx");
  EXPECT_TRUE(has_anomaly(r, "vhdx.log_invalid"));
  EXPECT_TRUE(has_anomaly(r, "vhdx.log_replayed"));
  EXPECT_EQ(invoices(r).at("disk"), disk::hello_sha256());
}

// Every sector claims an entry as long as the whole log: validating each
// costs a CRC over the log, so after four logs' worth the search stops.
TEST(VhdxLog, CrcWorkIsBounded) {
  std::vector<std::uint8_t> log(kMiB, 0);
  for (std::uint64_t i = 0; i < 256; ++i) {
    auto e = entry(i + 1, 0, {});
    put_le(e, 8, kMiB, 4);  // EntryLength: the whole log (the CRC no longer matches)
    place(log, i * kSector, e);
  }
  const auto s = vx::scan_log(view(log), kGuid);
  EXPECT_EQ(s.valid_entries, 0u);
  EXPECT_NE(s.why_none.find("stopped"), std::string::npos) << s.why_none;
}

// Zero descriptors of 1 TiB each: the file "grows" to 1 TiB (the caller's
// budget cuts that) and the writes stop at the cap.
TEST(VhdxLog, ZeroDescriptorBombIsCapped) {
  std::vector<Desc> descs(126, Desc{true, 0, 1ull << 40});
  std::vector<std::uint8_t> log(kMiB, 0);
  place(log, 0, entry(1, 0, descs));
  const auto s = vx::scan_log(view(log), kGuid);
  ASSERT_EQ(s.active.size(), 1u) << s.why_none;
  EXPECT_EQ(vx::replayed_size(kMiB, s.active), (1ull << 40));
  std::vector<std::uint8_t> image(kMiB, 0x33);
  const auto st = vx::replay_log(view(log), s.active, image, 3 * kMiB);
  EXPECT_TRUE(st.clipped);
  EXPECT_LE(st.written, 3 * kMiB);
  EXPECT_EQ(std::count(image.begin(), image.end(), 0), static_cast<std::ptrdiff_t>(kMiB));

  // Through the engine: the fixture's log replaced by the bomb. The replay is
  // cut by the budget (a limit finding), and nothing crashes.
  auto img = disk::load(fixture("vhd/log_pending.vhdx.gz"));
  const std::size_t h = current_header(img);
  const std::size_t at = get_le(img, h + 72, 8);
  vx::Guid g{};
  std::copy(img.begin() + h + 48, img.begin() + h + 64, g.begin());
  std::fill(img.begin() + at, img.begin() + at + kMiB, 0);
  const auto bomb = entry(1, 0, descs, g);
  std::copy(bomb.begin(), bomb.end(), img.begin() + at);
  Limits l = default_config()->limits;
  l.max_artifact_bytes = 32ull << 20;  // the cut, kept small: a Debug build fills it
  const ScanResult r = engine_with(l).scan(std::move(img), "bomb.vhdx");
  EXPECT_TRUE(has_anomaly(r, "vhdx.log_replayed"));
  EXPECT_TRUE(has_anomaly(r, "limit.exceeded"));
  // The zeros wiped the file identifier: no mountable image after replay.
  EXPECT_TRUE(has_anomaly(r, "vhdx.log_invalid"));
}

}  // namespace
}  // namespace sluice::testing
