// Encrypted RAR 5 (rar5_*.cpp, docs/adr/0018) and RAR 3/4 (rar3_*.cpp,
// docs/adr/0020): key derivation and its check value, the password search
// with its caps, and the whole path through the engine. Archives: the shared
// corpora's (rarfile's, Strelka's and libarchive's test files, passwords
// "password" and "12345678"). Oracles: unar (The Unarchiver), which decrypts
// RAR 5, run with the real password; for RAR 3, whose data neither unar nor
// Debian's 7-Zip decodes reliably, 7-Zip's listing (it decrypts RAR 3
// headers): names, sizes and the CRC32 of every member.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

#include "formats/archive/libarchive_for_tests.hpp"
#include "core/budget.hpp"
#include "formats/archive/rar3_crypto.hpp"
#include "formats/archive/rar3_open.hpp"
#include "formats/archive/rar5_crypto.hpp"
#include "formats/archive/rar5_open.hpp"
#include "formats/archive/reader.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;
namespace r5 = formats::archive::rar5;
namespace r3 = formats::archive::rar3;
using testing::has_finding;
using testing::read_file;

constexpr std::array kEncrypted{"rarfile/rar5-psw.rar",       "rarfile/rar5-hpsw.rar",
                                "rarfile/rar5-psw-blake.rar", "strelka/test_password.rar",
                                "strelka/test_password_encrypted_headers.rar",
                                "strelka/test_password_mixed_encrypted_headers.rar"};

fs::path archives() { return testing::corpora() / "archives"; }

bool have_corpus() { return fs::is_directory(archives() / "rarfile"); }

bool have_unar() {
  const bool ok = std::system("command -v unar >/dev/null 2>&1") == 0;
  if (!ok && testing::in_ci()) ADD_FAILURE() << "unar is required in CI (scripts/install-deps.sh)";
  return ok;
}

// unar's extraction with the real password: relative path -> SHA-256.
std::map<std::string, std::string> oracle(const fs::path& file, const std::string& pw) {
  const fs::path dir = fs::temp_directory_path() / ("sluice-unar-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string cmd = "unar -q -f -D -p '" + pw + "' -o '" + dir.string() + "' '" + file.string() + "' >/dev/null 2>&1";
  std::map<std::string, std::string> out;
  if (std::system(cmd.c_str()) == 0) {
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = testing::sha256_hex(read_file(e.path()));
    }
  }
  fs::remove_all(dir);
  return out;
}

std::vector<std::uint8_t> mail_with(const std::vector<std::uint8_t>& rar, const std::string& body) {
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string b64;
  for (std::size_t i = 0; i < rar.size(); i += 3) {
    const std::uint32_t v = (rar[i] << 16) | (i + 1 < rar.size() ? rar[i + 1] << 8 : 0) | (i + 2 < rar.size() ? rar[i + 2] : 0);
    b64 += kB64[(v >> 18) & 63];
    b64 += kB64[(v >> 12) & 63];
    b64 += i + 1 < rar.size() ? kB64[(v >> 6) & 63] : '=';
    b64 += i + 2 < rar.size() ? kB64[v & 63] : '=';
    if ((i / 3 + 1) % 19 == 0) b64 += "\r\n";
  }
  const std::string m = "From: a@sender.example\r\nTo: b@victim.example\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
                        "Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\n" +
                        body + "\r\n--XX\r\nContent-Type: application/octet-stream\r\n"
                        "Content-Disposition: attachment; filename=\"Order.rar\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                        b64 + "\r\n--XX--\r\n";
  return {m.begin(), m.end()};
}

r5::OpenOutcome open_with(const std::vector<std::uint8_t>& bytes, std::vector<std::string> candidates,
                          Limits l = {}, r5::OpenOptions opts = {}) {
  core::Budget budget(l, std::chrono::steady_clock::now());
  return r5::open_encrypted(ByteView(bytes.data(), bytes.size()), candidates, budget, opts);
}

r3::OpenOutcome open3(const std::vector<std::uint8_t>& bytes, std::vector<std::string> candidates, Limits l = {},
                      r3::OpenOptions opts = {}) {
  core::Budget budget(l, std::chrono::steady_clock::now());
  if (!opts.verify) {
    opts.verify = [](ByteView a, std::size_t entry, std::uint32_t crc) {
      return formats::archive::entry_crc_matches(formats::archive::libarchive_for_tests(), a, FileType::rar, entry,
                                                 crc, 1u << 20);
    };
  }
  return r3::open_encrypted(ByteView(bytes.data(), bytes.size()), candidates, budget, opts);
}

TEST(Rar5Crypto, CheckValueComesFromTheSamePbkdf2Chain) {
  r5::KdfParams p;
  p.count = 4;
  p.salt.fill(7);
  const r5::Keys a = r5::derive(p, "password");
  const r5::Keys b = r5::derive(p, "passwore");
  EXPECT_NE(a.key, b.key);
  EXPECT_NE(a.check, b.check);
  EXPECT_NE(a.key, a.hash_key);
  // The key is PBKDF2-HMAC-SHA256 itself: RFC 7914 §11's second test vector
  // (P="Password", S="NaCl", c=80000) is longer than 16 salt bytes allow, so
  // check the shape instead: deterministic, and the count matters.
  EXPECT_EQ(r5::derive(p, "password").key, a.key);
  p.count = 5;
  EXPECT_NE(r5::derive(p, "password").key, a.key);
  EXPECT_EQ(p.rounds(), 32u + 32u);
}

// OpenSSL's PKCS5_PBKDF2_HMAC is the oracle: continuing the chain 16 and 32
// iterations is PBKDF2 with 16 and 32 more iterations.
TEST(Rar5Crypto, KeysArePbkdf2HmacSha256AsOpenSslComputesIt) {
  r5::KdfParams p;
  p.count = 10;
  for (std::size_t i = 0; i < p.salt.size(); ++i) p.salt[i] = static_cast<std::uint8_t>(i * 17);
  // Empty, short, exactly one block, and longer than a block (HMAC hashes
  // such a key first).
  for (const std::string& pw : {std::string("Order2020 pässwörd"), std::string(), std::string(64, 'k'),
                               std::string(65, 'k') + "ey", std::string(200, 'x')}) {
    SCOPED_TRACE(pw.size());
    const r5::Keys k = r5::derive(p, pw);
    auto pbkdf2 = [&](int iterations) {
      std::array<std::uint8_t, 32> out{};
      PKCS5_PBKDF2_HMAC(pw.data(), static_cast<int>(pw.size()), p.salt.data(), 16, iterations, EVP_sha256(), 32,
                        out.data());
      return out;
    };
    EXPECT_EQ(k.key, pbkdf2(1024));
    EXPECT_EQ(k.hash_key, pbkdf2(1024 + 16));
    const auto v2 = pbkdf2(1024 + 32);
    std::array<std::uint8_t, 8> check{};
    for (std::size_t i = 0; i < v2.size(); ++i) check[i % 8] ^= v2[i];
    EXPECT_EQ(k.check, check);
  }
}

// Two candidates' chains run side by side give each the keys it gets alone,
// whatever the two passwords' lengths (one may be hashed first, the other not).
TEST(Rar5Crypto, KeysDerivedInPairsEqualKeysDerivedAlone) {
  r5::KdfParams p;
  p.count = 6;
  for (std::size_t i = 0; i < p.salt.size(); ++i) p.salt[i] = static_cast<std::uint8_t>(200 - i);
  const std::vector<std::string> pws{"Order2020", std::string(), std::string(64, 'k'), std::string(90, 'z'), "a"};
  for (const std::string& a : pws) {
    for (const std::string& b : pws) {
      SCOPED_TRACE(std::to_string(a.size()) + " / " + std::to_string(b.size()));
      const std::array<r5::Keys, 2> both = r5::derive_pair(p, a, b);
      for (std::size_t j = 0; j < 2; ++j) {
        const r5::Keys alone = r5::derive(p, j == 0 ? a : b);
        EXPECT_EQ(both[j].key, alone.key);
        EXPECT_EQ(both[j].hash_key, alone.hash_key);
        EXPECT_EQ(both[j].check, alone.check);
      }
    }
  }
}

// The search derives the next candidate's key beside the current one's: the
// right password found second, third or last opens the same, and each pair
// is charged to the key-derivation budget when derived.
TEST(Rar5Caps, PairedDerivationsFindAnyPositionAndAreCharged) {
  if (!have_corpus()) {
    SLUICE_SKIP_UNLESS_CI() << "../shared/corpora absent";
  }
  const auto bytes = read_file(archives() / "rarfile/rar5-hpsw.rar");
  const std::vector<std::vector<std::string>> lists{
      {"password"}, {"a", "password"}, {"a", "b", "password"}, {"a", "b", "c", "password", "d"}};
  for (const auto& list : lists) {
    SCOPED_TRACE(list.size());
    const r5::OpenOutcome o = open_with(bytes, list, {}, {});
    EXPECT_TRUE(o.opened);
    EXPECT_EQ(o.password, "password");
    const auto at = static_cast<std::size_t>(std::find(list.begin(), list.end(), "password") - list.begin());
    EXPECT_EQ(o.tried, at + 1);
  }
  // Room for exactly one derivation: the pair is not taken, the first
  // candidate is derived alone and the second is refused by the budget.
  Limits one;
  one.max_key_derivation_rounds = (1u << 15) + 32;
  const r5::OpenOutcome capped = open_with(bytes, {"a", "password"}, one);
  EXPECT_FALSE(capped.opened);
  EXPECT_TRUE(capped.rounds_capped);
  EXPECT_EQ(capped.tried, 1u);
}

TEST(Rar5Crypto, AStoredCheckValueMustCarryItsOwnChecksum) {
  std::array<std::uint8_t, 12> twelve{1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0};
  EXPECT_FALSE(r5::read_check(ByteView(twelve.data(), twelve.size())));
  EXPECT_FALSE(r5::read_check(ByteView(twelve.data(), 8)));
}

TEST(Rar5Corpus, EncryptedArchivesOpenAndMatchUnar) {
  if (!have_corpus()) {
    SLUICE_SKIP_UNLESS_CI() << "../shared/corpora absent";
  }
  if (!have_unar()) SLUICE_SKIP_UNLESS_CI() << "unar absent";
  const Engine engine = testing::default_engine();
  for (const char* rel : kEncrypted) {
    SCOPED_TRACE(rel);
    const auto bytes = read_file(archives() / rel);
    const r5::OpenOutcome o = open_with(bytes, {"nope", "password"});
    ASSERT_TRUE(o.opened) << o.problem;
    EXPECT_EQ(o.password, "password");
    EXPECT_EQ(o.tried, 2u);
    EXPECT_EQ(o.encrypted_headers, std::string_view(rel).find("hpsw") != std::string_view::npos ||
                                       std::string_view(rel).find("encrypted_headers") != std::string_view::npos);
    // Through the engine, in a mail whose body gives the password.
    const auto mail = mail_with(bytes, "The archive is protected. Password: password");
    const ScanResult r = engine.scan(ByteView(mail.data(), mail.size()), "m.eml");
    std::map<std::string, std::string> ours;
    const Artifact* rar = testing::find_by_type(r, FileType::rar);
    ASSERT_NE(rar, nullptr);
    EXPECT_EQ(rar->meta_string("archive.password"), "password");
    for (ArtifactId id : rar->children) {
      const Artifact& m = r.tree[id];
      if (m.bytes.empty() && m.display_name().ends_with('/')) continue;  // a directory entry
      const std::vector<std::uint8_t> b(m.bytes.data(), m.bytes.data() + m.bytes.size());
      ours[std::string(m.display_name())] = testing::sha256_hex(b);
      EXPECT_EQ(m.meta_string("archive.password"), "password");
    }
    EXPECT_EQ(ours, oracle(archives() / rel, "password"));
    EXPECT_FALSE(has_finding(r, "archive.encrypted_unopened"));
    EXPECT_FALSE(has_finding(r, "unpack.error"));
  }
}

TEST(Rar5Corpus, AWrongPasswordIsRejectedByTheCheckValue) {
  if (!have_corpus()) {
    SLUICE_SKIP_UNLESS_CI() << "../shared/corpora absent";
  }
  for (const char* rel : kEncrypted) {
    SCOPED_TRACE(rel);
    const r5::OpenOutcome o = open_with(read_file(archives() / rel), {"nope", "Password", "password1"});
    EXPECT_FALSE(o.opened);
    EXPECT_EQ(o.tried, 3u);
    EXPECT_EQ(o.problem, "no candidate password matched");
    EXPECT_TRUE(o.archive.empty());
  }
}

TEST(Rar5Caps, CandidateAndKeyDerivationCapsAreReported) {
  if (!have_corpus()) {
    SLUICE_SKIP_UNLESS_CI() << "../shared/corpora absent";
  }
  const auto bytes = read_file(archives() / "rarfile/rar5-hpsw.rar");
  r5::OpenOptions one;
  one.max_candidates = 1;
  const r5::OpenOutcome capped = open_with(bytes, {"a", "password"}, {}, one);
  EXPECT_FALSE(capped.opened);
  EXPECT_TRUE(capped.candidates_capped);
  EXPECT_EQ(capped.tried, 1u);
  Limits tight;
  tight.max_key_derivation_rounds = 1000;  // less than one RAR 5 key (2^15 by default)
  const r5::OpenOutcome rounds = open_with(bytes, {"password"}, tight);
  EXPECT_FALSE(rounds.opened);
  EXPECT_TRUE(rounds.rounds_capped);
  EXPECT_EQ(rounds.tried, 0u);
  // Through the engine the cap is a limit hit, and the archive is never clean.
  const ScanResult r = testing::engine_with(tight).scan(read_file(archives() / "rarfile/rar5-hpsw.rar"), "x.rar");
  bool hit = false;
  for (const LimitHit& h : r.tree.limits_hit) hit |= h.kind == LimitKind::key_derivation;
  EXPECT_TRUE(hit);
  EXPECT_TRUE(has_finding(r, "archive.encrypted_headers"));
  EXPECT_TRUE(has_finding(r, "archive.encrypted_unopened"));
  EXPECT_NE(r.verdict, Verdict::clean);
}

TEST(Rar5Corpus, OlderRarEncryptionStaysUnopenedNeverClean) {
  if (!have_corpus()) {
    SLUICE_SKIP_UNLESS_CI() << "../shared/corpora absent";
  }
  const Engine engine = testing::default_engine();
  // RAR 2.0's own cipher is not opened; RAR 3's is (below), but libarchive
  // 3.6 cannot read these two once decrypted ("solid" service headers).
  for (const char* rel : {"rarfile/rar3-comment-psw.rar", "rarfile/rar3-comment-hpsw.rar", "rarfile/rar202-comment-psw.rar"}) {
    SCOPED_TRACE(rel);
    const auto bytes = read_file(archives() / rel);
    EXPECT_FALSE(r5::uses_encryption(ByteView(bytes.data(), bytes.size())));
    const auto mail = mail_with(bytes, "Password: password");
    const ScanResult r = engine.scan(ByteView(mail.data(), mail.size()), "m.eml");
    EXPECT_TRUE(has_finding(r, "archive.encrypted_unopened") || has_finding(r, "unpack.error"));
    EXPECT_NE(r.verdict, Verdict::clean);
  }
  const auto old = read_file(archives() / "rarfile/rar202-comment-psw.rar");
  const r3::OpenOutcome o = open3(old, {"password"});
  EXPECT_FALSE(o.opened);
  EXPECT_EQ(o.tried, 0u);
  EXPECT_NE(o.problem.find("RAR 1.5/2.0 cipher"), std::string::npos);
}

// ------------------------------------------------------------------ RAR 3

// The key is SHA-1 over the whole stream however it is fed: one update per
// iteration, as unrar does, gives the same key and IV.
TEST(Rar3Crypto, KeyAndIvAreSha1OverTheIteratedPasswordAndSalt) {
  const std::array<std::uint8_t, 8> salt{1, 2, 3, 4, 5, 6, 7, 8};
  const std::string pw = "Order2020";
  std::vector<std::uint8_t> raw;
  for (char c : pw) {
    raw.push_back(static_cast<std::uint8_t>(c));
    raw.push_back(0);
  }
  raw.insert(raw.end(), salt.begin(), salt.end());
  EVP_MD_CTX* c = EVP_MD_CTX_new();
  EVP_MD_CTX* snap = EVP_MD_CTX_new();
  EVP_DigestInit_ex(c, EVP_sha1(), nullptr);
  std::array<std::uint8_t, 16> iv{};
  std::array<std::uint8_t, 20> d{};
  unsigned n = 0;
  for (std::uint32_t i = 0; i < r3::kKdfIterations; ++i) {
    EVP_DigestUpdate(c, raw.data(), raw.size());
    const std::uint8_t counter[3] = {static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(i >> 8),
                                     static_cast<std::uint8_t>(i >> 16)};
    EVP_DigestUpdate(c, counter, 3);
    if (i % (r3::kKdfIterations / 16) == 0) {
      EVP_MD_CTX_copy_ex(snap, c);
      EVP_DigestFinal_ex(snap, d.data(), &n);
      iv[i / (r3::kKdfIterations / 16)] = d[19];
    }
  }
  EVP_DigestFinal_ex(c, d.data(), &n);
  EVP_MD_CTX_free(c);
  EVP_MD_CTX_free(snap);
  const auto k = r3::derive(pw, salt);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->iv, iv);
  for (std::size_t w = 0; w < 4; ++w) {
    for (std::size_t b = 0; b < 4; ++b) EXPECT_EQ(k->key[w * 4 + b], d[w * 4 + 3 - b]);
  }
  EXPECT_NE(r3::derive("Order2021", salt), k);
  EXPECT_NE(r3::derive(pw, {}), k);
}

TEST(Rar3Crypto, PasswordsTheQuirkySha1WouldChangeAreNotDerived) {
  const std::array<std::uint8_t, 8> salt{};
  EXPECT_TRUE(r3::derive(std::string(r3::kMaxPasswordUnits, 'a'), salt));
  EXPECT_FALSE(r3::derive(std::string(r3::kMaxPasswordUnits + 1, 'a'), salt));
  EXPECT_FALSE(r3::derive("x", std::span<const std::uint8_t>(salt.data(), 4)));  // a salt is 8 bytes or none
}

// Two passwords' SHA-1 runs side by side give each the keys it gets alone:
// equal and unequal lengths (the chunks' carried bytes differ), with and
// without a salt; a pair with an underivable password is refused whole.
TEST(Rar3Crypto, KeysDerivedInPairsEqualKeysDerivedAlone) {
  const std::array<std::uint8_t, 8> salt{9, 8, 7, 6, 5, 4, 3, 2};
  const std::vector<std::string> pws{"12345678", "a", std::string(r3::kMaxPasswordUnits, 'm'), "p\xC3\xA4ss"};
  for (const std::span<const std::uint8_t> s : {std::span<const std::uint8_t>(salt), std::span<const std::uint8_t>()}) {
    for (std::size_t i = 0; i < pws.size(); ++i) {
      const std::string& a = pws[i];
      const std::string& b = pws[(i + 1) % pws.size()];
      SCOPED_TRACE(a + " / " + b + ", salt " + std::to_string(s.size()));
      const auto both = r3::derive_pair(a, b, s);
      ASSERT_TRUE(both);
      EXPECT_EQ((*both)[0], r3::derive(a, s));
      EXPECT_EQ((*both)[1], r3::derive(b, s));
    }
  }
  EXPECT_FALSE(r3::derive_pair("a", std::string(r3::kMaxPasswordUnits + 1, 'a'), salt));
  EXPECT_FALSE(r3::derivable(std::string(r3::kMaxPasswordUnits + 1, 'a'), salt));
}

struct Rar3Case {
  const char* rel;
  const char* password;
  bool headers;
  std::size_t decoded;  // members whose data decodes (the rest: another password, or libarchive's limits)
};

// libarchive's test archives (passwords from its tests) and rarfile's.
constexpr std::array<Rar3Case, 5> kRar3{{
    {"libarchive/test_read_format_rar_encryption_data.rar", "12345678", false, 2},
    {"libarchive/test_read_format_rar_encryption_header.rar", "12345678", true, 2},
    {"libarchive/test_read_format_rar_encryption_partially.rar", "12345678", false, 2},
    {"libarchive/test_read_format_rar4_encrypted_filenames.rar", "password", true, 4},
    // d.txt is encrypted with another password than the rest: it stays damaged.
    {"libarchive/test_read_format_rar4_encrypted.rar", "password", false, 3},
}};

struct Listed {
  std::uint64_t size = 0;
  std::uint32_t crc = 0;
};

bool have_7z() {
  const bool ok = std::system("command -v 7z >/dev/null 2>&1") == 0;
  if (!ok && testing::in_ci()) ADD_FAILURE() << "7z is required in CI (scripts/install-deps.sh)";
  return ok;
}

// 7-Zip's technical listing with the real password: name -> size, CRC32.
std::map<std::string, Listed> listing(const fs::path& file, const std::string& pw) {
  const std::string cmd = "7z l -slt -p'" + pw + "' '" + file.string() + "' 2>/dev/null";
  std::map<std::string, Listed> out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  std::string text;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) text.append(buf, n);
  ::pclose(p);
  std::istringstream in(text.substr(std::min(text.size(), text.find("----------"))));
  std::string line, name;
  while (std::getline(in, line)) {
    if (line.starts_with("Path = ")) name = line.substr(7);
    if (line.starts_with("Size = ")) out[name].size = std::stoull(line.substr(7));
    if (line.starts_with("CRC = ") && line.size() > 6) out[name].crc = static_cast<std::uint32_t>(std::stoul(line.substr(6), nullptr, 16));
  }
  return out;
}

// The search derives the next candidate's keys beside the current one's
// (skipping empty candidates, which are never tried): the right password
// opens at any position, and a budget with room for one derivation takes
// no pair.
TEST(Rar3Corpus, PairedDerivationsFindAnyPositionAndAreCharged) {
  if (!have_corpus()) {
    SLUICE_SKIP_UNLESS_CI() << "../shared/corpora absent";
  }
  const auto bytes = read_file(archives() / "libarchive/test_read_format_rar_encryption_header.rar");
  const std::vector<std::vector<std::string>> lists{
      {"12345678"}, {"a", "12345678"}, {"a", "", "b", "12345678"}, {"a", "b", "c", "12345678", "d"}};
  for (const auto& list : lists) {
    SCOPED_TRACE(list.size());
    const r3::OpenOutcome o = open3(bytes, list);
    EXPECT_TRUE(o.opened) << o.problem;
    EXPECT_EQ(o.password, "12345678");
    std::size_t before = 0;
    for (const std::string& c : list) {
      if (c == "12345678") break;
      before += c.empty() ? 0 : 1;
    }
    EXPECT_EQ(o.tried, before + 1);
  }
  Limits one;
  one.max_key_derivation_rounds = r3::kKdfIterations;
  const r3::OpenOutcome capped = open3(bytes, {"a", "12345678"}, one);
  EXPECT_FALSE(capped.opened);
  EXPECT_TRUE(capped.rounds_capped);
  EXPECT_EQ(capped.tried, 1u);
}

TEST(Rar3Corpus, EncryptedArchivesOpenAndMatchSevenZipsListing) {
  if (!have_corpus()) {
    SLUICE_SKIP_UNLESS_CI() << "../shared/corpora absent";
  }
  if (!have_7z()) SLUICE_SKIP_UNLESS_CI() << "7z absent";
  const Engine engine = testing::default_engine();
  for (const Rar3Case& c : kRar3) {
    SCOPED_TRACE(c.rel);
    const auto bytes = read_file(archives() / c.rel);
    EXPECT_TRUE(r3::uses_encryption(ByteView(bytes.data(), bytes.size())));
    const r3::OpenOutcome o = open3(bytes, {"nope", c.password});
    ASSERT_TRUE(o.opened) << o.problem;
    EXPECT_EQ(o.password, c.password);
    EXPECT_EQ(o.tried, 2u);
    EXPECT_EQ(o.encrypted_headers, c.headers);
    const auto mail = mail_with(bytes, std::string("The archive is protected. Password: ") + c.password);
    const ScanResult r = engine.scan(ByteView(mail.data(), mail.size()), "m.eml");
    const Artifact* rar = testing::find_by_type(r, FileType::rar);
    ASSERT_NE(rar, nullptr);
    EXPECT_EQ(rar->meta_string("archive.password"), c.password);
    const auto expected = listing(archives() / c.rel, c.password);
    ASSERT_FALSE(expected.empty());
    std::size_t decoded = 0;
    for (ArtifactId id : rar->children) {
      const Artifact& m = r.tree[id];
      const std::string name(m.display_name());
      ASSERT_TRUE(expected.contains(name)) << name;
      if (m.bytes.size() != expected.at(name).size) continue;
      const auto crc = static_cast<std::uint32_t>(crc32(0, m.bytes.data(), static_cast<uInt>(m.bytes.size())));
      EXPECT_EQ(crc, expected.at(name).crc) << name;
      decoded += crc == expected.at(name).crc;
    }
    EXPECT_EQ(rar->children.size(), expected.size());
    EXPECT_EQ(decoded, c.decoded);
    EXPECT_EQ(has_finding(r, "archive.encrypted_headers"), c.headers);
    EXPECT_FALSE(has_finding(r, "archive.encrypted_unopened"));
    EXPECT_EQ(has_finding(r, "unpack.error") || has_finding(r, "archive.corrupt"), c.decoded < expected.size());
  }
}

TEST(Rar3Corpus, AWrongPasswordIsRejectedByTheCrc) {
  if (!have_corpus()) {
    SLUICE_SKIP_UNLESS_CI() << "../shared/corpora absent";
  }
  for (const Rar3Case& c : kRar3) {
    SCOPED_TRACE(c.rel);
    const r3::OpenOutcome o = open3(read_file(archives() / c.rel), {"nope", "Password", "password1"});
    EXPECT_FALSE(o.opened);
    EXPECT_EQ(o.tried, 3u);
    EXPECT_EQ(o.problem, "no candidate password matched");
    EXPECT_TRUE(o.archive.empty());
  }
  // Through the engine, with no usable password: never clean.
  const Engine engine = testing::default_engine();
  for (const char* rel : {"libarchive/test_read_format_rar_encryption_header.rar",
                          "libarchive/test_read_format_rar_encryption_data.rar"}) {
    SCOPED_TRACE(rel);
    const ScanResult r = engine.scan(read_file(archives() / rel), "x.rar");
    EXPECT_TRUE(has_finding(r, "archive.encrypted_unopened"));
    EXPECT_NE(r.verdict, Verdict::clean);
  }
}

TEST(Rar3Caps, CandidateAndKeyDerivationCapsAreReported) {
  if (!have_corpus()) {
    SLUICE_SKIP_UNLESS_CI() << "../shared/corpora absent";
  }
  const auto bytes = read_file(archives() / "libarchive/test_read_format_rar_encryption_header.rar");
  r3::OpenOptions one;
  one.max_candidates = 1;
  const r3::OpenOutcome capped = open3(bytes, {"a", "12345678"}, {}, one);
  EXPECT_FALSE(capped.opened);
  EXPECT_TRUE(capped.candidates_capped);
  EXPECT_EQ(capped.tried, 1u);
  Limits tight;
  tight.max_key_derivation_rounds = r3::kKdfIterations;  // one key, then nothing
  const r3::OpenOutcome rounds = open3(bytes, {"a", "12345678"}, tight);
  EXPECT_FALSE(rounds.opened);
  EXPECT_TRUE(rounds.rounds_capped);
  EXPECT_EQ(rounds.tried, 1u);
  // A password RAR 3's quirky SHA-1 would hash differently is skipped, not tried.
  const r3::OpenOutcome longer = open3(bytes, {std::string(40, 'x'), "12345678"});
  EXPECT_TRUE(longer.opened);
  EXPECT_EQ(longer.tried, 1u);
  const ScanResult r = testing::engine_with(tight).scan(std::vector<std::uint8_t>(bytes), "x.rar");
  bool hit = false;
  for (const LimitHit& h : r.tree.limits_hit) hit |= h.kind == LimitKind::key_derivation;
  EXPECT_TRUE(hit);
  EXPECT_TRUE(has_finding(r, "archive.encrypted_headers"));
  EXPECT_NE(r.verdict, Verdict::clean);
}

}  // namespace
}  // namespace sluice
