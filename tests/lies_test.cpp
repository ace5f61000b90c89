// Containers that contradict themselves (issue #21): never "clean" on a lie,
// malicious when the lying container holds an executable. Fixtures:
// tests/fixtures/make_lie_fixtures.sh (real writers + documented byte patches).
#include <gtest/gtest.h>

#include "disk_images.hpp"
#include "scoring/scorer.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using testing::fixture;
using testing::has_finding;
using testing::read_file;

const Finding* finding(const ScanResult& r, std::string_view id) {
  for (const auto& f : r.findings) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

TEST(Lies, ASevenZipFifoEntryCarryingAnExecutableIsReadAsTheFileWindowsExtracts) {
  const ScanResult r = testing::default_engine().scan(read_file(fixture("lies/fifo_entry.7z")), "fifo_entry.7z");
  const Artifact* exe = testing::find_by_type(r, FileType::pe_exe);
  ASSERT_NE(exe, nullptr) << "the FIFO-mode entry's bytes are scanned";
  EXPECT_EQ(exe->display_name(), "invoice.exe");
  EXPECT_TRUE(testing::has_anomaly(*exe, "archive.entry_type_mismatch"));
  const Finding* lie = finding(r, "container.lie_with_executable");
  ASSERT_NE(lie, nullptr);
  EXPECT_EQ(lie->artifact, exe->id);
  EXPECT_EQ(r.verdict, Verdict::malicious) << r.score;
}

TEST(Lies, AZipClaimingFourGibibytesIsNeverCleanAndWithAnExecutableMalicious) {
  const ScanResult r = testing::default_engine().scan(read_file(fixture("lies/size_lie.zip")), "size_lie.zip");
  ASSERT_TRUE(has_finding(r, "zip.size_mismatch"));
  EXPECT_TRUE(has_finding(r, "container.lie_with_executable"));
  EXPECT_EQ(r.verdict, Verdict::malicious) << r.score;
}

// tests/fixtures/make_archive_lie_fixtures.sh: rar 7 around hello.exe, stored;
// the unpacked size patched to claim less or more; the archive cut short.
TEST(Lies, ARarWhoseSizesLieIsMaliciousWithTheExecutableItStillHolds) {
  for (const char* name : {"lies_archive/size_claims_less.rar", "lies_archive/size_claims_more.rar"}) {
    SCOPED_TRACE(name);
    const ScanResult r = testing::default_engine().scan(read_file(fixture(name)), name);
    const Artifact* exe = testing::find_by_type(r, FileType::pe_exe);
    ASSERT_NE(exe, nullptr) << "libarchive reads the stored member by its packed size";
    EXPECT_TRUE(testing::has_anomaly(*exe, "archive.size_mismatch"));
    EXPECT_TRUE(has_finding(r, "container.lie_with_executable"));
    EXPECT_EQ(r.verdict, Verdict::malicious) << r.score;
  }
}

TEST(Lies, ATruncatedRarIsNeverClean) {
  const ScanResult r = testing::default_engine().scan(read_file(fixture("lies_archive/truncated.rar")), "truncated.rar");
  EXPECT_TRUE(has_finding(r, "unpack.error") || has_finding(r, "archive.corrupt"));
  EXPECT_GE(r.verdict, Verdict::suspicious) << r.score;
}

// gcab's cabinet around hello.exe with absurd counts or a lying file size,
// and p7zip's 7z claiming 1 TiB: never clean; malicious when the lie holds
// the executable, or hides a member named as one that it left unread.
TEST(Lies, ArchivesWithAbsurdCountsOrLyingSizesAreNeverClean) {
  struct Case {
    const char* name;
    Verdict verdict;
  };
  for (const Case& c : {Case{"lies_archive/counts_files.cab", Verdict::suspicious},
                        Case{"lies_archive/counts_folders.cab", Verdict::suspicious},
                        Case{"lies_archive/size_claims_more.cab", Verdict::malicious},
                        Case{"lies_archive/size_claims_less.cab", Verdict::malicious},
                        Case{"lies_archive/unpack_size_lie.7z", Verdict::malicious}}) {
    SCOPED_TRACE(c.name);
    const ScanResult r = testing::default_engine().scan(read_file(fixture(c.name)), c.name);
    EXPECT_EQ(r.verdict, c.verdict) << r.score;
    EXPECT_TRUE(has_finding(r, "unpack.error") || has_finding(r, "archive.corrupt") ||
                has_finding(r, "pe.entry_outside_sections"));
    EXPECT_EQ(has_finding(r, "container.lie_with_executable"), c.verdict == Verdict::malicious &&
                                                                  std::string_view(c.name) != "lies_archive/size_claims_less.cab");
  }
}

TEST(Lies, AnEbrLinkBackToTheFirstEbrIsALoopAndAtLeastSuspicious) {
  auto disk = testing::disk::gunzip(read_file(fixture("lies/ebr_loop.img.gz")));
  ASSERT_EQ(disk.size(), 8u << 20);
  const ScanResult r = testing::default_engine().scan(std::move(disk), "ebr_loop.img");
  EXPECT_TRUE(has_finding(r, "mbr.ebr_loop"));
  EXPECT_FALSE(has_finding(r, "container.lie_with_executable")) << "no executable on this disk";
  EXPECT_EQ(r.verdict, Verdict::suspicious) << r.score;
}

TEST(Lies, EveryLieInThePolicyIsAtLeastSuspiciousOnItsOwn) {
  const auto cfg = default_config();
  ASSERT_TRUE(cfg.has_value());
  ASSERT_GE(cfg->policy.lies.size(), 30u);
  for (const auto& id : cfg->policy.lies) {
    std::vector<Finding> fs{Finding{id, Severity::info, 1, "m", {}, 0, std::nullopt}};
    EXPECT_GE(scoring::score(fs, cfg->policy).verdict, Verdict::suspicious) << id;
  }
}

}  // namespace
}  // namespace sluice
