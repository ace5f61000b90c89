// [report] hashes (ADR 0026): SHA-256 of every artifact; MD5 and SHA-1 of
// executables always, of everything else only when configured.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/hash.hpp"
#include "sluice/report.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

std::vector<std::uint8_t> text_bytes(std::string_view s) { return {s.begin(), s.end()}; }

// `got` carries MD5 and SHA-1, and they are the bytes' own (`want`).
void expect_md5_and_sha1(const Hashes& got, const Hashes& want) {
  EXPECT_TRUE(got.has_md5);
  EXPECT_TRUE(got.has_sha1);
  EXPECT_EQ(got.md5, want.md5);
  EXPECT_EQ(got.sha1, want.sha1);
}

TEST(ReportHashes, ByDefaultOnlyExecutablesCarryMd5AndSha1) {
  const Engine e = testing::default_engine();
  const auto exe = testing::read_file(testing::fixture("pe/hello.exe"));
  const ScanResult pe = e.scan(std::vector<std::uint8_t>(exe), "hello.exe");
  ASSERT_TRUE(is_executable(pe.tree[0].type));
  const Hashes all = core::compute_hashes(ByteView(exe.data(), exe.size()));
  expect_md5_and_sha1(pe.tree[0].hashes, all);
  EXPECT_EQ(pe.tree[0].hashes.sha256, all.sha256);

  const auto note = text_bytes("Dear customer, your invoice is attached.\n");
  const ScanResult txt = e.scan(std::vector<std::uint8_t>(note), "note.txt");
  EXPECT_FALSE(txt.tree[0].hashes.has_md5);
  EXPECT_FALSE(txt.tree[0].hashes.has_sha1);
  EXPECT_EQ(txt.tree[0].hashes.sha256, core::compute_hashes(ByteView(note.data(), note.size())).sha256);
  // The report leaves out what was not computed rather than printing zeros.
  const auto j = nlohmann::json::parse(report::to_json(txt, false));
  EXPECT_FALSE(j["artifacts"][0].contains("md5")) << j["artifacts"][0].dump();
  EXPECT_FALSE(j["artifacts"][0].contains("sha1"));
  EXPECT_TRUE(j["artifacts"][0].contains("sha256"));
  const auto p = nlohmann::json::parse(report::to_json(pe, false));
  EXPECT_EQ(p["artifacts"][0]["md5"], to_hex(all.md5));
}

TEST(ReportHashes, ConfiguredDigestsCoverEveryArtifact) {
  const Engine e = testing::engine_with_toml("[report]\nhashes = [\"sha256\", \"md5\", \"sha1\"]\n");
  const auto note = text_bytes("Dear customer, your invoice is attached.\n");
  const ScanResult r = e.scan(std::vector<std::uint8_t>(note), "note.txt");
  const Hashes all = core::compute_hashes(ByteView(note.data(), note.size()));
  expect_md5_and_sha1(r.tree[0].hashes, all);

  const Engine md5_only = testing::engine_with_toml("[report]\nhashes = [\"md5\"]\n");
  const ScanResult m = md5_only.scan(std::vector<std::uint8_t>(note), "note.txt");
  EXPECT_TRUE(m.tree[0].hashes.has_md5);
  EXPECT_FALSE(m.tree[0].hashes.has_sha1);
  EXPECT_EQ(m.tree[0].hashes.sha256, all.sha256);  // always
}

TEST(ReportHashes, AnUnknownDigestOrAShapeThatIsNotAListIsAConfigError) {
  auto unknown = apply_config(*default_config(), "[report]\nhashes = [\"sha512\"]\n", "test");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().what.find("sha512"), std::string::npos) << unknown.error().what;
  EXPECT_FALSE(apply_config(*default_config(), "[report]\nhashes = \"md5\"\n", "test"));
  EXPECT_FALSE(apply_config(*default_config(), "[report]\ndigests = [\"md5\"]\n", "test"));
}

}  // namespace
}  // namespace sluice
