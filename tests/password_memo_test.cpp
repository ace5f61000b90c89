// The engine's memory of password searches that opened nothing
// (core/search_memo.hpp, docs/adr/0038): a campaign's second copy of an
// encrypted archive is reported exactly as the first, without a search; any
// change to what the search reads is a search of its own.
#include <gtest/gtest.h>

#include <string>

#include "core/dynamic_library.hpp"
#include "core/search_memo.hpp"
#include "deferred_libraries.hpp"
#include "engine/engine_factory.hpp"
#include "sluice/report.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

// The JSON report without its timing.
std::string report_of(const ScanResult& r) {
  std::string json = report::to_json(r, false);
  const auto at = json.find(",\"elapsed_ms\":");
  if (at != std::string::npos) json.erase(at, json.find_first_of(",}", at + 1) - at);
  return json;
}

ByteView view(const std::vector<std::uint8_t>& b) { return ByteView(b.data(), b.size()); }

Engine fresh_engine() {
  auto e = Engine::create(Config{});
  EXPECT_TRUE(e.has_value());
  return std::move(*e);
}

struct Copy {
  const char* fixture;
  // Outside a sandbox libarchive reads RAR 5 in a forked process of its own;
  // the search still runs in the scan's (ADR 0038).
  bool sandboxed;
};

class SecondCopy : public ::testing::TestWithParam<Copy> {};

TEST_P(SecondCopy, IsReportedAsTheFirstFromMemory) {
  const Copy c = GetParam();
  const Engine engine = fresh_engine();
  const core::SearchMemo& memo = EngineFactory::search_memo(engine);
  const std::vector<std::uint8_t> mail = testing::read_file(testing::fixture(std::string("campaigns/") + c.fixture));
  ScanOptions opts;
  opts.sandboxed = c.sandboxed;
  // A sandboxed scan opens no file: libarchive is mapped beforehand, as
  // WorkerPool maps it before its first fork.
  const Result<core::DynamicLibrary> archive = core::DynamicLibrary::open(deferred::k_archive);
  ASSERT_TRUE(archive.has_value()) << archive.error().what;

  const ScanResult first = engine.scan(view(mail), c.fixture, opts);
  ASSERT_TRUE(testing::has_finding(first, "archive.encrypted_unopened")) << report_of(first);
  EXPECT_EQ(memo.size(), 1u);
  EXPECT_EQ(memo.hits(), 0u);

  const ScanResult second = engine.scan(view(mail), c.fixture, opts);
  EXPECT_EQ(memo.hits(), 1u);
  EXPECT_EQ(report_of(second), report_of(first));
  EXPECT_EQ(second.verdict, Verdict::suspicious);
}

INSTANTIATE_TEST_SUITE_P(NoPasswordOpensIt, SecondCopy,
                         ::testing::Values(Copy{"7z_aes_mhe_no_password.eml", false},
                                           Copy{"rar4_aes_hp_no_password.eml", false},
                                           Copy{"rar5_aes_hp_no_password.eml", false},
                                           Copy{"rar5_aes_hp_no_password.eml", true}),
                         [](const auto& param_info) {
                           std::string n = param_info.param.fixture;
                           return n.substr(0, n.find('_')) + (param_info.param.sandboxed ? "_sandboxed" : "");
                         });

TEST(PasswordMemo, OtherTextBesideTheSameArchiveIsSearchedAgain) {
  const Engine engine = fresh_engine();
  const core::SearchMemo& memo = EngineFactory::search_memo(engine);
  const std::vector<std::uint8_t> mail = testing::read_file(testing::fixture("campaigns/7z_aes_mhe_no_password.eml"));
  std::string text(mail.begin(), mail.end());
  const std::string said = "Call us for the code.";
  const auto at = text.find(said);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, said.size(), "Call us for the pass.");  // "pass" is a new candidate
  const std::vector<std::uint8_t> other(text.begin(), text.end());

  const ScanResult first = engine.scan(view(mail), "first.eml");
  const ScanResult second = engine.scan(view(other), "second.eml");
  EXPECT_EQ(memo.hits(), 0u);
  EXPECT_EQ(memo.size(), 2u);
  EXPECT_EQ(second.verdict, first.verdict);
}

TEST(PasswordMemo, AnArchiveThatOpenedIsNotKept) {
  const Engine engine = fresh_engine();
  const core::SearchMemo& memo = EngineFactory::search_memo(engine);
  const std::vector<std::uint8_t> mail =
      testing::read_file(testing::fixture("campaigns/7z_aes_mhe_password_body.eml"));
  const ScanResult r = engine.scan(view(mail), "opened.eml");
  EXPECT_TRUE(testing::has_finding(r, "archive.password_from_message"));
  EXPECT_EQ(memo.size(), 0u);
}

// A search the key-derivation cap stopped is remembered too, and recalled
// with the rounds it took: the limit's detail counts the message's rounds.
TEST(PasswordMemo, ACappedSearchIsRecalledWithTheRoundsItTook) {
  Limits limits;
  limits.max_key_derivation_rounds = (1u << 19) * 3;  // three 7z candidates a message
  const Engine engine = testing::engine_with(limits);
  const core::SearchMemo& memo = EngineFactory::search_memo(engine);
  const std::vector<std::uint8_t> mail = testing::read_file(testing::fixture("campaigns/7z_aes_mhe_no_password.eml"));
  const ScanResult first = engine.scan(view(mail), "capped.eml");
  ASSERT_FALSE(first.tree.limits_hit.empty()) << report_of(first);
  const ScanResult second = engine.scan(view(mail), "capped.eml");
  EXPECT_EQ(memo.hits(), 1u);
  EXPECT_EQ(report_of(second), report_of(first));
}

}  // namespace
}  // namespace sluice
