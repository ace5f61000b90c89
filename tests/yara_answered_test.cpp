// docs/adr/0039: a MIME part that is a byte range of its message is not
// scanned by YARA again when no string of any rule matched in the message and
// every rule needs one of its strings. These tests hold the skip to "the same
// findings": over real mail, against an engine whose rule set turns the skip
// off, and on crafted messages where the part must still be scanned.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "test_support.hpp"
#include "yara_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;

using testing::engine_with_rules;
using testing::RuleDir;

using testing::yara_artifacts_prefiltered;
using testing::yara_parts_answered;

// Every YARA finding, with the artifact it is on.
std::vector<std::string> yara_findings(const ScanResult& r) {
  std::vector<std::string> out;
  for (const Finding& f : r.findings) {
    if (!f.id.starts_with("yara.")) continue;
    std::string line = f.id + " @" + std::to_string(f.artifact) + " " + f.message;
    for (const auto& [k, v] : f.evidence) line += " " + k + "=" + v;
    out.push_back(std::move(line));
  }
  return out;
}

std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

TEST(YaraAnswered, RealMailGivesTheSameFindingsWithAndWithoutTheSkip) {
  const fs::path corpora = testing::corpora();
  if (corpora.empty()) SLUICE_SKIP_UNLESS_CI() << "../shared/corpora";
  std::vector<fs::path> files;
  for (const char* dir : {"ham/spamassassin-corpus/hard-ham-1", "ham/mime4j", "ham/ruby-mail", "ham/gmime"}) {
    for (const auto& e : fs::recursive_directory_iterator(corpora / dir)) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
  }
  for (const char* dir : {"tests/fixtures/mail", "tests/fixtures/campaigns"}) {
    for (const auto& e : fs::directory_iterator(testing::fixture("") / fs::path(dir).filename())) {
      if (e.path().extension() == ".eml") files.push_back(e.path());
    }
  }
  // Inputs the starter rules match: a shortcut and a script, and a mail
  // whose 7bit part says what the shortcut runs.
  files.push_back(testing::fixture("lnk/powershell_enc.lnk"));
  files.push_back(testing::fixture("script/dropper.vbe"));
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 300u);
  const auto inline_command = bytes_of(
      "From: a@example.com\r\nSubject: run this\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee below\r\n"
      "--b\r\nContent-Type: text/plain; name=\"run.txt\"\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
      "powershell.exe -nop -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA\r\n--b--\r\n");
  // The same starter rules, plus one that never matches and needs no string:
  // that rule set cannot skip any part.
  const RuleDir gated("rule needs_a_string { strings: $a = \"sluice-never-written-7f3a\" condition: $a }\n");
  const RuleDir open("rule needs_nothing { condition: filesize == 0x7fffffffffff }\n");
  const Engine skipping = engine_with_rules(gated);
  const Engine scanning = engine_with_rules(open);
  std::size_t with_yara_findings = 0;
  for (const fs::path& f : files) {
    const auto bytes = testing::read_file(f);
    const ScanResult a = skipping.scan(ByteView(bytes.data(), bytes.size()), f.filename().string());
    const ScanResult b = scanning.scan(ByteView(bytes.data(), bytes.size()), f.filename().string());
    const auto fa = yara_findings(a), fb = yara_findings(b);
    EXPECT_EQ(fa, fb) << f;
    if (!fa.empty()) ++with_yara_findings;
  }
  {
    const ScanResult a = skipping.scan(ByteView(inline_command.data(), inline_command.size()), "inline.eml");
    const ScanResult b = scanning.scan(ByteView(inline_command.data(), inline_command.size()), "inline.eml");
    EXPECT_EQ(yara_findings(a), yara_findings(b));
    EXPECT_EQ(std::count_if(a.findings.begin(), a.findings.end(), [](const Finding& f) { return f.id == "yara.match"; }),
              2) << "on the message and on its part";
  }
  EXPECT_GT(yara_parts_answered(skipping), files.size() / 2) << "most ham parts lie inside their message";
  EXPECT_EQ(yara_parts_answered(scanning), 0u);
  // The same comparison holds the literal prefilter (docs/adr/0040): the
  // rule that needs no string turns it off too.
  EXPECT_GT(yara_artifacts_prefiltered(skipping), files.size() / 2)
      << "most ham holds none of the starter rules' literals";
  EXPECT_EQ(yara_artifacts_prefiltered(scanning), 0u);
  EXPECT_GT(with_yara_findings, 0u) << "some fixture has a YARA finding to compare";
}

// A rule for files that start with "MZ": a 7bit part that does, inside a
// message that does not. The part's own string matched in the message too,
// so the message cannot answer for it and the part is scanned.
TEST(YaraAnswered, APartWhoseStringMatchedInTheMessageIsStillScanned) {
  const RuleDir dir("rule mz_marker { strings: $s = \"SLUICE-MARKER\" condition: uint16(0) == 0x5A4D and $s }\n");
  const Engine e = engine_with_rules(dir);
  const auto msg = bytes_of(
      "From: a@example.com\r\nTo: b@example.com\r\nSubject: t\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
      "--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 7bit\r\n\r\nMZ SLUICE-MARKER\r\n--b--\r\n");
  const ScanResult r = e.scan(ByteView(msg.data(), msg.size()), "mz.eml");
  std::vector<ArtifactId> on;
  for (const Finding& f : r.findings) {
    if (f.id == "yara.match" && f.message.find("mz_marker") != std::string::npos) on.push_back(f.artifact);
  }
  ASSERT_EQ(on.size(), 1u) << "the part, not the message (which starts with \"From\")";
  EXPECT_NE(on[0], 0u);
  // The first part held no string: it was answered for by the message.
  EXPECT_EQ(yara_parts_answered(e), 0u) << "one string matched in the message: nothing is answered for";
  const auto clean = bytes_of(
      "From: a@example.com\r\nSubject: t\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nMZ and nothing else\r\n--b--\r\n");
  const ScanResult c = e.scan(ByteView(clean.data(), clean.size()), "clean.eml");
  EXPECT_FALSE(testing::has_finding(c, "yara.match"));
  EXPECT_EQ(yara_parts_answered(e), 2u) << "both parts lie inside a message where no string matched";
}

// A decoded part is not a byte range of its message: whatever the message's
// scan found, the part is scanned (here the message holds only "bWFya2Vy").
TEST(YaraAnswered, ADecodedPartIsAlwaysScanned) {
  const RuleDir dir("rule word { strings: $s = \"marker\" fullword condition: $s }\n");
  const Engine e = engine_with_rules(dir);
  const auto msg = bytes_of(
      "From: a@example.com\r\nSubject: t\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nbWFya2Vy\r\n");
  const ScanResult r = e.scan(ByteView(msg.data(), msg.size()), "b64.eml");
  EXPECT_TRUE(testing::has_finding(r, 1, "yara.match")) << "the decoded part says \"marker\"";
  EXPECT_EQ(yara_parts_answered(e), 0u);
}

}  // namespace
}  // namespace sluice
