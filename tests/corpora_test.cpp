// Every file of the shared third-party corpora, scanned as a user would: no
// crash, a result for each, and the legitimate mail judged clean. The
// exceptions are listed by name with the reason, never skipped silently.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;

TEST(Corpora, HamIsClean) {
  const auto root = testing::corpora();
  if (root.empty()) SLUICE_SKIP_UNLESS_CI() << "../shared/corpora not present";
  // Parser test fixtures that are malformed on purpose; Sluice calling them
  // suspicious is the point of those files.
  const std::map<std::string, std::string> expected_suspicious = {
      {"multi-bad.msg.eml", "two different Content-Type headers (mime.conflicting_header)"},
      {"multiple_content_types.eml", "ruby-mail error_emails: two Content-Type headers"},
      {"raw_email4.eml", "a delimiter line that runs on, no closing boundary, a part without headers"},
      {"test-pass-08.msg.eml", "SpamAssassin DKIM vector with three Content-Type headers"},
  };
  const auto engine = testing::default_engine();
  std::size_t scanned = 0, corpus_ham = 0;
  std::vector<std::string> unexpected;
  for (const auto& e : fs::recursive_directory_iterator(root / "ham")) {
    if (!e.is_regular_file()) continue;
    const std::string name = e.path().filename().string();
    const ScanResult r = engine.scan(testing::read_file(e.path()), name);
    ++scanned;
    const bool sa_ham = e.path().string().find("spamassassin-corpus") != std::string::npos;
    corpus_ham += sa_ham;
    if (r.verdict == Verdict::clean) continue;
    if (!sa_ham && expected_suspicious.count(name)) continue;
    std::string why;
    for (const auto& f : r.findings) why += " " + f.id;
    unexpected.push_back(e.path().lexically_relative(root).string() + " →" + why);
  }
  EXPECT_GE(scanned, 3000u);
  EXPECT_GE(corpus_ham, 2700u) << "SpamAssassin easy-ham-1 + hard-ham-1";
  EXPECT_TRUE(unexpected.empty()) << unexpected.size() << " ham messages not clean:\n"
                                  << ::testing::PrintToString(unexpected);
}

TEST(Corpora, EveryFileScansWithoutErrorOrHang) {
  const auto root = testing::corpora();
  if (root.empty()) SLUICE_SKIP_UNLESS_CI() << "../shared/corpora not present";
  const auto engine = testing::default_engine();
  std::size_t files = 0;
  std::map<std::string, std::size_t> verdicts;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    const ScanResult r = engine.scan(testing::read_file(e.path()), e.path().filename().string());
    ASSERT_FALSE(r.error.has_value()) << e.path();
    ASSERT_FALSE(r.tree.empty());
    ++verdicts[std::string(to_string(r.verdict))];
    ++files;
  }
  EXPECT_GE(files, 5000u);
  std::printf("corpora: %zu files; clean %zu, suspicious %zu, malicious %zu\n", files, verdicts["clean"],
              verdicts["suspicious"], verdicts["malicious"]);
}

}  // namespace
}  // namespace sluice
