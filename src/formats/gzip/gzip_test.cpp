#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>

#include "core/hash.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using testing::fixture;
using testing::has_finding;
using testing::read_file;

const std::string& hello_sha256() {
  static const std::string h = testing::sha256_hex(read_file(fixture("pe/hello.exe")));
  return h;
}

Engine gzip_engine(const Limits* limits = nullptr) { return testing::engine_only({"gzip"}, limits); }

ScanResult scan_fixture(const std::string& rel) { return gzip_engine().scan(read_file(fixture(rel)), rel); }

TEST(Gzip, PeInsideIsUnpackedTypedAndHashed) {
  const ScanResult r = scan_fixture("gzip/hello.exe.gz");
  ASSERT_EQ(r.tree.size(), 2u);
  const Artifact& pe = r.tree[1];
  EXPECT_EQ(pe.type, FileType::pe_exe);
  EXPECT_EQ(to_hex(pe.hashes.sha256), hello_sha256());
  EXPECT_EQ(pe.names.at(0).view, "derived") << "no FNAME: named as gzip -d would";
  EXPECT_EQ(pe.names.at(0).value, "hello.exe");
  EXPECT_TRUE(has_finding(r, "container.executable"));
  EXPECT_EQ(r.verdict, Verdict::suspicious);
}

TEST(Gzip, StoredNameIsTheChildsName) {
  const ScanResult r = scan_fixture("gzip/named.gz");
  ASSERT_EQ(r.tree.size(), 2u);
  EXPECT_EQ(r.tree[1].names.at(0).view, "gzip");
  EXPECT_EQ(r.tree[1].names.at(0).value, "invoice.scr");
  EXPECT_EQ(r.tree.evidence_path(1), "file \"named.gz\" \u203a \"invoice.scr\"");
}

TEST(Gzip, MembersAreConcatenatedAsGzipDoes) {
  const ScanResult r = scan_fixture("gzip/multi.gz");
  ASSERT_EQ(r.tree.size(), 2u);
  const auto* members = r.tree[0].find_meta("gzip.members");
  ASSERT_NE(members, nullptr);
  EXPECT_EQ(std::get<std::int64_t>(*members), 2);
  // Nothing but the model's word, and that weighs nothing.
  for (const Finding& f : r.findings) {
    EXPECT_EQ(f.id, "model.score");
    EXPECT_EQ(f.severity, Severity::info);
  }
}

TEST(Gzip, NestedGzipIsRecursed) {
  const ScanResult r = scan_fixture("gzip/nested.gz.gz");
  ASSERT_EQ(r.tree.size(), 3u);
  EXPECT_EQ(r.tree[1].type, FileType::gzip);
  EXPECT_EQ(to_hex(r.tree[2].hashes.sha256), hello_sha256());
}

TEST(Gzip, TruncatedStreamKeepsThePrefixAndSaysSo) {
  const ScanResult r = scan_fixture("gzip/truncated.gz");
  ASSERT_EQ(r.tree.size(), 2u);
  EXPECT_TRUE(r.tree[1].truncated);
  EXPECT_EQ(r.tree[1].type, FileType::pe_exe) << "the prefix is still typed";
  EXPECT_TRUE(has_finding(r, "gzip.truncated"));
  EXPECT_TRUE(has_finding(r, "unpack.error"));
  // The prefix is exactly what GNU gzip recovers: the start of hello.exe.
  const auto hello = read_file(fixture("pe/hello.exe"));
  ASSERT_LE(r.tree[1].bytes.size(), hello.size());
  EXPECT_EQ(0, std::memcmp(r.tree[1].bytes.data(), hello.data(), r.tree[1].bytes.size()));
}

TEST(Gzip, TrailingDataIsScannedAsAChild) {
  const ScanResult r = scan_fixture("gzip/trailing.gz");
  ASSERT_EQ(r.tree.size(), 3u);
  EXPECT_TRUE(has_finding(r, "gzip.trailing_data"));
  EXPECT_EQ(r.tree[2].locator, "trailing@5824");
  EXPECT_EQ(r.tree[2].bytes.size(), 64u);
}

TEST(Gzip, LyingTrailerIsReported) {
  auto bytes = read_file(fixture("gzip/hello.exe.gz"));
  auto bad_crc = bytes;
  bad_crc[bad_crc.size() - 8] ^= 0xFF;
  ScanResult r = gzip_engine().scan(std::move(bad_crc), "crc.gz");
  EXPECT_TRUE(has_finding(r, "gzip.crc_mismatch"));
  EXPECT_FALSE(has_finding(r, "gzip.size_mismatch"));
  bytes[bytes.size() - 1] ^= 0x01;
  r = gzip_engine().scan(std::move(bytes), "size.gz");
  EXPECT_TRUE(has_finding(r, "gzip.size_mismatch"));
  EXPECT_FALSE(has_finding(r, "gzip.crc_mismatch"));
}

TEST(Gzip, ZerosAfterTheLastMemberAreNotSuspicious) {
  auto bytes = read_file(fixture("gzip/text.txt.gz"));
  bytes.resize(bytes.size() + 512, 0);
  const ScanResult r = gzip_engine().scan(std::move(bytes), "padded.gz");
  EXPECT_TRUE(has_finding(r, "gzip.trailing_zeros"));
  EXPECT_EQ(r.verdict, Verdict::clean);
  EXPECT_EQ(r.tree.size(), 2u);
}

TEST(Gzip, GarbageHeaderIsAnUnpackError) {
  std::vector<std::uint8_t> bytes{0x1F, 0x8B, 0x08, 0x08, 0, 0, 0, 0, 0, 3, 'n', 'o', 'e', 'n', 'd'};
  const ScanResult r = gzip_engine().scan(std::move(bytes), "h.gz");
  EXPECT_EQ(r.tree.size(), 1u);
  EXPECT_TRUE(has_finding(r, "unpack.error"));
}

// A gzip of `chunks` MiB of zeros, built from one full-flushed deflate block
// repeated: 10 GiB of output from about 10 MB, written by zlib.
std::vector<std::uint8_t> zero_bomb(std::uint64_t chunks) {
  const std::vector<std::uint8_t> zeros(1 << 20, 0);
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::vector<std::uint8_t> block(1 << 16);
  zs.next_in = const_cast<Bytef*>(zeros.data());
  zs.avail_in = static_cast<uInt>(zeros.size());
  zs.next_out = block.data();
  zs.avail_out = static_cast<uInt>(block.size());
  EXPECT_EQ(deflate(&zs, Z_FULL_FLUSH), Z_OK);
  block.resize(block.size() - zs.avail_out);
  std::vector<std::uint8_t> fin(64);
  zs.next_out = fin.data();
  zs.avail_out = static_cast<uInt>(fin.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  fin.resize(fin.size() - zs.avail_out);
  deflateEnd(&zs);

  std::vector<std::uint8_t> out{0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 3};
  out.reserve(out.size() + block.size() * chunks + 64);
  for (std::uint64_t i = 0; i < chunks; ++i) out.insert(out.end(), block.begin(), block.end());
  out.insert(out.end(), fin.begin(), fin.end());
  const uLong chunk_crc = crc32(0, zeros.data(), static_cast<uInt>(zeros.size()));
  uLong crc = 0;
  for (std::uint64_t i = 0; i < chunks; ++i) crc = crc32_combine(crc, chunk_crc, 1 << 20);
  const std::uint64_t size = chunks << 20;
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(crc >> (8 * i)));
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(size >> (8 * i)));
  return out;
}

TEST(Gzip, TenGigabyteBombStopsAtTheLimitWithAFinding) {
  auto bomb = zero_bomb(10 * 1024);
  ASSERT_LT(bomb.size(), 16u << 20);
  const auto engine = gzip_engine();
  const std::uint64_t cap = engine.config().limits.max_artifact_bytes;
  const std::uint64_t encoded = bomb.size();
  const ScanResult r = engine.scan(std::move(bomb), "bomb.gz");
  ASSERT_EQ(r.tree.size(), 2u);
  EXPECT_EQ(r.tree[1].bytes.size(), cap) << "output stops exactly at the limit";
  EXPECT_TRUE(r.tree[1].truncated);
  EXPECT_TRUE(has_finding(r, "limit.exceeded"));
  ASSERT_FALSE(r.tree.limits_hit.empty());
  EXPECT_EQ(r.tree.limits_hit[0].kind, LimitKind::artifact_bytes);
  EXPECT_GE(r.verdict, Verdict::suspicious);
  EXPECT_EQ(r.tree.owned_bytes(), cap + encoded) << "memory: the input plus the capped output";
}

TEST(Gzip, RatioLimitBindsForSmallBombs) {
  Limits l = testing::default_engine().config().limits;
  l.max_ratio = 100;
  l.ratio_floor_bytes = 1 << 20;
  auto bomb = zero_bomb(64);  // 64 MiB from ~64 KiB
  const std::uint64_t encoded = bomb.size();
  const ScanResult r = gzip_engine(&l).scan(std::move(bomb), "ratio.gz");
  ASSERT_FALSE(r.tree.limits_hit.empty());
  EXPECT_EQ(r.tree.limits_hit[0].kind, LimitKind::ratio);
  EXPECT_EQ(r.tree[1].bytes.size(), std::max<std::uint64_t>(encoded * 100, 1 << 20));
}

// A sparse disk image gzipped expands 225 times (73 MB from 325 KB): within
// max_ratio, and within max_scan_ratio's floor, so it is decoded whole.
TEST(Gzip, ASparseDiskImageIsNotABomb) {
  const auto path = testing::corpora() / "images" / "dissect-hypervisor" / "differencing.avhdx.gz";
  if (!std::filesystem::exists(path)) {
    SLUICE_SKIP_UNLESS_CI() << "corpus file missing";
  }
  const ScanResult r = gzip_engine().scan(read_file(path), "differencing.avhdx.gz");
  ASSERT_GE(r.tree.size(), 2u);
  EXPECT_EQ(r.tree[1].bytes.size(), 73400320u);
  EXPECT_TRUE(r.tree.limits_hit.empty());
}

// Oracle: GNU gzip's own output for every gzip file in the shared corpora.
std::optional<std::string> gnu_gzip_sha256(const std::filesystem::path& p, bool& clean_exit) {
  const std::string cmd = "gzip -dc < '" + p.string() + "' 2>/dev/null";
  FILE* f = popen(cmd.c_str(), "r");
  if (f == nullptr) return std::nullopt;
  std::vector<std::uint8_t> out;
  std::uint8_t buf[65536];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  clean_exit = pclose(f) == 0;
  return testing::sha256_hex(out);
}

TEST(Gzip, AgreesWithGnuGzipOverTheCorpora) {
  const auto root = testing::corpora();
  if (root.empty()) SLUICE_SKIP_UNLESS_CI() << "../shared/corpora not present";
  if (std::system("gzip --version >/dev/null 2>&1") != 0) SLUICE_SKIP_UNLESS_CI() << "gzip not installed";
  // Files where the two readers are expected to differ, and why.
  const std::map<std::string, std::string> known = {
      {"corrupt1.gz", "damaged stream: gzip gives up, Sluice keeps the decoded prefix"},
  };
  // Sluice's own limits are not under test here: lift the ratio so the large
  // sparse images (33 MB FAT32 from a few KB) decode whole, as gzip does.
  Limits l = testing::default_engine().config().limits;
  l.max_ratio = 1u << 30;
  l.max_scan_ratio = 1u << 30;
  const auto engine = gzip_engine(&l);
  std::size_t compared = 0;
  std::vector<std::string> disagreements;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    auto bytes = read_file(e.path());
    if (bytes.size() < 3 || bytes[0] != 0x1F || bytes[1] != 0x8B || bytes[2] != 0x08) continue;
    bool clean = false;
    const auto oracle = gnu_gzip_sha256(e.path(), clean);
    const ScanResult r = engine.scan(std::move(bytes), e.path().filename().string());
    ASSERT_GE(r.tree.size(), 1u);
    const std::string ours = r.tree.size() > 1 ? to_hex(r.tree[1].hashes.sha256) : "";
    const std::string name = e.path().filename().string();
    if (!clean || !oracle || *oracle != ours) {
      if (known.count(name)) continue;
      if (!clean && (has_finding(r, "gzip.trailing_data") || has_finding(r, "gzip.truncated") ||
                     has_finding(r, "gzip.corrupt") || has_finding(r, "unpack.error"))) {
        continue;  // gzip complained too; Sluice reported why
      }
      disagreements.push_back(name);
      continue;
    }
    ++compared;
  }
  EXPECT_GE(compared, 15u) << "the corpora hold about 26 gzip files";
  EXPECT_TRUE(disagreements.empty()) << ::testing::PrintToString(disagreements);
}

}  // namespace
}  // namespace sluice
