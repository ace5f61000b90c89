// Outlook .msg tests. Oracle: olefile (tests/fixtures/msg_oracle.py, Debian's
// python3-olefile), an independent compound-file reader, over every .msg in
// ../shared/corpora/msg read in place; hand-built compound files for the hostile
// paths (FAT cycle, directory cycle, chains past the end, absurd counts).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/hash.hpp"
#include "core/sniff.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;
using testing::has_anomaly;
using testing::read_file;

std::string sha256_of(ByteView b) { return to_hex(core::compute_hashes(b).sha256); }

std::vector<fs::path> corpus_msgs() {
  std::vector<fs::path> out;
  const fs::path dir = testing::corpora() / "msg";
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".msg") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(MsgCorpus, AgreesWithOlefile) {
  if (!fs::exists("/usr/lib/python3/dist-packages/olefile")) SLUICE_SKIP_UNLESS_CI() << "python3-olefile not installed";
  const auto files = corpus_msgs();
  if (files.empty()) SLUICE_SKIP_UNLESS_CI() << "corpus not present";
  const fs::path list = fs::temp_directory_path() / ("sluice_msg_oracle_" + std::to_string(::getpid()) + ".txt");
  {
    std::ofstream out(list);
    for (const auto& f : files) out << f.string() << "\n";
  }
  const std::string lines =
      testing::command_output("/usr/bin/python3 " + testing::fixture("msg_oracle.py").string() + " --stdin < " + list.string());
  fs::remove(list);
  std::map<std::string, nlohmann::json> oracle;
  std::istringstream in(lines);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded()) oracle[j["file"].get<std::string>()] = j;
  }
  ASSERT_EQ(oracle.size(), files.size());
  const Engine engine = testing::engine_only({"msg"});
  int attachments = 0;
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    const auto& o = oracle[f.string()];
    ASSERT_TRUE(o["error"].is_null()) << o["error"];
    const ScanResult r = engine.scan(read_file(f), f.filename().string());
    const Artifact& root = r.tree[0];
    EXPECT_EQ(root.type, FileType::outlook_msg);  // sniffed, not forced
    if (o["subject"].is_string()) {
      EXPECT_EQ(root.meta_string("mail.subject"), o["subject"].get<std::string>());
    }
    std::map<std::string, const Artifact*> by_locator;
    for (ArtifactId c : root.children) by_locator[r.tree[c].locator] = &r.tree[c];
    for (const auto& a : o["attachments"]) {
      if (a["sha256"].is_null()) continue;  // embedded message or OLE storage: no bytes
      const std::string loc = a["locator"].get<std::string>();
      ASSERT_TRUE(by_locator.contains(loc)) << loc;
      const Artifact& got = *by_locator[loc];
      EXPECT_EQ(sha256_of(got.bytes), a["sha256"].get<std::string>()) << loc;
      std::vector<std::string> names;
      for (const Name& n : got.names) names.push_back(n.value);
      EXPECT_EQ(names, a["names"].get<std::vector<std::string>>()) << loc;
      ++attachments;
    }
  }
  EXPECT_GE(files.size(), 50u);
  EXPECT_GE(attachments, 30);  // 31 attachment streams in the corpus today
}

TEST(MsgCorpus, EmbeddedMessagesAreWalked) {
  const fs::path p = testing::corpora() / "msg" / "msgreader" / "msgInMsgInMsg.msg";
  if (!fs::exists(p)) SLUICE_SKIP_UNLESS_CI() << "corpus not present";
  const ScanResult r = testing::default_engine().scan(read_file(p), "msgInMsgInMsg.msg");
  bool green = false, inner_body = false;
  for (ArtifactId c : r.tree[0].children) {
    const Artifact& a = r.tree[c];
    if (a.locator == "attachment[0]/attachment[1]" && a.display_name() == "green.png") {
      green = a.type == FileType::png && a.meta_string("msg.embedded_subject") == "I have attachments!";
    }
    inner_body = inner_body || (a.locator == "attachment[0]/attachment[0]/body" && a.type == FileType::text);
  }
  EXPECT_TRUE(green);
  EXPECT_TRUE(inner_body);
  EXPECT_EQ(r.tree[0].meta_string("mail.subject"), "I have sub attachments!");
}

// ---- hand-built compound files ----------------------------------------------

void put16(Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v);
  b[at + 1] = static_cast<std::uint8_t>(v >> 8);
}
void put32(Bytes& b, std::size_t at, std::uint32_t v) {
  put16(b, at, static_cast<std::uint16_t>(v));
  put16(b, at + 2, static_cast<std::uint16_t>(v >> 16));
}
void dir_entry(Bytes& b, std::size_t at, std::u16string_view name, std::uint8_t type, std::uint32_t left,
               std::uint32_t right, std::uint32_t child, std::uint32_t start, std::uint32_t size) {
  for (std::size_t i = 0; i < name.size(); ++i) put16(b, at + 2 * i, name[i]);
  put16(b, at + 64, static_cast<std::uint16_t>((name.size() + 1) * 2));
  b[at + 66] = type;
  put32(b, at + 68, left);
  put32(b, at + 72, right);
  put32(b, at + 76, child);
  put32(b, at + 116, start);
  put32(b, at + 120, size);
}

// A version-3 file: header, sector 0 = FAT, sector 1 = directory, sectors 2..
// = one 4096-byte attachment stream (a regular-FAT stream, so no mini FAT).
// Root → attachment storage → "__substg1.0_37010102" + a long filename.
Bytes tiny_msg() {
  constexpr std::uint32_t kEnd = 0xFFFFFFFE, kFree = 0xFFFFFFFF, kNone = 0xFFFFFFFF;
  Bytes b(512 * (3 + 8), 0);
  const std::string sig = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
  std::copy(sig.begin(), sig.end(), b.begin());
  put16(b, 24, 0x3E);
  put16(b, 26, 3);
  put16(b, 28, 0xFFFE);
  put16(b, 30, 9);
  put16(b, 32, 6);
  put32(b, 44, 1);       // one FAT sector
  put32(b, 48, 1);       // directory at sector 1
  put32(b, 56, 4096);    // mini cutoff
  put32(b, 60, kEnd);    // no mini FAT
  put32(b, 68, kEnd);    // no DIFAT chain
  put32(b, 76, 0);       // FAT at sector 0
  for (int i = 1; i < 109; ++i) put32(b, 76 + 4 * i, kFree);
  const std::size_t fat = 512;
  for (int i = 0; i < 128; ++i) put32(b, fat + 4 * i, kFree);
  put32(b, fat + 0, 0xFFFFFFFD);  // FATSECT
  put32(b, fat + 4, kEnd);        // directory: one sector
  for (int s = 2; s < 10; ++s) put32(b, fat + 4 * s, s == 9 ? kEnd : s + 1);
  const std::size_t dir = 1024;
  dir_entry(b, dir + 0, u"Root Entry", 5, kNone, kNone, 1, kEnd, 0);
  dir_entry(b, dir + 128, u"__attach_version1.0_#00000000", 1, kNone, kNone, 2, 0, 0);
  dir_entry(b, dir + 256, u"__substg1.0_37010102", 2, kNone, 3, kNone, 2, 4096);
  dir_entry(b, dir + 384, u"__substg1.0_3707001F", 2, kNone, kNone, kNone, 0, 0);
  const std::string payload = "MZ harmless stand-in for an attachment";
  std::copy(payload.begin(), payload.end(), b.begin() + 512 * 3);
  return b;
}

ScanResult scan_msg(Bytes b) {
  ScanOptions o;
  o.root_type = FileType::outlook_msg;
  return testing::engine_only({"msg"}).scan(std::move(b), "hand.msg", o);
}

TEST(Msg, HandBuiltFileIsSniffedAndRead) {
  const Bytes b = tiny_msg();
  EXPECT_EQ(core::sniff(ByteView(b.data(), b.size())), FileType::outlook_msg);
  // The same compound file without MS-OXMSG names is a generic OLE2 file.
  Bytes plain = b;
  for (std::size_t at : {1024u + 128u, 1024u + 256u, 1024u + 384u}) dir_entry(plain, at, u"WordDocument", 2, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0, 0);
  EXPECT_EQ(core::sniff(ByteView(plain.data(), plain.size())), FileType::ole2);
  const ScanResult r = scan_msg(b);
  ASSERT_EQ(r.tree[0].children.size(), 1u);
  const Artifact& a = r.tree[r.tree[0].children[0]];
  EXPECT_EQ(a.locator, "attachment[0]");
  EXPECT_EQ(a.bytes.size(), 4096u);
  EXPECT_TRUE(a.bytes.chars().starts_with("MZ harmless"));
  // Contiguous sectors: a view into the file, no copy.
  EXPECT_EQ(a.bytes.data(), r.tree[0].bytes.data() + 512 * 3);
  EXPECT_TRUE(r.tree[0].anomalies.empty());
}

TEST(Msg, FatCycleIsAnAnomaly) {
  Bytes b = tiny_msg();
  put32(b, 512 + 4 * 5, 3);  // sector 5 → 3: a loop inside the stream's chain
  const ScanResult r = scan_msg(b);
  EXPECT_TRUE(has_anomaly(r, "cfb.chain_cycle"));
  EXPECT_TRUE(has_anomaly(r, "cfb.chain_invalid"));  // the stream came up short
}

TEST(Msg, DirectoryCycleIsAnAnomaly) {
  Bytes b = tiny_msg();
  put32(b, 1024 + 384 + 72, 2);  // entry 3's right sibling → entry 2 → entry 3 ...
  const ScanResult r = scan_msg(b);
  EXPECT_TRUE(has_anomaly(r, "cfb.directory_cycle"));
  Bytes c = tiny_msg();
  put32(c, 1024 + 256 + 68, 0);  // a link back to the root
  EXPECT_TRUE(has_anomaly(scan_msg(c), "cfb.directory_cycle"));
}

TEST(Msg, ChainsPastTheEndAndAbsurdCountsAreAnomalies) {
  Bytes b = tiny_msg();
  put32(b, 512 + 4 * 4, 0x00FFFFFF);  // chain leaves the FAT
  EXPECT_TRUE(has_anomaly(scan_msg(b), "cfb.chain_invalid"));
  Bytes c = tiny_msg();
  put32(c, 44, 0x7FFFFFFF);  // absurd FAT sector count
  put32(c, 1024 + 256 + 120, 0xFFFFFFF0);  // absurd stream size
  const ScanResult r = scan_msg(c);
  EXPECT_TRUE(has_anomaly(r, "cfb.header_malformed"));
  EXPECT_TRUE(has_anomaly(r, "cfb.chain_invalid"));
  Bytes d = tiny_msg();
  put32(d, 1024 + 384 + 116, 2);  // the name stream reuses the attachment's sectors
  put32(d, 1024 + 384 + 120, 4096);
  EXPECT_TRUE(has_anomaly(scan_msg(d), "cfb.cross_linked"));
}

TEST(Msg, EveryPrefixEndsWithoutACrash) {
  const Bytes b = tiny_msg();
  const Engine engine = testing::engine_only({"msg"});
  ScanOptions o;
  o.root_type = FileType::outlook_msg;
  for (std::size_t n = 0; n <= b.size(); n += 61) {
    const ScanResult r = engine.scan(Bytes(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n)), "cut", o);
    if (n >= 512 * 3 + 64 && n < b.size()) {
      EXPECT_TRUE(has_anomaly(r, "cfb.chain_invalid")) << n;
    }
  }
}

}  // namespace
}  // namespace sluice
