// ZIP unpacker tests. Oracles: 7-Zip's listings of the fixtures
// (tests/fixtures/listings/*.zip.txt), the SHA-256 of the payload the fixtures
// were built from (pe/hello.exe), and CPython's zipfile run over every ZIP in
// ../shared/corpora through tests/fixtures/zip_oracle.py. Hostile structures no
// real tool writes (overlaps, name differentials, lying sizes) are built here
// byte by byte, with zlib for the deflate data.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/budget.hpp"
#include "core/unpacker.hpp"
#include "formats/zip/parser.hpp"
#include "formats/zip/unpacker.hpp"
#include "test_support.hpp"

namespace sluice::formats::zip {
namespace {

using sluice::testing::corpora;
using sluice::testing::default_engine;
using sluice::testing::fixture;
using sluice::testing::read_file;
using sluice::testing::sha256_hex;
using Bytes = std::vector<std::uint8_t>;

// ---------------------------------------------------------------- builder

void put16(Bytes& b, std::uint32_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put32(Bytes& b, std::uint32_t v) {
  put16(b, v & 0xFFFF);
  put16(b, v >> 16);
}
void put(Bytes& b, std::string_view s) { b.insert(b.end(), s.begin(), s.end()); }
void put(Bytes& b, const Bytes& s) { b.insert(b.end(), s.begin(), s.end()); }
Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::uint32_t crc_of(const Bytes& b) {
  return static_cast<std::uint32_t>(crc32(0, b.data(), static_cast<uInt>(b.size())));
}

struct Spec {
  Spec(std::string n, Bytes d, std::uint16_t m = 0) : name(std::move(n)), data(std::move(d)), method(m) {}
  std::string name;
  Bytes data;
  std::uint16_t method = 0;  // 0 stored, 8 deflate, anything else: data stored as is
  std::optional<std::string> local_name;
  std::optional<std::uint32_t> usize;  // declared, when it should lie
  Bytes central_extra;
  std::uint16_t flags = 0;
  std::uint16_t made_by = 20;
  std::uint32_t external = 0;
  bool in_central = true;
  std::optional<std::size_t> central_points_at;  // local header of another spec
  bool no_local = false;  // only a central entry (with central_points_at)
};

struct Built {
  Bytes zip;
  std::vector<std::uint32_t> local_offsets;
};

Built build(const std::vector<Spec>& specs, std::size_t eocd_entries_extra = 0) {
  Built out;
  std::vector<Bytes> payloads;
  for (const Spec& s : specs) {
    const Bytes payload = s.method == 8 ? sluice::testing::deflated(s.data, -15) : s.data;
    out.local_offsets.push_back(static_cast<std::uint32_t>(out.zip.size()));
    if (s.no_local) {
      payloads.push_back(payload);
      continue;
    }
    const std::string& lname = s.local_name ? *s.local_name : s.name;
    put(out.zip, "PK\x03\x04");
    put16(out.zip, 20);
    put16(out.zip, s.flags);
    put16(out.zip, s.method);
    put16(out.zip, 0x4B2E);  // 09:25:28
    put16(out.zip, 0x508E);  // 2020-04-14
    put32(out.zip, crc_of(s.data));
    put32(out.zip, static_cast<std::uint32_t>(payload.size()));
    put32(out.zip, s.usize.value_or(static_cast<std::uint32_t>(s.data.size())));
    put16(out.zip, static_cast<std::uint32_t>(lname.size()));
    put16(out.zip, 0);
    put(out.zip, lname);
    put(out.zip, payload);
    payloads.push_back(payload);
  }
  const auto cd_start = static_cast<std::uint32_t>(out.zip.size());
  std::uint32_t count = 0;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const Spec& s = specs[i];
    if (!s.in_central) continue;
    ++count;
    const std::size_t target = s.central_points_at.value_or(i);
    put(out.zip, "PK\x01\x02");
    put16(out.zip, s.made_by);
    put16(out.zip, 20);
    put16(out.zip, s.flags);
    put16(out.zip, s.method);
    put16(out.zip, 0x4B2E);
    put16(out.zip, 0x508E);
    put32(out.zip, crc_of(s.data));
    put32(out.zip, static_cast<std::uint32_t>(payloads[target].size()));
    put32(out.zip, s.usize.value_or(static_cast<std::uint32_t>(s.data.size())));
    put16(out.zip, static_cast<std::uint32_t>(s.name.size()));
    put16(out.zip, static_cast<std::uint32_t>(s.central_extra.size()));
    put16(out.zip, 0);
    put16(out.zip, 0);
    put16(out.zip, 0);
    put32(out.zip, s.external);
    put32(out.zip, out.local_offsets[target]);
    put(out.zip, s.name);
    put(out.zip, s.central_extra);
  }
  const auto cd_size = static_cast<std::uint32_t>(out.zip.size() - cd_start);
  put(out.zip, "PK\x05\x06");
  put16(out.zip, 0);
  put16(out.zip, 0);
  put16(out.zip, count + static_cast<std::uint32_t>(eocd_entries_extra));
  put16(out.zip, count + static_cast<std::uint32_t>(eocd_entries_extra));
  put32(out.zip, cd_size);
  put32(out.zip, cd_start);
  put16(out.zip, 0);
  return out;
}

// ---------------------------------------------------------------- direct unpack

// Runs the unpacker alone on `zip` (no recursion, no detectors), through the
// password hook, the way the mail harvester will call it.
struct Direct {
  Limits limits;
  ArtifactTree tree;
  ArtifactId root = kNoArtifact;
  Status status;

  explicit Direct(const Bytes& zip, std::vector<std::string> passwords = {},
                  const Limits& lim = Limits{})
      : limits(lim) {
    root = tree.add_root(ByteView(zip.data(), zip.size()), "file", {{"file", "test.zip"}});
    tree.at(root).type = FileType::zip;
    core::Budget budget(limits, core::Budget::Clock::now());
    core::UnpackContext ctx(tree, root, budget);
    status = unpack_with_passwords(ctx, passwords);
  }
  [[nodiscard]] std::vector<const Artifact*> children() const {
    std::vector<const Artifact*> out;
    for (ArtifactId id : tree[root].children) out.push_back(&tree[id]);
    return out;
  }
  [[nodiscard]] const Artifact* named(std::string_view name) const {
    for (const Artifact* a : children()) {
      if (a->display_name() == name) return a;
    }
    return nullptr;
  }
  [[nodiscard]] bool has(std::string_view id) const {
    for (const Artifact& a : tree) {
      for (const Anomaly& an : a.anomalies) {
        if (an.id == id) return true;
      }
    }
    return false;
  }
};

std::string sha_of(const Artifact& a) {
  return sha256_hex(Bytes(a.bytes.data(), a.bytes.data() + a.bytes.size()));
}

const MetaValue* meta(const Artifact& a, std::string_view key) { return a.find_meta(key); }

std::string hello_sha() { return sha256_hex(read_file(fixture("pe/hello.exe"))); }

// ---------------------------------------------------------------- fixtures

TEST(Zip, AicpaFixtureMatchesSevenZipListing) {
  // 7z l: "2020-04-14 09:30:00 .....        86016         6840  AICPA_Notice.iso"
  std::ifstream listing(fixture("listings/aicpa.zip.txt"));
  std::string line;
  std::uint64_t want_size = 0;
  while (std::getline(listing, line)) {
    if (line.ends_with("  AICPA_Notice.iso") && line.starts_with("2020")) {
      std::istringstream ls(line);
      std::string date, time, attr;
      ls >> date >> time >> attr >> want_size;
    }
  }
  ASSERT_EQ(want_size, 86016u);
  Direct d(read_file(fixture("zip/aicpa.zip")));
  ASSERT_TRUE(d.status.has_value());
  ASSERT_EQ(d.children().size(), 1u);
  const Artifact& iso = *d.children().front();
  EXPECT_EQ(iso.display_name(), "AICPA_Notice.iso");
  EXPECT_EQ(iso.bytes.size(), want_size);
  EXPECT_TRUE(iso.anomalies.empty());
  EXPECT_TRUE(d.tree[d.root].anomalies.empty());

  auto r = default_engine().scan(read_file(fixture("zip/aicpa.zip")), "aicpa.zip");
  const Artifact* found = sluice::testing::find_by_type(r, FileType::iso9660);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->display_name(), "AICPA_Notice.iso");
}

TEST(Zip, FixturesMatchBsdtar) {
  // bsdtar (libarchive, an independent reader of ZIP) lists each fixture and
  // extracts each member; names and SHA-256s must equal ours. deflate64.zip:
  // libarchive 3.6 has no Deflate64 (7-Zip is its oracle, above).
  for (const auto& [rel, password] : std::vector<std::pair<std::string, std::string>>{
           {"zip/aicpa.zip", ""}, {"zip/password.zip", "covid2020"}, {"zip/aes.zip", "covid2020"}}) {
    SCOPED_TRACE(rel);
    const std::string file = fixture(rel).string();
    const std::string pass = password.empty() ? "" : " --passphrase " + password;
    std::istringstream names(sluice::testing::command_output("bsdtar -tf '" + file + "'"));
    Direct d(read_file(fixture(rel)), {password});
    std::string name;
    std::size_t listed = 0;
    while (std::getline(names, name)) {
      ++listed;
      const Artifact* m = d.named(name);
      ASSERT_NE(m, nullptr) << name;
      const std::string theirs = sluice::testing::command_output(
          "bsdtar -xOf '" + file + "'" + pass + " '" + name + "' | sha256sum | cut -c1-64");
      EXPECT_EQ(sha_of(*m) + "\n", theirs) << name;
    }
    EXPECT_GT(listed, 0u);
    EXPECT_EQ(listed, d.children().size());
  }
}

TEST(Zip, ZipCryptoFixtureIsReportedAndStillEmitted) {
  Direct d(read_file(fixture("zip/password.zip")));
  ASSERT_EQ(d.children().size(), 1u);
  const Artifact& m = *d.children().front();
  EXPECT_EQ(m.display_name(), "statement.exe");
  EXPECT_TRUE(d.has("zip.encrypted"));
  ASSERT_NE(meta(m, "zip.encrypted"), nullptr);
  EXPECT_EQ(std::get<bool>(*meta(m, "zip.encrypted")), true);
  EXPECT_EQ(meta(m, "zip.password"), nullptr);
  EXPECT_EQ(m.bytes.size(), 5818u);  // 7z l: compressed size = the ciphertext
}

TEST(Zip, ZipCryptoFixtureDecryptsWithHarvestedPassword) {
  Direct d(read_file(fixture("zip/password.zip")), {"wrong", "covid2020"});
  ASSERT_EQ(d.children().size(), 1u);
  const Artifact& m = *d.children().front();
  EXPECT_EQ(m.bytes.size(), 14848u);  // 7z l
  EXPECT_EQ(sha_of(m), hello_sha());
  ASSERT_NE(meta(m, "zip.password"), nullptr);
  EXPECT_EQ(std::get<std::string>(*meta(m, "zip.password")), "covid2020");
  EXPECT_FALSE(d.has("zip.crc_mismatch"));
}

TEST(Zip, WinZipAesFixtureDecryptsWithHarvestedPassword) {
  Direct d(read_file(fixture("zip/aes.zip")), {"covid2020"});
  ASSERT_EQ(d.children().size(), 1u);
  const Artifact& m = *d.children().front();
  EXPECT_EQ(m.display_name(), "statement.exe");
  EXPECT_TRUE(d.has("zip.encrypted"));
  EXPECT_EQ(sha_of(m), hello_sha());
  ASSERT_NE(meta(m, "zip.password"), nullptr);

  Direct locked(read_file(fixture("zip/aes.zip")));
  ASSERT_EQ(locked.children().size(), 1u);
  EXPECT_EQ(locked.children().front()->bytes.size(), 5728u);  // 7z l: compressed size
}

TEST(Zip, EngineReportsEncryptedMember) {
  auto r = default_engine().scan(read_file(fixture("zip/password.zip")), "statement.zip");
  EXPECT_TRUE(sluice::testing::has_finding(r, "zip.encrypted"));
}

TEST(Zip, PasswordFromTheMailBodyOpensTheAttachment) {
  // mail/password_in_body.eml says "Password: covid2020" next to password.zip;
  // the registered unpacker asks the context for harvested candidates.
  auto r = default_engine().scan(read_file(fixture("mail/password_in_body.eml")), "mail.eml");
  const Artifact* exe = sluice::testing::find_by_type(r, FileType::pe_exe);
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(sha_of(*exe), hello_sha());
  ASSERT_NE(meta(*exe, "zip.password"), nullptr);
  EXPECT_EQ(std::get<std::string>(*meta(*exe, "zip.password")), "covid2020");
}

// ---------------------------------------------------------------- corpora vs CPython zipfile

using Listing = std::vector<std::pair<std::string, std::string>>;  // (sha or ERR:, name)

// One python process for the whole corpus: a process per file costs more than
// the scan itself in a debug build.
std::map<std::string, Listing> run_oracle(const std::vector<std::filesystem::path>& zips,
                                          const std::vector<std::string>& pws) {
  std::string cmd = "/usr/bin/python3 '" SLUICE_FIXTURES_DIR "/zip_oracle.py'";
  for (const auto& p : pws) cmd += " --password '" + p + "'";
  for (const auto& z : zips) cmd += " '" + z.string() + "'";
  std::map<std::string, Listing> out;
  FILE* f = popen(cmd.c_str(), "r");
  if (f == nullptr) return out;
  std::string text;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, f)) text.append(buf, n);
  pclose(f);
  std::istringstream in(text);
  std::string line;
  Listing* cur = nullptr;
  while (std::getline(in, line)) {
    if (line.starts_with("## ")) {
      cur = &out[line.substr(3)];
      continue;
    }
    const auto tab = line.find('\t');
    if (cur == nullptr || tab == std::string::npos) continue;
    cur->emplace_back(line.substr(0, tab), line.substr(tab + 1));
  }
  return out;
}

struct SevenZipEntry {
  std::uint64_t size = 0;
  std::string crc;  // hex, empty for AE-2
  std::string method;
};

// 7-Zip's view (`7z l -slt`) of the members CPython cannot decode (AES,
// xz, zstd, PPMd, Deflate64): their size and CRC-32, keyed by path.
std::map<std::string, SevenZipEntry> seven_zip_list(const std::filesystem::path& zip) {
  std::map<std::string, SevenZipEntry> out;
  const std::string cmd = "7z l -slt -pX '" + zip.string() + "' 2>/dev/null";
  FILE* f = popen(cmd.c_str(), "r");
  if (f == nullptr) return out;
  std::string text;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, f)) text.append(buf, n);
  pclose(f);
  std::istringstream in(text);
  std::string line, path;
  bool in_members = false;
  while (std::getline(in, line)) {
    if (line == "----------") in_members = true;
    if (!in_members) continue;
    if (line.starts_with("Path = ")) path = line.substr(7);
    else if (line.starts_with("Size = ")) out[path].size = std::strtoull(line.c_str() + 7, nullptr, 10);
    else if (line.starts_with("CRC = ")) out[path].crc = line.substr(6);
    else if (line.starts_with("Method = ")) out[path].method = line.substr(9);
  }
  return out;
}

std::string escape(std::string_view s) {
  std::string o;
  for (char c : s) {
    if (c == '\\') o += "\\\\";
    else if (c == '\t') o += "\\t";
    else if (c == '\n') o += "\\n";
    else if (c == '\r') o += "\\r";
    else o.push_back(c);
  }
  return o;
}

TEST(Zip, CorporaMatchPythonZipfile) {
  if (corpora().empty() || !std::filesystem::exists("/usr/bin/python3")) {
    SLUICE_SKIP_UNLESS_CI() << "../shared/corpora or /usr/bin/python3 absent";
  }
  // Passwords the corpora README lists for its sources.
  const std::vector<std::string> passwords = {"foofoofoo", "foo",   "1234",  "1",
                                              "password1234", "pass1", "pass2", "password",
                                              "12345678", "infected"};
  // Members where CPython and Sluice legitimately disagree, by "file:member".
  // Anything else that differs fails the test.
  const std::map<std::string, std::string> known = {
      // CPython takes the central name and reads the data at the local
      // header's data offset even when libzip made the two headers lie; where
      // the lie changes the bytes, Sluice decodes with the central method /
      // size (what Info-ZIP does) and reports the difference.
      {"incons-local-compression-method.zip:file1", "local method differs; we decode with central's"},
      {"incons-local-compsize-smaller.zip:file1", "local csize differs; we use central's"},
      {"incons-local-compsize-larger.zip:file1", "local csize differs; we use central's"},
      {"incons-central-compsize-larger.zip:file1", "central csize too large: we read past the member"},
      {"incons-central-compsize-smaller.zip:file1", "central csize too small: the stream is cut"},
      {"encrypt-aes128-noentropy.zip:encrypted", "password unknown (7z t fails with every README password too)"},
      {"encrypt-aes192-noentropy.zip:encrypted", "password unknown (7z t fails with every README password too)"},
      {"encrypt-aes256-noentropy.zip:encrypted", "password unknown (7z t fails with every README password too)"},
      {"test_big.zip:test_big.zero",
       "512 MB of zeros: the default ratio limit stops decoding (limit.exceeded), CPython has no limit"},
  };
  std::vector<std::filesystem::path> paths;
  for (const char* dir : {"archives/libzip", "archives/libarchive", "archives/strelka",
                          "archives/clamav", "archives/clamav/zip", "archives/dfvfs/zip"}) {
    const auto folder = corpora() / dir;
    if (!std::filesystem::is_directory(folder)) continue;
    for (const auto& e : std::filesystem::directory_iterator(folder)) {
      const auto ext = e.path().extension().string();
      if (e.is_regular_file() && (ext == ".zip" || ext == ".zipx" || ext == ".jar")) {
        paths.push_back(e.path());
      }
    }
  }
  std::sort(paths.begin(), paths.end());
  const auto oracle = run_oracle(paths, passwords);
  ASSERT_EQ(oracle.size(), paths.size()) << "zip_oracle.py did not list every archive";
  // 64 MiB per member keeps the debug-build run short; only test_big.zip
  // (512 MB of zeros, listed above) comes near it.
  Limits corpus_limits;
  corpus_limits.max_artifact_bytes = 64ull << 20;
  std::size_t files = 0, oracle_members = 0, matched = 0, oracle_failed = 0;
  std::size_t sevenz_matched = 0, sevenz_undecodable = 0;
  std::map<std::string, SevenZipEntry> sevenz;
  std::filesystem::path sevenz_for;
  std::vector<std::string> unexpected;
  for (const auto& p : paths) {
    ++files;
    const Bytes bytes = read_file(p);
    Direct d(bytes, passwords, corpus_limits);
    std::multiset<std::pair<std::string, std::string>> ours;
    for (const Artifact* a : d.children()) {
      if (a->names.empty()) continue;
      ours.insert({sha_of(*a), escape(a->display_name())});
    }
    const auto it = oracle.find(p.string());
    if (it == oracle.end()) continue;
    for (const auto& [sha, name] : it->second) {
      if (sha == "ERR:NotImplementedError") {
        // CPython lacks the method or the encryption: 7-Zip's size and CRC
        // are the oracle instead.
        if (sevenz_for != p) {
          sevenz = seven_zip_list(p);
          sevenz_for = p;
        }
        const auto e = sevenz.find(name);
        if (e == sevenz.end()) {
          unexpected.push_back(p.filename().string() + ":" + name + " (not in 7z listing)");
          continue;
        }
        const std::string& method = e->second.method;
        // Methods Sluice does not decode (PPMd, implode, numbered
        // ones 7-Zip cannot name) and PKWARE strong encryption ("pkAES"):
        // the member must be emitted and the gap reported instead.
        const bool undecodable =
            method.find("PPMd") != std::string::npos ||
            method.find("Implode") != std::string::npos || method.find("pkAES") != std::string::npos ||
            (!method.empty() && std::isdigit(static_cast<unsigned char>(method.front())));
        const Artifact* ours_child = d.named(name);
        if (ours_child == nullptr) {
          unexpected.push_back(p.filename().string() + ":" + name + " (missing)");
        } else if (undecodable) {
          ++sevenz_undecodable;
          if (!d.has("zip.unsupported_method") && !d.has("zip.encrypted")) {
            unexpected.push_back(p.filename().string() + ":" + name + " (" + method +
                                 " not reported as unsupported)");
          }
        } else {
          char crc_hex[9];
          std::snprintf(crc_hex, sizeof crc_hex, "%08X",
                        static_cast<unsigned>(crc32(0, ours_child->bytes.data(),
                                                    static_cast<uInt>(ours_child->bytes.size()))));
          const bool ok = ours_child->bytes.size() == e->second.size &&
                          (e->second.crc.empty() || e->second.crc == crc_hex);
          if (ok) {
            ++sevenz_matched;
          } else if (!known.contains(p.filename().string() + ":" + name)) {
            unexpected.push_back(p.filename().string() + ":" + name + " (" + method +
                                 ": 7z says " + std::to_string(e->second.size) + " bytes CRC " +
                                 e->second.crc + ", we have " +
                                 std::to_string(ours_child->bytes.size()) + " CRC " + crc_hex + ")");
          }
        }
        continue;
      }
      if (sha.starts_with("ERR:")) {
        ++oracle_failed;
        continue;
      }
      ++oracle_members;
      auto hit = ours.find({sha, name});
      if (hit != ours.end()) {
        ours.erase(hit);
        ++matched;
        continue;
      }
      const std::string key = p.filename().string() + ":" + name;
      if (!known.contains(key)) unexpected.push_back(key + " (" + sha.substr(0, 12) + ")");
    }
  }
  std::cout << "[zip corpora] " << files << " archives, CPython extracted " << oracle_members
            << " members (" << oracle_failed << " it could not), Sluice matched " << matched
            << " by name and SHA-256; of the members CPython cannot decode, " << sevenz_matched
            << " match 7-Zip's size and CRC and " << sevenz_undecodable
            << " use methods Sluice reports as unsupported\n";
  EXPECT_GT(files, 150u);
  for (const auto& u : unexpected) ADD_FAILURE() << "disagrees with CPython zipfile: " << u;
}

TEST(Zip, Deflate64FixtureMatchesSevenZip) {
  // 7-Zip wrote it (-mm=Deflate64) and is the oracle: size and CRC per member.
  // far_matches.bin repeats 40000 bytes from 50000 back (distance codes 30/31)
  // and has a 70000-byte run (length code 285 with 16 extra bits).
  const auto listing = seven_zip_list(fixture("zip/deflate64.zip"));
  ASSERT_EQ(listing.size(), 2u);
  Direct d(read_file(fixture("zip/deflate64.zip")));
  EXPECT_FALSE(d.has("zip.unsupported_method"));
  EXPECT_FALSE(d.has("zip.crc_mismatch"));
  EXPECT_FALSE(d.has("zip.corrupt"));
  EXPECT_FALSE(d.has("zip.truncated"));
  for (const auto& [name, want] : listing) {
    EXPECT_EQ(want.method, "Deflate64");
    const Artifact* m = d.named(name);
    ASSERT_NE(m, nullptr) << name;
    EXPECT_EQ(m->bytes.size(), want.size) << name;
    char crc_hex[9];
    std::snprintf(crc_hex, sizeof crc_hex, "%08X",
                  static_cast<unsigned>(crc32(0, m->bytes.data(), static_cast<uInt>(m->bytes.size()))));
    EXPECT_EQ(want.crc, crc_hex) << name;
  }
  const Artifact* exe = d.named("statement.exe");
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(sha_of(*exe), hello_sha());
}

TEST(Zip, Deflate64DamageEndsInFindingsNotCrashes) {
  // Every byte of the compressed streams flipped in turn (stepping through):
  // the decoder must stop on corrupt codes, distances before the start and
  // truncation, and the member must still be emitted.
  const Bytes full = read_file(fixture("zip/deflate64.zip"));
  for (std::size_t at = 40; at < full.size(); at += 613) {
    Bytes b = full;
    b[at] ^= 0x5a;
    Direct d(std::move(b));
    EXPECT_FALSE(d.children().empty()) << at;
  }
  for (std::size_t n = 0; n <= full.size(); n += 1201) {
    Direct d(Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n)));
    (void)d;
  }
}

// ---------------------------------------------------------------- hostile structures

TEST(Zip, NestedBombEndsInLimitFindingsWithinTheByteCeiling) {
  // archive/nested_bomb.zip (make_archive_fixtures.sh, Info-ZIP zip): four
  // layers of 16 identical ZIPs over 64 MiB of zeros, 4 TiB if expanded.
  // Dedup by SHA-256 opens each layer's first copy only; the total-bytes
  // budget ends the rest. Memory stays within the ceiling and the verdict
  // cannot be clean.
  Limits limits;
  limits.max_total_bytes = 192ull << 20;
  Bytes bomb = read_file(fixture("archive/nested_bomb.zip"));
  ASSERT_LT(bomb.size(), 32u * 1024);
  const ScanResult r = sluice::testing::engine_with(limits).scan(std::move(bomb), "42.zip");
  EXPECT_NE(r.verdict, Verdict::clean);
  EXPECT_TRUE(sluice::testing::has_finding(r, "limit.exceeded"));
  ASSERT_FALSE(r.tree.limits_hit.empty());
  EXPECT_LE(r.tree.owned_bytes(), limits.max_total_bytes);
  std::size_t duplicates = 0, depth = 0;
  for (const Artifact& a : r.tree) {
    if (a.duplicate_of) ++duplicates;
    depth = std::max<std::size_t>(depth, a.depth);
  }
  EXPECT_GE(duplicates, 15u * 3);  // the copies of each layer were not re-opened
  EXPECT_GE(depth, 4u);            // the first copy was followed down to the zeros
}

TEST(Zip, OverlappingBombIsDecodedOnce) {
  // 2,000 central entries share one local header over 4 MiB of zeros: a
  // reader that decodes per entry produces 8 GiB.
  std::vector<Spec> specs;
  specs.push_back({"kernel", Bytes(4u << 20, 0), 8});
  for (int i = 1; i < 2000; ++i) {
    Spec s{"copy" + std::to_string(i), {}, 8};
    s.central_points_at = 0;
    specs.push_back(std::move(s));
  }
  // The copies have no local header and no data of their own: every central
  // entry points at entry 0, as in the real bomb.
  for (std::size_t i = 1; i < specs.size(); ++i) {
    specs[i].data = {};
    specs[i].no_local = true;
  }
  Built b = build(specs);
  auto r = default_engine().scan(std::move(b.zip), "bomb.zip");
  bool overlap = false;
  for (const Artifact& a : r.tree) {
    for (const Anomaly& an : a.anomalies) overlap |= an.id == "zip.overlapping_entries";
  }
  EXPECT_TRUE(overlap);
  EXPECT_LT(r.tree.owned_bytes(), 64ull << 20);
  EXPECT_NE(r.verdict, Verdict::clean);
}

TEST(Zip, CopiedStreamsAreDecodedOnce) {
  // The same deflate stream stored under 16 names at 16 offsets (a nested
  // bomb's multiplier, or a lazy archiver): decoded once, the other members
  // view that output.
  Bytes text;
  for (int i = 0; text.size() < (2u << 20); ++i) {
    const std::string line = "line " + std::to_string(i * 7919 % 100003) + " of the report\n";
    text.insert(text.end(), line.begin(), line.end());
  }
  std::vector<Spec> specs;
  for (int i = 0; i < 16; ++i) specs.push_back({"copy" + std::to_string(i) + ".txt", text, 8});
  specs.push_back({"other.txt", Bytes(text.begin() + 1, text.end()), 8});  // a stream of its own
  Built b = build(specs);
  const std::size_t input = b.zip.size();
  auto r = default_engine().scan(std::move(b.zip), "copies.zip");
  ASSERT_EQ(r.tree[0].children.size(), 17u);
  std::size_t shared = 0;
  for (ArtifactId c : r.tree[0].children) {
    const Artifact& a = r.tree[c];
    EXPECT_GE(a.bytes.size() + 1, text.size());
    shared += !a.meta_string("zip.same_stream_as").empty();
  }
  EXPECT_EQ(shared, 15u);
  EXPECT_LT(r.tree.owned_bytes(), input + 3 * text.size());  // the input, the first copy and the other stream
}

TEST(Zip, LyingSizesEndInFindings) {
  Spec s{"zeros.bin", Bytes(2u << 20, 0), 8};
  s.usize = 10;
  Built b = build({s});
  Direct d(b.zip);
  EXPECT_TRUE(d.has("zip.size_mismatch"));
  ASSERT_EQ(d.children().size(), 1u);
  EXPECT_EQ(d.children().front()->bytes.size(), 2u << 20);

  // A real bomb: 64 MiB of zeros compresses to ~64 KiB; the ratio limit
  // (500x, past 4 MiB) stops it at ~32 MiB.
  Spec big{"big.bin", Bytes(64u << 20, 0), 8};
  Built bb = build({big});
  auto r = default_engine().scan(std::move(bb.zip), "big.zip");
  EXPECT_TRUE(sluice::testing::has_finding(r, "limit.exceeded"));
}

TEST(Zip, LocalOnlyEntryIsStillUnpacked) {
  Spec shown{"readme.txt", bytes_of("hello reader"), 0};
  Spec hidden{"payload.exe", read_file(fixture("pe/hello.exe")), 8};
  hidden.in_central = false;
  Built b = build({shown, hidden});
  Direct d(b.zip);
  EXPECT_TRUE(d.has("zip.local_only_entry"));
  const Artifact* p = d.named("payload.exe");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(sha_of(*p), hello_sha());
  ASSERT_NE(meta(*p, "zip.local_only"), nullptr);
  ASSERT_NE(d.named("readme.txt"), nullptr);
}

TEST(Zip, CentralEntryWithoutLocalHeaderIsStillUnpacked) {
  Spec a{"a.txt", bytes_of("alpha alpha"), 0};
  Built b = build({a});
  b.zip[0] = 'X';  // the local signature is gone; the central entry remains
  Direct d(b.zip);
  EXPECT_TRUE(d.has("zip.local_header_missing"));
  const Artifact* m = d.named("a.txt");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(std::string(m->bytes.chars()), "alpha alpha");
}

TEST(Zip, NameDifferentialKeepsBothNames) {
  Spec s{"invoice.pdf", read_file(fixture("pe/hello.exe")), 8};
  s.local_name = "invoice.exe";
  Built b = build({s});
  Direct d(b.zip);
  EXPECT_TRUE(d.has("zip.local_name_mismatch"));
  ASSERT_EQ(d.children().size(), 1u);
  const auto& names = d.children().front()->names;
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0].view, "zip");
  EXPECT_EQ(names[0].value, "invoice.pdf");
  EXPECT_EQ(names[1].view, "zip-local");
  EXPECT_EQ(names[1].value, "invoice.exe");
}

TEST(Zip, PathsThatEscapeAreReported) {
  Built b = build({{"../../startup/evil.bat", bytes_of("x"), 0}, {"/etc/cron.d/x", bytes_of("y"), 0}});
  Direct d(b.zip);
  EXPECT_TRUE(d.has("zip.path_traversal"));
  EXPECT_TRUE(d.has("zip.absolute_path"));
  EXPECT_EQ(d.children().size(), 2u);
}

TEST(Zip, DuplicateNamesCaseInsensitive) {
  Built b = build({{"Invoice.exe", bytes_of("one"), 0}, {"INVOICE.EXE", bytes_of("two"), 0}});
  Direct d(b.zip);
  EXPECT_TRUE(d.has("zip.duplicate_name"));
  EXPECT_EQ(d.children().size(), 2u);
}

TEST(Zip, UnicodePathExtraKeepsBothNames) {
  const std::string header = "report.pdf";
  const std::string unicode = "report.exe";
  Spec s{header, bytes_of("data"), 0};
  Bytes extra;
  put16(extra, 0x7075);
  put16(extra, static_cast<std::uint32_t>(5 + unicode.size()));
  extra.push_back(1);
  put32(extra, crc_of(bytes_of(header)));
  put(extra, unicode);
  s.central_extra = extra;
  Built b = build({s});
  Direct d(b.zip);
  ASSERT_EQ(d.children().size(), 1u);
  const auto& names = d.children().front()->names;
  ASSERT_GE(names.size(), 2u);
  EXPECT_EQ(names[0].value, header);
  EXPECT_EQ(names[1].view, "zip-unicode");
  EXPECT_EQ(names[1].value, unicode);
  EXPECT_TRUE(d.has("zip.unicode_path_mismatch"));
}

TEST(Zip, Cp437AndUtf8Names) {
  Spec cp{"\x81" "ber.txt", bytes_of("a"), 0};  // CP437 0x81 = U+00FC
  Spec utf{"\xC3\xBC" "ber2.txt", bytes_of("b"), 0};
  utf.flags = 1u << 11;
  Built b = build({cp, utf});
  Direct d(b.zip);
  EXPECT_NE(d.named("\xC3\xBC" "ber.txt"), nullptr);
  EXPECT_NE(d.named("\xC3\xBC" "ber2.txt"), nullptr);
}

TEST(Zip, UnknownMethodIsReportedAndEmittedRaw) {
  Spec s{"mystery.exe", bytes_of("opaque bytes"), 77};
  Built b = build({s});
  Direct d(b.zip);
  EXPECT_TRUE(d.has("zip.unsupported_method"));
  const Artifact* m = d.named("mystery.exe");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(std::string(m->bytes.chars()), "opaque bytes");
}

TEST(Zip, PrependedAndAppendedDataAreArtifacts) {
  Built b = build({{"hello.exe", read_file(fixture("pe/hello.exe")), 8}});
  Bytes zip = bytes_of("MZ this stands in for a self-extractor stub ....");
  const std::size_t prefix = zip.size();
  put(zip, b.zip);
  put(zip, "APPENDED");
  Direct d(zip);
  EXPECT_TRUE(d.has("zip.prepended_data"));
  EXPECT_TRUE(d.has("zip.trailing_data"));
  const Artifact* m = d.named("hello.exe");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(sha_of(*m), hello_sha());
  ASSERT_NE(meta(d.tree[d.root], "zip.shift"), nullptr);
  EXPECT_EQ(std::get<std::int64_t>(*meta(d.tree[d.root], "zip.shift")),
            static_cast<std::int64_t>(prefix));
  EXPECT_EQ(d.children().size(), 3u);  // trailing, prepended, member
}

TEST(Zip, SecondEndRecordIsReported) {
  Built b = build({{"a.txt", bytes_of("a"), 0}});
  Bytes zip = b.zip;
  const Bytes eocd(b.zip.end() - 22, b.zip.end());
  put(zip, eocd);
  Direct d(zip);
  EXPECT_TRUE(d.has("zip.multiple_eocd"));
  EXPECT_NE(d.named("a.txt"), nullptr);
}

TEST(Zip, EntryCountLieIsReported) {
  Built b = build({{"a.txt", bytes_of("a"), 0}, {"b.txt", bytes_of("b"), 0}});
  // The end record claims one entry: readers that trust it miss b.txt.
  b.zip[b.zip.size() - 22 + 8] = 1;
  b.zip[b.zip.size() - 22 + 10] = 1;
  Direct d(b.zip);
  EXPECT_TRUE(d.has("zip.entry_count_mismatch"));
  EXPECT_NE(d.named("b.txt"), nullptr);
}

TEST(Zip, CrcMismatchIsReported) {
  Built b = build({{"a.txt", bytes_of("abcdef"), 0}});
  b.zip[30 + 5 + 2] ^= 0x20;  // flip a data byte after the header and name
  Direct d(b.zip);
  EXPECT_TRUE(d.has("zip.crc_mismatch"));
}

TEST(Zip, DosAttributesAreMeta) {
  Spec s{"boot.ini", bytes_of("x"), 0};
  s.made_by = 0x0014;  // MS-DOS host
  s.external = 0x07;   // read-only | hidden | system
  Built b = build({s});
  Direct d(b.zip);
  const Artifact* m = d.named("boot.ini");
  ASSERT_NE(m, nullptr);
  EXPECT_NE(meta(*m, "zip.readonly"), nullptr);
  EXPECT_NE(meta(*m, "zip.hidden"), nullptr);
  EXPECT_NE(meta(*m, "zip.system"), nullptr);
}

TEST(Zip, NoEndRecordRecoversFromLocalHeaders) {
  Built b = build({{"hello.exe", read_file(fixture("pe/hello.exe")), 8}});
  Bytes cut(b.zip.begin(), b.zip.begin() + b.local_offsets.size() * 0 +
                                static_cast<std::ptrdiff_t>(b.zip.size() - 22 - 46 - 9));
  Direct d(cut);
  EXPECT_TRUE(d.has("zip.eocd_missing"));
  const Artifact* m = d.named("hello.exe");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(sha_of(*m), hello_sha());
}

TEST(Zip, TooManyEntriesHitTheChildrenLimitNotLocalOnly) {
  std::vector<Spec> specs;
  for (int i = 0; i < 30; ++i) specs.emplace_back("f" + std::to_string(i), bytes_of("x"), 0);
  Built b = build(specs);
  Limits lim;
  lim.max_children = 10;
  Direct d(b.zip, {}, lim);
  EXPECT_TRUE(d.has("limit.exceeded"));
  EXPECT_FALSE(d.has("zip.local_only_entry"));
  EXPECT_FALSE(d.has("zip.entry_count_mismatch"));
  ASSERT_FALSE(d.tree.limits_hit.empty());
  EXPECT_EQ(d.tree.limits_hit.front().kind, LimitKind::children);
}

TEST(Zip, EveryPrefixOfAFixtureIsSafe) {
  const Bytes full = read_file(fixture("zip/aicpa.zip"));
  for (std::size_t n = 0; n <= full.size(); n += 97) {
    Direct d(Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n)));
    (void)d;
  }
}

}  // namespace
}  // namespace sluice::formats::zip
