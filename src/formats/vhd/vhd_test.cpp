// VHD tests. Oracles: `qemu-img info` listings of the fixtures (virtual size,
// cluster size), the FAT + pe/hello.exe inside them, Windows-made VHDs from
// dissect.hypervisor (MBR + NTFS), dfvfs/sleuthkit images, and The Sleuth
// Kit's DFXML (image_dd.xml) whose byte runs and SHA-1s locate files in the
// assembled disk.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "disk_images.hpp"

namespace sluice::testing {
namespace {

using disk::has_anomaly;

std::int64_t qemu_virtual_size(const std::string& listing) {
  std::ifstream in(fixture("listings/" + listing));
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(R"re(virtual size: .*\((\d+) bytes\))re"))) return -1;
  return std::stoll(m[1]);
}

TEST(Vhd, FixturesReachFatAndPayload) {
  for (const std::string name : {"fixed.vhd", "dynamic.vhd"}) {
    SCOPED_TRACE(name);
    const ScanResult r = disk::scan(disk::load(fixture("vhd/" + name + ".gz")), name);
    const Artifact* vhd = find_by_type(r, FileType::vhd);
    ASSERT_NE(vhd, nullptr);
    EXPECT_EQ(disk::meta_int(*vhd, "vhd.virtual_size"), qemu_virtual_size(name + ".txt"));
    EXPECT_EQ(disk::meta_string(*vhd, "vhd.disk_type"), name == "fixed.vhd" ? "fixed" : "dynamic");
    if (name == "dynamic.vhd") {
      EXPECT_EQ(disk::meta_int(*vhd, "vhd.block_size"), 2097152);  // qemu-img's cluster_size
    }
    const Artifact* fat = find_by_type(r, FileType::fat);
    ASSERT_NE(fat, nullptr);
    EXPECT_EQ(disk::meta_string(*fat, "fat.volume_label"), "VHDFAT");
    const Artifact* exe = disk::find_hello(r);
    ASSERT_NE(exe, nullptr);
    EXPECT_EQ(exe->names.front().value, "/INVOICE.EXE");
    EXPECT_TRUE(disk::anomaly_ids(r, "vhd.").empty());
  }
}

TEST(Vhd, FixedDiskIsAView) {
  auto bytes = disk::load(fixture("vhd/fixed.vhd.gz"));
  const ScanResult r = disk::scan(std::move(bytes), "fixed.vhd");
  const Artifact& root = r.tree[0];
  ASSERT_EQ(root.children.size(), 1u);
  const Artifact& d = r.tree[root.children[0]];
  EXPECT_EQ(d.bytes.data(), root.bytes.data());  // zero-copy: same bytes
  EXPECT_EQ(d.bytes.size(), root.bytes.size() - 512);
}

TEST(Vhd, DamageIsReported) {
  const auto base = disk::load(fixture("vhd/dynamic.vhd.gz"));
  {  // footer checksum
    auto img = base;
    img[img.size() - 512 + 64] ^= 0x01;
    EXPECT_TRUE(has_anomaly(disk::scan(std::move(img), "d.vhd"), "vhd.checksum_mismatch"));
  }
  {  // footer copy differs from the end footer (another disk size)
    auto img = base;
    img[48] ^= 0x40;
    EXPECT_TRUE(has_anomaly(disk::scan(std::move(img), "d.vhd"), "vhd.footer_mismatch"));
  }
  {  // end footer gone: the copy at offset 0 still opens the disk
    auto img = base;
    img.resize(img.size() - 512);
    const ScanResult r = disk::scan(std::move(img), "d.vhd");
    EXPECT_TRUE(has_anomaly(r, "vhd.footer_missing"));
    EXPECT_NE(disk::find_hello(r), nullptr);
  }
}

// The disk keeps its full virtual size (a sparse view, docs/adr/0009), but the
// block data copied into it is decoded data like any other and stops at the
// budget, which is reported.
TEST(Vhd, BlockCopyIsBoundedByTheBudget) {
  Limits l = default_config()->limits;
  l.max_artifact_bytes = 256 * 1024;
  const ScanResult r = engine_with(l).scan(disk::load(fixture("vhd/dynamic.vhd.gz")), "d.vhd");
  EXPECT_TRUE(has_anomaly(r, "limit.exceeded"));
  const Artifact* v = find_by_type(r, FileType::vhd);
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(v->children.size(), 1u);
  const Artifact& d = r.tree[v->children[0]];
  EXPECT_TRUE(d.truncated);
  EXPECT_EQ(static_cast<std::int64_t>(d.bytes.size()), disk::meta_int(*v, "vhd.virtual_size"));
  EXPECT_GT(disk::meta_int(d, "sparse.present_bytes"), 0);
  EXPECT_LE(disk::meta_int(d, "sparse.present_bytes"), static_cast<std::int64_t>(l.max_artifact_bytes));
}

TEST(Vhd, DissectHypervisorReachesNtfs) {
  const auto dir = corpora();
  if (dir.empty()) SLUICE_SKIP_UNLESS_CI() << "../shared/corpora absent";
  for (const std::string name : {"fixed.vhd.gz", "dynamic.vhd.gz"}) {
    SCOPED_TRACE(name);
    const ScanResult r = disk::scan(disk::load(dir / "images/dissect-hypervisor" / name), name);
    const Artifact* mbr = find_by_type(r, FileType::mbr);
    ASSERT_NE(mbr, nullptr);
    const Artifact* ntfs = find_by_type(r, FileType::ntfs);
    ASSERT_NE(ntfs, nullptr);
    EXPECT_EQ(r.tree[ntfs->parent].type, FileType::mbr);
    EXPECT_EQ(ntfs->locator, "partition[1]");
    EXPECT_TRUE(disk::anomaly_ids(r, "vhd.").empty());
  }
}

// dfvfs: image.vhd and image-differential.vhd carry a footer checksum that
// does not match (stored 0xfffff683, computed otherwise: checked by hand with
// the spec's byte sum); the differential images' parents are not provided.
TEST(Vhd, DfvfsAndSleuthkitImages) {
  const auto dir = corpora();
  if (dir.empty()) SLUICE_SKIP_UNLESS_CI() << "../shared/corpora absent";
  struct Case {
    std::string path;
    std::vector<std::string> expect;
  };
  for (const Case& c : {Case{"dfvfs/image.vhd", {"vhd.checksum_mismatch"}},
                        Case{"dfvfs/image-differential.vhd", {"vhd.checksum_mismatch", "vhd.parent_missing"}},
                        Case{"dfvfs/fat-differential.vhd", {"vhd.parent_missing"}},
                        Case{"dfvfs/ext2.vhd", {}},
                        Case{"sleuthkit/image.vhd", {}}}) {
    SCOPED_TRACE(c.path);
    const ScanResult r = disk::scan(read_file(dir / "images" / c.path), c.path);
    auto got = disk::anomaly_ids(r, "vhd.");
    std::sort(got.begin(), got.end());
    got.erase(std::unique(got.begin(), got.end()), got.end());
    EXPECT_EQ(got, c.expect);
    ASSERT_EQ(r.tree[0].children.size(), 1u);
  }
}

// The Sleuth Kit's DFXML lists each file's byte run in the raw disk and its
// SHA-1: those bytes of our assembled disk must hash the same.
TEST(Vhd, SleuthkitDfxmlByteRuns) {
  const auto dir = corpora();
  if (dir.empty()) SLUICE_SKIP_UNLESS_CI() << "../shared/corpora absent";
  std::ifstream in(dir / "images/sleuthkit/image_dd.xml");
  const std::string xml{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const ScanResult r = disk::scan(read_file(dir / "images/sleuthkit/image.vhd"), "image.vhd");
  ASSERT_EQ(r.tree[0].children.size(), 1u);
  const ByteView disk_bytes = r.tree[r.tree[0].children[0]].bytes;
  const std::regex run(
      R"re(<byte_runs facet='data'>\s*<byte_run file_offset='0' fs_offset='\d+' img_offset='(\d+)' len='(\d+)'/>\s*</byte_runs>\s*<hashdigest type='md5'>[0-9a-f]+</hashdigest>\s*<hashdigest type='sha1'>([0-9a-f]+)</hashdigest>)re");
  int checked = 0;
  for (auto it = std::sregex_iterator(xml.begin(), xml.end(), run); it != std::sregex_iterator(); ++it) {
    const auto off = std::stoull((*it)[1]);
    const auto len = std::stoull((*it)[2]);
    auto part = disk_bytes.subview(off, len);
    ASSERT_TRUE(part.has_value()) << off;
    EXPECT_EQ(disk::sha1_of(*part), (*it)[3].str()) << "at " << off;
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

}  // namespace
}  // namespace sluice::testing
