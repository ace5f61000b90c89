// A 2000 GiB (2.1 TB) GPT disk with a FAT partition at its start and one
// against its backup GPT at the very end, as a dynamic VHDX and a dynamic VHD
// (tests/fixtures/make_sparse_disk_fixtures.sh). Oracles: qemu-img info for
// the virtual size, sfdisk for the partitions, sha256sum of each partition's
// raw bytes, mdir for the files. The point (docs/adr/0009-sparse-disks.md): the
// disk is read at its full size, the payload 2.1 TB in is found, no limit is
// reached, and the tree holds no more memory than the file's data.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "disk_images.hpp"

namespace sluice::testing {
namespace {

struct Oracle {
  std::uint64_t virtual_size = 0;
  std::string front_sha256, back_sha256;
  std::uint64_t back_start_lba = 0;
};

Oracle oracle() {
  std::ifstream in(fixture("listings/sparse_2t.txt"));
  const std::string t{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  Oracle o;
  std::smatch m;
  EXPECT_TRUE(std::regex_search(t, m, std::regex(R"re(virtual size: .*\((\d+) bytes\))re")));
  o.virtual_size = std::stoull(m[1]);
  EXPECT_TRUE(std::regex_search(t, m, std::regex(R"re(### partition front sha256\n([0-9a-f]{64}))re")));
  o.front_sha256 = m[1];
  EXPECT_TRUE(std::regex_search(t, m, std::regex(R"re(### partition back sha256\n([0-9a-f]{64}))re")));
  o.back_sha256 = m[1];
  EXPECT_TRUE(std::regex_search(t, m, std::regex(R"re(raw2 : start=\s*(\d+))re")));
  o.back_start_lba = std::stoull(m[1]);
  return o;
}

const Artifact* partition(const ScanResult& r, std::string_view gpt_name) {
  for (const Artifact& a : r.tree) {
    for (const Name& n : a.names) {
      if (n.view == "gpt-name" && n.value == gpt_name) return &a;
    }
  }
  return nullptr;
}

class SparseDisk : public ::testing::TestWithParam<const char*> {};

TEST_P(SparseDisk, FullSizeViewReachesThePayloadAtTheEnd) {
  const Oracle o = oracle();
  ASSERT_GT(o.virtual_size, 2'000'000'000'000ull);
  const auto file = disk::load(fixture(std::string("vhd/") + GetParam()));
  const ScanResult r = default_engine().scan(ByteView(file.data(), file.size()), GetParam());

  const Artifact& container = r.tree[0];
  ASSERT_EQ(container.children.size(), 1u);
  const Artifact& d = r.tree[container.children[0]];
  EXPECT_EQ(d.type, FileType::gpt);
  EXPECT_EQ(d.bytes.size(), o.virtual_size);
  EXPECT_FALSE(d.truncated);
  // Too large to hash whole; the hash covers its data (sparse.hashed_by_extents).
  EXPECT_TRUE(d.hashed_by_extents);
  EXPECT_LE(disk::meta_int(d, "sparse.present_bytes"), static_cast<std::int64_t>(file.size()));

  const Artifact* front = partition(r, "FRONT");
  const Artifact* back = partition(r, "BACK");
  ASSERT_NE(front, nullptr);
  ASSERT_NE(back, nullptr);
  // Partitions are views into the sparse disk: hashed over their full 8 MiB
  // (holes fed as zeros), equal to sha256sum of the raw partition.
  EXPECT_FALSE(back->hashed_by_extents);
  EXPECT_EQ(to_hex(front->hashes.sha256), o.front_sha256);
  EXPECT_EQ(to_hex(back->hashes.sha256), o.back_sha256);
  EXPECT_EQ(disk::meta_int(*back, "partition.start_lba"), static_cast<std::int64_t>(o.back_start_lba));
  EXPECT_EQ(back->type, FileType::fat);

  const Artifact* hello = disk::find_hello(r);
  ASSERT_NE(hello, nullptr);
  EXPECT_EQ(r.tree[hello->parent].id, back->id);
  EXPECT_TRUE(disk::meta_true(*hello, "fat.hidden"));
  EXPECT_NE(disk::by_name(r, "/README.TXT"), nullptr);

  EXPECT_FALSE(disk::has_anomaly(r, "limit.exceeded"));
  EXPECT_TRUE(r.tree.limits_hit.empty());
  // Memory follows the data: what the tree owns is no more than the file.
  EXPECT_LE(r.tree.owned_bytes(), file.size());
}

INSTANTIATE_TEST_SUITE_P(Vhd, SparseDisk, ::testing::Values("sparse_2t.vhdx.gz", "sparse_2t.vhd.gz"),
                         [](const auto& param_info) {
                           return std::string(param_info.param).find(".vhdx") != std::string::npos ? "vhdx" : "vhd";
                         });

// The shape Windows makes: NTFS across a whole 2000 GiB disk, its backup boot
// sector in the last sector and $MFT 3 GiB in (mkntfs -f, ntfscp, qemu-img).
// Read through The Sleuth Kit over the sparse view; oracle: fls and icat.
TEST(SparseDisk, NtfsAcrossTheWholeDisk) {
  std::ifstream in(fixture("listings/ntfs_2t.txt"));
  const std::string t{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::smatch m;
  ASSERT_TRUE(std::regex_search(t, m, std::regex(R"re(virtual size: .*\((\d+) bytes\))re")));
  const std::uint64_t vsize = std::stoull(m[1]);
  ASSERT_TRUE(std::regex_search(t, m, std::regex(R"re(INVOICE.EXE sha256 \(icat\)\n([0-9a-f]{64}))re")));
  const std::string invoice_sha256 = m[1];
  ASSERT_NE(t.find(":\tINVOICE.EXE\n"), std::string::npos) << "fls lists it";

  const auto file = disk::load(fixture("vhd/ntfs_2t.vhdx.gz"));
  const ScanResult r = default_engine().scan(ByteView(file.data(), file.size()), "ntfs_2t.vhdx");
  const Artifact* ntfs = find_by_type(r, FileType::ntfs);
  ASSERT_NE(ntfs, nullptr);
  EXPECT_EQ(ntfs->bytes.size(), vsize);
  const Artifact* exe = disk::by_name(r, "/INVOICE.EXE");
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(to_hex(exe->hashes.sha256), invoice_sha256);
  EXPECT_EQ(invoice_sha256, disk::hello_sha256());
  EXPECT_FALSE(disk::has_anomaly(r, "limit.exceeded"));
  EXPECT_FALSE(disk::has_anomaly(r, "unpack.error"));
  EXPECT_LE(r.tree.owned_bytes(), file.size());
}

// max_virtual_bytes bounds the address space reserved: a disk past it is cut
// there, and the cut is reported (and hides the payload at the end).
TEST(SparseDisk, LimitBoundsTheAddressSpaceReserved) {
  Limits l = default_config()->limits;
  l.max_virtual_bytes = 1ull << 30;
  const auto file = disk::load(fixture("vhd/sparse_2t.vhdx.gz"));
  const ScanResult r = engine_with(l).scan(ByteView(file.data(), file.size()), "s.vhdx");
  ASSERT_EQ(r.tree[0].children.size(), 1u);
  const Artifact& d = r.tree[r.tree[0].children[0]];
  EXPECT_EQ(d.bytes.size(), l.max_virtual_bytes);
  EXPECT_TRUE(d.truncated);
  bool hit = false;
  for (const LimitHit& h : r.tree.limits_hit) hit |= h.kind == LimitKind::virtual_bytes;
  EXPECT_TRUE(hit);
  EXPECT_NE(partition(r, "FRONT"), nullptr);  // the start of the disk is still read
  EXPECT_EQ(disk::find_hello(r), nullptr);    // the end is past the cut, and says so
}

}  // namespace
}  // namespace sluice::testing
