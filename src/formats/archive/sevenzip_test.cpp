// Encrypted 7z (sevenzip_*.cpp): the key derivation front end, the header
// reader, the password search with its caps, and the whole path through the
// engine. Oracles: 7-Zip (`7z l -slt` names, `7z e -so` bytes, run with the
// real password) over tests/fixtures/7z_crypto (made by
// make_7z_crypto_fixtures.sh) and the corpora's encrypted 7z files.
#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

#include "formats/archive/libarchive_for_tests.hpp"
#include "core/budget.hpp"
#include "formats/archive/sevenzip_crypto.hpp"
#include "formats/archive/sevenzip_header.hpp"
#include "formats/archive/reader.hpp"
#include "formats/archive/sevenzip_open.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;
namespace sz = formats::archive::sevenzip;
using testing::fixture;
using testing::has_finding;
using testing::read_file;

ByteView view(const std::vector<std::uint8_t>& b) { return ByteView(b.data(), b.size()); }

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::vector<std::uint8_t> run(const std::string& cmd) {
  std::vector<std::uint8_t> out;
  FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
  if (p == nullptr) return out;
  std::array<std::uint8_t, 65536> buf{};
  for (std::size_t n; (n = fread(buf.data(), 1, buf.size(), p)) > 0;) out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  pclose(p);
  return out;
}

bool have_7z() {
  const bool ok = std::system("command -v 7z >/dev/null 2>&1") == 0;
  if (!ok && std::getenv("CI") != nullptr) ADD_FAILURE() << "7z (p7zip-full) is required in CI";
  return ok;
}

// 7-Zip's view with the right password: file path -> SHA-256 of its bytes.
std::map<std::string, std::string> oracle(const fs::path& file, const std::string& pw) {
  std::map<std::string, std::string> out;
  const auto raw = run("7z l -slt -ba -p" + quote(pw) + " " + quote(file.string()));
  std::istringstream in(std::string(raw.begin(), raw.end()));
  std::string line, path;
  bool folder = false;
  auto flush = [&] {
    if (!path.empty() && !folder) {
      out[path] = testing::sha256_hex(run("7z e -so -spd -bd -p" + quote(pw) + " " + quote(file.string()) + " -- " + quote(path)));
    }
    path.clear();
    folder = false;
  };
  while (std::getline(in, line)) {
    if (line.starts_with("Path = ")) {
      flush();
      path = line.substr(7);
    }
    if (line == "Folder = +") folder = true;
    // "Attributes = HD_ -rwx": a D among the Windows letters, before the space.
    if (line.starts_with("Attributes = ") && line.find('D') < line.find(' ', 13)) folder = true;
  }
  flush();
  return out;
}

struct Opened {
  sz::OpenOutcome outcome;
  std::uint64_t rounds = 0;
};

Opened open_with(const std::vector<std::uint8_t>& bytes, std::vector<std::string> candidates, const Limits& l = {}) {
  core::Budget budget(l, core::Budget::Clock::now());
  sz::OpenOptions o;
  o.max_candidates = l.max_password_candidates;
  o.verify_rewrite = [](ByteView a) {
    return formats::archive::first_file_decodes(formats::archive::libarchive_for_tests(), a, 1u << 20);
  };
  Opened r{sz::open_encrypted(view(bytes), candidates, budget, o), budget.key_rounds()};
  return r;
}

// Our children (name -> SHA-256) after the rewritten archive went through libarchive.
std::map<std::string, std::string> ours(const std::vector<std::uint8_t>& archive) {
  const ScanResult r = testing::engine_only({"archive"}).scan(std::vector<std::uint8_t>(archive), "x.7z");
  std::map<std::string, std::string> out;
  for (ArtifactId c : r.tree[0].children) {
    const Artifact& a = r.tree[c];
    out[std::string(a.display_name())] = to_hex(a.hashes.sha256);
  }
  return out;
}

// ------------------------------------------------------------ front end

TEST(SevenZipCrypto, AesPropertiesAreBounded) {
  // power 19, salt 0, IV 16 (7-Zip's default): 0x40|19, 0x0F, 16 bytes.
  std::vector<std::uint8_t> p{0x53, 0x0F};
  p.resize(18, 0xAB);
  auto ok = sz::parse_aes_props(view(p));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->cycles_power, 19u);
  EXPECT_TRUE(ok->salt.empty());
  EXPECT_EQ(ok->iv[15], 0xAB);
  EXPECT_EQ(ok->rounds(), 1u << 19);
  // 2^25 rounds: 7-Zip refuses it, so do we (a CPU bomb otherwise).
  p[0] = 0x40 | 25;
  EXPECT_FALSE(sz::parse_aes_props(view(p)));
  // Declared IV longer than the properties.
  const std::vector<std::uint8_t> cut{0x53, 0x0F, 1, 2};
  EXPECT_FALSE(sz::parse_aes_props(view(cut)));
  EXPECT_FALSE(sz::parse_aes_props(ByteView{}));
}

TEST(SevenZipCrypto, PasswordIsHashedAsUtf16le) {
  EXPECT_EQ(sz::utf16le_password("Ab"), (std::vector<std::uint8_t>{'A', 0, 'b', 0}));
  EXPECT_EQ(sz::utf16le_password("\xD0\xBF"), (std::vector<std::uint8_t>{0x3F, 0x04}));  // п
  EXPECT_EQ(sz::utf16le_password("\xF0\x9F\x94\x91"), (std::vector<std::uint8_t>{0x3D, 0xD8, 0x11, 0xDD}));
  EXPECT_EQ(sz::utf16le_password("\xE9"), (std::vector<std::uint8_t>{0xE9, 0x00})) << "bad UTF-8 as Latin-1";
}

// 7-Zip's definition, written out: SHA-256 of 2^power rounds of
// salt | UTF-16LE password | the round number as 8 little-endian bytes.
sz::Key reference_key(const sz::AesProps& p, std::string_view password) {
  std::vector<std::uint8_t> stream;
  const std::vector<std::uint8_t> pw = sz::utf16le_password(password);
  for (std::uint64_t round = 0; round < p.rounds(); ++round) {
    stream.insert(stream.end(), p.salt.begin(), p.salt.end());
    stream.insert(stream.end(), pw.begin(), pw.end());
    for (int b = 0; b < 8; ++b) stream.push_back(static_cast<std::uint8_t>(round >> (8 * b)));
  }
  sz::Key k{};
  SHA256(stream.data(), stream.size(), k.data());
  return k;
}

TEST(SevenZipCrypto, KeyIsTheHashOfEveryRoundWhateverTheBatching) {
  // Short and long passwords, with and without salt, round counts below and
  // across the derivation's batches (32 KiB of rounds each).
  const std::string long_password(300, 'p');
  for (const std::string& password : {std::string("Order2020"), std::string(), long_password}) {
    for (const std::vector<std::uint8_t>& salt : {std::vector<std::uint8_t>{}, std::vector<std::uint8_t>{1, 2, 3}}) {
      for (std::uint32_t power : {0u, 1u, 7u, 12u}) {
        sz::AesProps p;
        p.cycles_power = power;
        p.salt = salt;
        EXPECT_EQ(sz::derive_key(p, password), reference_key(p, password))
            << "password of " << password.size() << " bytes, salt " << salt.size() << ", 2^" << power;
      }
    }
  }
}

TEST(SevenZipCrypto, KeysDerivedInPairsAreEachTheHashOfItsRounds) {
  // Two passwords' streams in lock step: equal and unequal lengths (the
  // shorter stream ends first and the longer finishes alone), odd unit sizes
  // whose runs are not whole blocks until rounded, salts, the raw form.
  const std::vector<std::string> pws{"Order2020", std::string(), "x", std::string(37, 'q'), "\xD0\xBF\xD0\xB0"};
  for (const std::string& a : pws) {
    for (const std::string& b : pws) {
      for (const std::vector<std::uint8_t>& salt : {std::vector<std::uint8_t>{}, std::vector<std::uint8_t>{5, 6, 7}}) {
        for (std::uint32_t power : {0u, 3u, 11u}) {
          sz::AesProps p;
          p.cycles_power = power;
          p.salt = salt;
          const std::array<sz::Key, 2> both = sz::derive_keys(p, a, b);
          SCOPED_TRACE(std::to_string(a.size()) + " / " + std::to_string(b.size()) + ", salt " +
                       std::to_string(salt.size()) + ", 2^" + std::to_string(power));
          EXPECT_EQ(both[0], reference_key(p, a));
          EXPECT_EQ(both[1], reference_key(p, b));
        }
      }
    }
  }
  sz::AesProps raw;
  raw.cycles_power = sz::kRawKeyPower;
  EXPECT_EQ(sz::derive_keys(raw, "A", "B")[1], sz::derive_key(raw, "B"));
}

TEST(SevenZipCrypto, KeyDependsOnEveryInput) {
  sz::AesProps a;
  a.cycles_power = 4;
  const sz::Key k1 = sz::derive_key(a, "Order2020");
  EXPECT_EQ(k1, sz::derive_key(a, "Order2020"));
  EXPECT_NE(k1, sz::derive_key(a, "Order2021"));
  sz::AesProps salted = a;
  salted.salt = {1};
  EXPECT_NE(k1, sz::derive_key(salted, "Order2020"));
  sz::AesProps more = a;
  more.cycles_power = 5;
  EXPECT_NE(k1, sz::derive_key(more, "Order2020"));
  // 0x3F: no hashing, salt | password zero-padded.
  sz::AesProps raw;
  raw.cycles_power = sz::kRawKeyPower;
  raw.salt = {9};
  const sz::Key k = sz::derive_key(raw, "A");
  EXPECT_EQ(k[0], 9);
  EXPECT_EQ(k[1], 'A');
  EXPECT_EQ(k[2], 0);
  EXPECT_EQ(k[31], 0);
}

TEST(SevenZipHeader, NumbersRoundTrip) {
  for (std::uint64_t v : {0ull, 1ull, 127ull, 128ull, 16383ull, 16384ull, 1ull << 40, ~0ull}) {
    std::vector<std::uint8_t> b{sz::kHeader, sz::kFilesInfo};
    sz::put_number(b, v);  // files count
    b.push_back(sz::kEnd);
    b.push_back(sz::kEnd);
    auto h = sz::parse_header(view(b));
    ASSERT_TRUE(h) << v;
    ASSERT_TRUE(h->files_raw);
    EXPECT_EQ(h->files_raw->size, b.size() - 2) << v;
  }
}

TEST(SevenZipHeader, HostileCountsAreRefused) {
  // kEncodedHeader, kUnpackInfo, kFolder, 2^40 folders.
  std::vector<std::uint8_t> b{sz::kEncodedHeader, sz::kUnpackInfo, sz::kFolder};
  sz::put_number(b, 1ull << 40);
  b.push_back(0);
  EXPECT_FALSE(sz::parse_header(view(b)));
  // A folder with 65 coders.
  std::vector<std::uint8_t> c{sz::kEncodedHeader, sz::kUnpackInfo, sz::kFolder, 1, 0, 65};
  c.resize(c.size() + 200, 0x01);
  EXPECT_FALSE(sz::parse_header(view(c)));
  // A pack CRC bit vector cut short.
  std::vector<std::uint8_t> d{sz::kHeader, sz::kMainStreamsInfo, sz::kPackInfo, 0, 1, sz::kSize, 1, sz::kCrc, 0};
  EXPECT_FALSE(sz::parse_header(view(d)));
  std::vector<std::uint8_t> e{sz::kHeader, sz::kMainStreamsInfo, sz::kUnpackInfo, sz::kFolder, 1, 0,
                              1, 0x01, 0x00, sz::kCodersUnpackSize, 1, sz::kEnd, sz::kSubStreamsInfo,
                              sz::kNumUnpackStream};
  // 2^30 files in one folder, their CRCs as a bit vector: refused before any list is made.
  sz::put_number(e, 1ull << 30);
  e.push_back(sz::kCrc);
  e.push_back(0);
  e.resize(e.size() + 64, 0xFF);
  EXPECT_FALSE(sz::parse_header(view(e)));
}

// ------------------------------------------------------------ fixtures

struct Fixture {
  const char* name;
  bool encrypted_headers;
};

class SevenZipFixtures : public ::testing::TestWithParam<Fixture> {};

TEST_P(SevenZipFixtures, OpensWithTheRightPasswordAndMatches7Zip) {
  const Fixture& f = GetParam();
  const fs::path p = fixture(std::string("7z_crypto/") + f.name);
  const auto bytes = read_file(p);
  ASSERT_TRUE(sz::uses_aes(view(bytes)));
  const Opened o = open_with(bytes, {"wrong", "Order2021", "Order2020", "never"});
  ASSERT_TRUE(o.outcome.opened) << o.outcome.problem;
  EXPECT_EQ(o.outcome.password, "Order2020");
  EXPECT_EQ(o.outcome.tried, 3u);
  EXPECT_EQ(o.outcome.encrypted_headers, f.encrypted_headers);
  EXPECT_EQ(o.outcome.rounds, 3u << 19) << "one derivation per candidate tried (one salt in the archive)";
  // Keys are derived two candidates at a time and charged when derived: the
  // fourth candidate's key came with the third's.
  EXPECT_EQ(o.rounds, 4u << 19);
  EXPECT_FALSE(sz::uses_aes(view(o.outcome.archive))) << "the rewrite has no AES coder left";
  if (!have_7z()) SLUICE_SKIP_UNLESS_CI() << "7z absent";
  const auto want = oracle(p, "Order2020");
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(ours(o.outcome.archive), want);
}

TEST_P(SevenZipFixtures, WrongPasswordsLeaveItClosed) {
  const auto bytes = read_file(fixture(std::string("7z_crypto/") + GetParam().name));
  const Opened o = open_with(bytes, {"wrong", "order2020", "infected"});
  EXPECT_FALSE(o.outcome.opened);
  EXPECT_EQ(o.outcome.tried, 3u);
  EXPECT_TRUE(o.outcome.archive.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Writers, SevenZipFixtures,
    ::testing::Values(Fixture{"order_lzma2.7z", false}, Fixture{"order_lzma2_mhe.7z", true},
                      Fixture{"order_lzma_mhe.7z", true}, Fixture{"order_solid_mhe.7z", true},
                      Fixture{"order_nonsolid.7z", false}, Fixture{"order_bcj2_mhe.7z", true},
                      Fixture{"order_copy.7z", false}, Fixture{"order_ppmd.7z", false},
                      Fixture{"order_deflate.7z", false}),
    [](const auto& p) {
      std::string n = p.param.name;
      return n.substr(0, n.find('.'));
    });

TEST(SevenZipCaps, CandidateCapIsReported) {
  const auto bytes = read_file(fixture("7z_crypto/order_lzma2_mhe.7z"));
  Limits l;
  l.max_password_candidates = 2;
  const Opened o = open_with(bytes, {"a1", "b2", "Order2020"}, l);
  EXPECT_FALSE(o.outcome.opened);
  EXPECT_TRUE(o.outcome.candidates_capped);
  EXPECT_EQ(o.outcome.tried, 2u);
}

TEST(SevenZipCaps, KeyDerivationBudgetIsReported) {
  const auto bytes = read_file(fixture("7z_crypto/order_lzma2.7z"));
  Limits l;
  l.max_key_derivation_rounds = (1u << 19) + 5;  // room for one candidate
  const Opened o = open_with(bytes, {"a1", "Order2020"}, l);
  EXPECT_FALSE(o.outcome.opened);
  EXPECT_TRUE(o.outcome.rounds_capped);
  EXPECT_EQ(o.outcome.tried, 1u);
  EXPECT_EQ(o.rounds, 1u << 19);
}

TEST(SevenZipCaps, EngineReportsTheCapAsALimit) {
  Limits l;
  l.max_password_candidates = 1;
  // Alone (no message): the candidates are its name and the defaults.
  const ScanResult r = testing::engine_only({"archive"}, &l).scan(read_file(fixture("7z_crypto/order_lzma2.7z")), "Order.7z");
  EXPECT_TRUE(has_finding(r, "limit.exceeded"));
  bool hit = false;
  for (const LimitHit& h : r.tree.limits_hit) hit |= h.kind == LimitKind::password_candidates;
  EXPECT_TRUE(hit);
}

TEST(SevenZipEngine, HeaderEncryptedWithoutPasswordIsUnopenedNotAnError) {
  const ScanResult r = testing::engine_only({"archive"}).scan(read_file(fixture("7z_crypto/order_lzma2_mhe.7z")), "Order.7z");
  EXPECT_TRUE(has_finding(r, "archive.encrypted_headers"));
  EXPECT_TRUE(has_finding(r, "archive.encrypted_unopened"));
  EXPECT_FALSE(has_finding(r, "unpack.error"));
  EXPECT_EQ(r.tree.size(), 1u);
  EXPECT_NE(r.verdict, Verdict::clean);
}

TEST(SevenZipEngine, DefaultPasswordOpensAndIsRecorded) {
  // archive/encrypted_headers.7z (make_archive_fixtures.sh) uses "infected",
  // one of the sample-sharing defaults.
  const ScanResult r = testing::engine_only({"archive"}).scan(read_file(fixture("archive/encrypted_headers.7z")), "e.7z");
  ASSERT_EQ(r.tree.size(), 2u);
  const Artifact& txt = r.tree[1];
  EXPECT_EQ(txt.display_name(), "docs/readme.txt");
  EXPECT_EQ(txt.meta_string("archive.password"), "infected");
  const std::string hello = "hello\n";
  EXPECT_EQ(std::string(txt.bytes.chars()), hello);
  EXPECT_TRUE(has_finding(r, "archive.encrypted_headers"));
  EXPECT_FALSE(has_finding(r, "archive.encrypted_unopened"));
}

// ------------------------------------------------------------ corpora

TEST(SevenZipCorpus, EncryptedArchivesMatch7Zip) {
  const fs::path root = testing::corpora() / "archives";
  if (!fs::is_directory(root / "py7zr")) {
    if (std::getenv("CI") != nullptr) FAIL() << "../shared/corpora is required in CI";
    SLUICE_SKIP_UNLESS_CI() << "../shared/corpora absent";
  }
  if (!have_7z()) SLUICE_SKIP_UNLESS_CI() << "7z absent";
  // Passwords from the corpora's own tests (py7zr, p7zip, Strelka).
  const std::vector<std::pair<const char*, const char*>> files = {
      {"py7zr/encrypted_1.7z", "secret"},       {"py7zr/encrypted_2.7z", "secret"},
      {"py7zr/encrypted_3.7z", "secret"},       {"py7zr/filename_encryption.7z", "hello"},
      {"p7zip/7za433_7zip_lzma2_crypto.7z", "qwerty"}, {"p7zip/7za433_7zip_lzma_crypto.7z", "qwerty"},
      {"strelka/test_password.7z", "password"}, {"strelka/test_password_filenames.7z", "password"},
  };
  for (const auto& [rel, pw] : files) {
    SCOPED_TRACE(rel);
    const auto bytes = read_file(root / rel);
    const Opened o = open_with(bytes, {"nope", pw});
    ASSERT_TRUE(o.outcome.opened) << o.outcome.problem;
    EXPECT_EQ(o.outcome.password, pw);
    EXPECT_EQ(ours(o.outcome.archive), oracle(root / rel, pw));
  }
}

}  // namespace
}  // namespace sluice
