// MS-OFFCRYPTO against real documents: oletools' encrypted samples (Agile
// OOXML packages, RC4 xls/doc, CryptoAPI RC4 ppt) read through the compound
// file reader, and Standard vectors made at development time and checked
// with msoffcrypto-tool's ECMA376Standard (an independent implementation).
// The package sizes and zip entry counts below are what msoffcrypto-tool and
// Python's zipfile reported for the same files.
#include "codecs/office/offcrypto.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/reader.hpp"
#include "codecs/cfb/cfb.hpp"
#include "test_support.hpp"

namespace sluice::codecs::office {
namespace {

using Bytes = std::vector<std::uint8_t>;
using namespace std::string_view_literals;

ByteView view(const Bytes& b) { return {b.data(), b.size()}; }
ByteView view(std::string_view s) { return ByteView::of(s); }
Bytes bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::filesystem::path encrypted_dir() { return sluice::testing::corpora() / "office/oletools/encrypted"; }

// One top-level stream of a compound file, copied out (the reader may hand
// back a view into the file or an owned buffer).
std::optional<Bytes> ole_stream(const Bytes& file, std::string_view name) {
  std::vector<Anomaly> issues;
  auto cf = codecs::cfb::CompoundFile::parse(view(file), issues);
  if (!cf) return std::nullopt;
  for (std::uint32_t i : cf->children(0, issues)) {
    if (i < cf->entries().size() && cf->entries()[i].name == name) {
      const codecs::cfb::StreamBytes s = cf->read(i, 1u << 26, issues);
      const ByteView b = s.bytes();
      return Bytes(b.data(), b.data() + b.size());
    }
  }
  return std::nullopt;
}

struct Ooxml {
  const char* file;
  const char* password;
  std::uint64_t size;     // msoffcrypto-tool's decrypted length
  std::uint16_t entries;  // zipfile's namelist() length
};
constexpr Ooxml kOoxml[] = {
    {"autostart-encrypt-standardpassword.xlsb", "VelvetSweatshop", 12550, 14},
    {"autostart-encrypt-standardpassword.xlsm", "VelvetSweatshop", 13247, 13},
    {"dde-test-encrypt-standardpassword.xlsb", "VelvetSweatshop", 8378, 14},
    {"dde-test-encrypt-standardpassword.xlsm", "VelvetSweatshop", 9138, 12},
    {"dde-test-encrypt-standardpassword.xlsx", "VelvetSweatshop", 9121, 12},
    // oletools' commit adding these says the password is "encrypted".
    {"encrypted.docm", "encrypted", 12910, 12},
    {"encrypted.docx", "encrypted", 12898, 12},
    {"encrypted.pptm", "encrypted", 39305, 37},
    {"encrypted.pptx", "encrypted", 39278, 37},
    {"encrypted.xlsb", "encrypted", 7467, 12},
    {"encrypted.xlsm", "encrypted", 7808, 10},
    {"encrypted.xlsx", "encrypted", 7793, 10},
};

// The zip's end-of-central-directory record (no comment in these files) and
// its entry count: the last segment decrypted right, not just the first.
std::optional<std::uint16_t> zip_entry_count(const Bytes& zip) {
  if (zip.size() < 22) return std::nullopt;
  const ByteView eocd = view(zip).tail(zip.size() - 22);
  if (!eocd.starts_with("PK\x05\x06")) return std::nullopt;
  auto n = core::load_le<std::uint16_t>(eocd, 10);
  return n ? std::optional<std::uint16_t>(*n) : std::nullopt;
}

TEST(OffCrypto, AgileCorpusPackagesDecrypt) {
  if (sluice::testing::corpora().empty()) {
    SLUICE_SKIP_UNLESS_CI() << "no corpora";
  }
  for (const Ooxml& c : kOoxml) {
    SCOPED_TRACE(c.file);
    const Bytes file = sluice::testing::read_file(encrypted_dir() / c.file);
    const auto info_stream = ole_stream(file, "EncryptionInfo");
    const auto package_stream = ole_stream(file, "EncryptedPackage");
    ASSERT_TRUE(info_stream && package_stream);
    auto info = parse_encryption_info(view(*info_stream));
    ASSERT_TRUE(info.has_value()) << info.error().what;
    EXPECT_EQ(info->kind, EncryptionKind::agile);
    EXPECT_EQ(info->version_major, 4);
    EXPECT_EQ(info->version_minor, 4);
    EXPECT_TRUE(info->supported) << info->unsupported_reason;
    EXPECT_EQ(info->algorithm, "AES-128 / SHA1 (agile)");
    EXPECT_EQ(info->spin_count, 100000u);
    EXPECT_GE(derivation_rounds(*info), 100000u);

    const std::string_view other = std::string_view(c.password) == "encrypted" ? kExcelDefaultPassword : "encrypted";
    EXPECT_FALSE(verify_password(*info, other).has_value());
    const auto key = verify_password(*info, c.password);
    ASSERT_TRUE(key.has_value());
    EXPECT_EQ(key->size(), 16u);

    auto pkg = decrypt_package(*info, *key, view(*package_stream), 1u << 26);
    ASSERT_TRUE(pkg.has_value()) << pkg.error().what;
    EXPECT_EQ(pkg->declared_size, c.size);
    EXPECT_EQ(pkg->bytes.size(), pkg->declared_size);
    EXPECT_FALSE(pkg->truncated);
    ASSERT_TRUE(view(pkg->bytes).starts_with("PK\x03\x04"));
    EXPECT_EQ(zip_entry_count(pkg->bytes), std::optional<std::uint16_t>(c.entries));

    // A cap in the middle of a segment: exactly that many bytes, the same ones.
    auto cut = decrypt_package(*info, *key, view(*package_stream), 5000);
    ASSERT_TRUE(cut.has_value());
    EXPECT_TRUE(cut->truncated);
    ASSERT_EQ(cut->bytes.size(), 5000u);
    EXPECT_TRUE(std::equal(cut->bytes.begin(), cut->bytes.end(), pkg->bytes.begin()));
  }
}

TEST(OffCrypto, AgileDescriptorIsReadTolerantly) {
  if (sluice::testing::corpora().empty()) {
    SLUICE_SKIP_UNLESS_CI() << "no corpora";
  }
  const Bytes file = sluice::testing::read_file(encrypted_dir() / "dde-test-encrypt-standardpassword.xlsx");
  const auto stream = ole_stream(file, "EncryptionInfo");
  ASSERT_TRUE(stream);
  // Another prefix, single quotes, a comment and line breaks in base64:
  // all still XML with the same meaning.
  std::string s(stream->begin(), stream->end());
  auto replace_all = [&s](std::string_view from, std::string_view to) {
    for (std::size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
  };
  replace_all("p:encryptedKey", "pw:encryptedKey");
  replace_all("xmlns:p=", "xmlns:pw=");
  replace_all("\"", "'");
  replace_all("<keyEncryptors>", "<!-- <keyData saltValue='AAAA'/> --><keyEncryptors>");
  const auto at = s.find("encryptedKeyValue='");
  ASSERT_NE(at, std::string::npos);
  s.insert(at + 25, "\r\n ");
  auto info = parse_encryption_info(view(bytes(s)));
  ASSERT_TRUE(info.has_value()) << info.error().what;
  ASSERT_TRUE(info->supported);
  EXPECT_TRUE(verify_password(*info, kExcelDefaultPassword).has_value());
}

// RC4 (1.1) in a FILEPASS record's payload after wEncryptionType (MS-XLS 2.4.117).
std::optional<Bytes> xls_filepass(const Bytes& workbook) {
  const ByteView w = view(workbook);
  for (std::uint64_t off = 0; off + 4 <= w.size();) {
    const auto type = core::load_le<std::uint16_t>(w, off);
    const auto len = core::load_le<std::uint16_t>(w, off + 2);
    if (!type || !len) break;
    if (*type == 0x002F) {
      auto body = w.subview(off + 4, *len);
      if (!body || body->size() < 2) return std::nullopt;
      return Bytes(body->data() + 2, body->data() + body->size());
    }
    off += 4 + *len;
  }
  return std::nullopt;
}

TEST(OffCrypto, LegacyRc4AndCryptoApiPasswordsVerify) {
  if (sluice::testing::corpora().empty()) {
    SLUICE_SKIP_UNLESS_CI() << "no corpora";
  }
  struct Xls {
    const char* file;
    const char* password;
  };
  for (const Xls& c :
       {Xls{"autostart-encrypt-standardpassword.xls", "VelvetSweatshop"},
        Xls{"dde-test-encrypt-standardpassword.xls", "VelvetSweatshop"}, Xls{"encrypted.xls", "encrypted"}}) {
    SCOPED_TRACE(c.file);
    const auto workbook = ole_stream(sluice::testing::read_file(encrypted_dir() / c.file), "Workbook");
    ASSERT_TRUE(workbook);
    const auto filepass = xls_filepass(*workbook);
    ASSERT_TRUE(filepass);
    auto info = parse_encryption_info(view(*filepass));
    ASSERT_TRUE(info.has_value()) << info.error().what;
    EXPECT_EQ(info->kind, EncryptionKind::rc4);
    EXPECT_TRUE(verify_password(*info, c.password).has_value());
    EXPECT_FALSE(verify_password(*info, "wrong").has_value());
    // No package to decrypt for the binary formats.
    const Bytes key(16);
    EXPECT_FALSE(decrypt_package(*info, key, view(Bytes(64)), 64).has_value());
  }

  // doc: fEncrypted and fWhichTblStm (FIB flags at 0x0A) say the header is
  // at the start of 1Table (MS-DOC 2.2.6.1).
  const Bytes doc = sluice::testing::read_file(encrypted_dir() / "encrypted.doc");
  const auto word = ole_stream(doc, "WordDocument");
  ASSERT_TRUE(word);
  const auto fib_flags = core::load_le<std::uint16_t>(view(*word), 0x0A);
  ASSERT_TRUE(fib_flags.has_value());
  ASSERT_NE(*fib_flags & 0x0100, 0);
  const auto table = ole_stream(doc, (*fib_flags & 0x0200) != 0 ? "1Table" : "0Table");
  ASSERT_TRUE(table);
  auto doc_info = parse_encryption_info(view(*table));
  ASSERT_TRUE(doc_info.has_value()) << doc_info.error().what;
  EXPECT_EQ(doc_info->kind, EncryptionKind::rc4);
  EXPECT_TRUE(verify_password(*doc_info, "encrypted").has_value());
  EXPECT_FALSE(verify_password(*doc_info, kExcelDefaultPassword).has_value());

  // ppt: the CryptSession10Container record (type 0x2F14, MS-PPT 2.3.7); its
  // body is a CryptoAPI RC4 header. Found by its record header here, where
  // PowerPoint finds it through the current user's edit.
  const auto ppt = ole_stream(sluice::testing::read_file(encrypted_dir() / "encrypted.ppt"), "PowerPoint Document");
  ASSERT_TRUE(ppt);
  const std::string_view text(reinterpret_cast<const char*>(ppt->data()), ppt->size());
  const auto at = text.find(std::string_view("\x0F\x00\x14\x2F", 4));
  ASSERT_NE(at, std::string_view::npos);
  const auto len = core::load_le<std::uint32_t>(view(*ppt), at + 4);
  ASSERT_TRUE(len.has_value());
  auto body = view(*ppt).subview(at + 8, *len);
  ASSERT_TRUE(body.has_value());
  auto ppt_info = parse_encryption_info(*body);
  ASSERT_TRUE(ppt_info.has_value()) << ppt_info.error().what;
  EXPECT_EQ(ppt_info->kind, EncryptionKind::rc4_cryptoapi);
  EXPECT_EQ(ppt_info->algorithm, "RC4-40 / SHA1 (CryptoAPI)");  // Office 2010's default for ppt
  EXPECT_TRUE(verify_password(*ppt_info, "encrypted").has_value());
  EXPECT_FALSE(verify_password(*ppt_info, "/01Hannes Ruescher/01").has_value());
}

// ---- Standard: vectors from the development-time generator ----------------

// Aes128, password "Password1234_", version 4.2
constexpr std::string_view kStandardAes128Info =
    "\x04\x00\x02\x00\x24\x00\x00\x00\x8c\x00\x00\x00\x24\x00\x00\x00\x00\x00\x00\x00\x0e\x66\x00\x00\x04\x80\x00"
    "\x00\x80\x00\x00\x00\x18\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x4d\x00\x69\x00\x63\x00\x72\x00\x6f\x00"
    "\x73\x00\x6f\x00\x66\x00\x74\x00\x20\x00\x45\x00\x6e\x00\x68\x00\x61\x00\x6e\x00\x63\x00\x65\x00\x64\x00\x20"
    "\x00\x52\x00\x53\x00\x41\x00\x20\x00\x61\x00\x6e\x00\x64\x00\x20\x00\x41\x00\x45\x00\x53\x00\x20\x00\x43\x00"
    "\x72\x00\x79\x00\x70\x00\x74\x00\x6f\x00\x67\x00\x72\x00\x61\x00\x70\x00\x68\x00\x69\x00\x63\x00\x20\x00\x50"
    "\x00\x72\x00\x6f\x00\x76\x00\x69\x00\x64\x00\x65\x00\x72\x00\x00\x00\x10\x00\x00\x00\x00\x01\x02\x03\x04\x05"
    "\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\xc4\x02\xfa\x9a\x16\x12\xc0\x3f\x1d\x12\x62\x47\xa5\xf0\xfd\x41\x14"
    "\x00\x00\x00\x36\x77\xfb\x48\x38\x34\x84\x35\x96\x7a\xad\x47\x5c\x9b\x3e\x4c\x52\x53\x0c\x96\xe5\x00\x08\xbd"
    "\x44\xb0\x7d\x54\x45\xff\x6c\x70"sv;

constexpr std::string_view kStandardAes128Package =
    "\x0b\x01\x00\x00\x00\x00\x00\x00\xfb\xa7\x0f\xc0\xe1\xf7\x01\xd6\xf5\x98\x00\x9d\xde\x5c\xc5\xe2\x45\x9f\x3a"
    "\xc7\xc5\xa1\xaf\x45\x11\xc9\xc9\xf4\xd7\x77\xc7\xf1\xc5\xa6\x85\x83\x1f\xa8\x19\x86\xee\x12\xa5\xf7\xe9\x45"
    "\x60\x2a\x9b\x8c\x91\xf2\x8f\xfd\xee\x25\x7d\xb6\x50\xec\xca\xa1\xd2\xff\x0d\xbe\xaa\xf4\xba\xad\x3b\x10\x51"
    "\x13\xf2\x4f\x9c\x82\x8e\xa0\x97\x13\x2f\x64\x11\x32\x2e\xa4\x65\xb7\x57\xdb\xc9\xf1\x3f\xdd\x8d\x0a\x3e\xa8"
    "\x30\xe8\x79\x82\xb3\xc7\x01\xe0\xfd\xc1\x77\x8c\xca\x30\x43\x64\x75\x96\xa8\x7e\x82\x4f\x92\x37\xb2\x4a\x4c"
    "\xc3\x24\x97\x1b\x0e\xe4\x10\x7f\x60\x2a\xd6\xd9\x34\xbf\xca\x63\x13\x46\x61\xe6\x06\xcb\x34\xa4\xb4\xc2\x1e"
    "\x1e\xff\x94\x7a\x3b\x9a\x9d\x55\x27\xaa\x35\xad\x47\x4a\x4e\xb5\x76\x3e\x88\xb2\x56\x76\x9a\x5c\x49\xcb\xbd"
    "\xaf\x88\x65\x35\x6d\xf1\x44\xcf\x49\x29\x85\x46\x96\xf9\x2b\x34\x02\xd5\x62\xa7\x91\x0f\x68\xf2\x1c\xbc\x89"
    "\xa5\x8c\x49\x86\x2c\xba\x83\xa3\xba\x6d\x67\xa3\xc3\xec\x50\xe9\x59\x3e\xbd\xc7\x5e\x22\xa0\x92\xd0\x5e\x8f"
    "\x37\x96\xa6\xf3\x93\x13\x1f\x9b\x26\xf8\x9f\x12\xbe\xf5\xad\xce\x11\x15\xab\x09\x44\x9a\x19\x4e\x69\x41\x6f"
    "\x6f\xb8\x9a\x1e\x67\x4d\xf6\x9f\x45\x84"sv;

constexpr std::string_view kStandardAes128Key =
    "\x34\x0f\xc9\x3a\x8e\x21\x54\xdb\x83\x04\xd0\x55\xdf\x81\xce\xbc"sv;

// Aes256, password "VelvetSweatshop", version 3.2
constexpr std::string_view kStandardAes256Info =
    "\x03\x00\x02\x00\x24\x00\x00\x00\x8c\x00\x00\x00\x24\x00\x00\x00\x00\x00\x00\x00\x10\x66\x00\x00\x04\x80\x00"
    "\x00\x00\x01\x00\x00\x18\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x4d\x00\x69\x00\x63\x00\x72\x00\x6f\x00"
    "\x73\x00\x6f\x00\x66\x00\x74\x00\x20\x00\x45\x00\x6e\x00\x68\x00\x61\x00\x6e\x00\x63\x00\x65\x00\x64\x00\x20"
    "\x00\x52\x00\x53\x00\x41\x00\x20\x00\x61\x00\x6e\x00\x64\x00\x20\x00\x41\x00\x45\x00\x53\x00\x20\x00\x43\x00"
    "\x72\x00\x79\x00\x70\x00\x74\x00\x6f\x00\x67\x00\x72\x00\x61\x00\x70\x00\x68\x00\x69\x00\x63\x00\x20\x00\x50"
    "\x00\x72\x00\x6f\x00\x76\x00\x69\x00\x64\x00\x65\x00\x72\x00\x00\x00\x10\x00\x00\x00\x00\x01\x02\x03\x04\x05"
    "\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x9a\xd1\x4f\xe4\xde\xae\xdf\x2a\xbd\x6d\xac\x30\x4b\xd6\x7f\x4e\x14"
    "\x00\x00\x00\xbb\x4f\xa7\x3c\x7f\x5e\x6a\xfa\xec\xbc\x50\x91\x33\x90\x7c\x44\xdf\x6a\x3b\xbb\x7d\x44\xbd\xb4"
    "\xa4\x81\x17\x93\xdc\x5d\xcc\x4a"sv;

constexpr std::string_view kStandardAes256Package =
    "\x0b\x01\x00\x00\x00\x00\x00\x00\xac\x04\x7b\x78\x91\x18\x7d\xec\x45\x10\x1a\xf7\xa7\xc8\xd6\x13\xf7\x66\xa4"
    "\x58\xdb\x1d\xb7\xd7\x2a\xd5\x34\xd2\xdc\x1e\x54\x18\xf4\x03\x5f\xbd\xfc\x77\x76\x88\x01\x36\x84\x77\x47\xbc"
    "\x50\x9d\x7c\xe2\x77\x11\x0e\xe2\xcf\xd9\x44\x7e\xfa\x4f\xbf\x76\x3c\x64\xc4\xf7\xd3\x9a\xd7\xfa\x6b\x5d\xf9"
    "\x03\x1b\x73\x04\x9c\xb2\x79\x6b\xcf\xfc\xff\xd7\x5a\xa5\x46\x18\x17\x9b\x89\x30\x2a\xbb\xec\x7a\x5b\xff\x2b"
    "\xb3\x7d\xb0\xd1\xef\xa5\x16\xd4\xc8\x34\x28\xaf\xa6\xce\xe2\xfe\x56\x94\xb5\x74\x4c\xaf\x7f\xa1\x38\xba\xad"
    "\xd3\xc6\xce\x12\xae\xc8\xaf\x55\x46\xe2\xd2\xf9\x24\x9f\xd1\x9b\x9d\x80\xb7\xbf\x67\x1b\xe2\xaa\x9d\xf8\x7d"
    "\xdf\x09\xec\x52\x58\x6e\x66\xfd\x89\x2c\x2e\x62\x79\x2c\x3e\x5a\xb9\xa5\xbc\x21\xda\xf5\x81\x4c\xbd\x76\xa4"
    "\xc1\xc3\xa0\x15\xf8\x47\xee\xc3\xd5\xec\x47\x53\xda\x79\x69\x99\x52\x40\xf9\x4b\xb5\x69\x66\x0a\x97\x86\x92"
    "\xa9\x99\x93\x80\xb9\xdc\x6f\x64\xd7\xf9\xe8\xda\xa1\xc7\x95\xee\x34\x19\xb9\x9b\x36\x19\x7f\xff\x6f\x9c\x2f"
    "\xfa\x9b\x28\x57\xc0\xf2\x44\xbd\x8e\xe3\xb5\xb7\x47\x25\x3e\xfd\x35\x17\x68\xb7\xcb\x89\xf7\xbc\x6f\x87\xeb"
    "\xa7\xc5\x6e\xea\x90\xec\x95\x02\x5a\x81"sv;

constexpr std::string_view kStandardAes256Key =
    "\xa8\x17\x42\x95\xe8\xb2\x70\xd1\x05\x80\xd3\x57\x83\x90\xfd\x5e\xc1\x05\x9f\xba\xad\x0e\x1e\xd1\x4a\x56\x5a"
    "\x35\x32\xde\xcb\x8a"sv;

struct StandardVector {
  std::string_view info, package, key, password;
  const char* algorithm;
};
const StandardVector kStandard[] = {
    {kStandardAes128Info, kStandardAes128Package, kStandardAes128Key, "Password1234_", "AES-128 / SHA1 (standard)"},
    {kStandardAes256Info, kStandardAes256Package, kStandardAes256Key, kExcelDefaultPassword,
     "AES-256 / SHA1 (standard)"},
};
constexpr std::uint64_t kStandardPlainSize = 267;  // a stored zip of two entries

TEST(OffCrypto, StandardVectorsVerifyAndDecrypt) {
  for (const StandardVector& v : kStandard) {
    SCOPED_TRACE(v.algorithm);
    auto info = parse_encryption_info(view(v.info));
    ASSERT_TRUE(info.has_value()) << info.error().what;
    EXPECT_EQ(info->kind, EncryptionKind::standard);
    EXPECT_EQ(info->version_minor, 2);
    EXPECT_EQ(info->algorithm, v.algorithm);
    EXPECT_EQ(info->spin_count, kStandardSpinCount);
    EXPECT_EQ(info->csp_name, "Microsoft Enhanced RSA and AES Cryptographic Provider");
    EXPECT_GE(derivation_rounds(*info), kStandardSpinCount);
    EXPECT_FALSE(verify_password(*info, "password1234_").has_value());
    EXPECT_FALSE(verify_password(*info, "").has_value());
    const auto key = verify_password(*info, v.password);
    ASSERT_TRUE(key.has_value());
    EXPECT_EQ(*key, bytes(v.key));

    auto pkg = decrypt_package(*info, *key, view(v.package), 1u << 20);
    ASSERT_TRUE(pkg.has_value()) << pkg.error().what;
    EXPECT_EQ(pkg->declared_size, kStandardPlainSize);
    EXPECT_EQ(pkg->bytes.size(), kStandardPlainSize);
    EXPECT_FALSE(pkg->truncated);
    EXPECT_TRUE(view(pkg->bytes).starts_with("PK\x03\x04"));
    EXPECT_EQ(zip_entry_count(pkg->bytes), std::optional<std::uint16_t>(2));

    for (std::uint64_t cap : {0u, 1u, 15u, 16u, 17u, 100u, 266u}) {
      auto cut = decrypt_package(*info, *key, view(v.package), cap);
      ASSERT_TRUE(cut.has_value());
      EXPECT_TRUE(cut->truncated);
      ASSERT_EQ(cut->bytes.size(), cap);
      EXPECT_TRUE(std::equal(cut->bytes.begin(), cut->bytes.end(), pkg->bytes.begin()));
    }
  }
}

// ---- hostile input -----------------------------------------------------------

TEST(OffCrypto, ShortAndGarbageInfoFails) {
  EXPECT_FALSE(parse_encryption_info({}).has_value());
  EXPECT_FALSE(parse_encryption_info(view(std::string_view("\x04\x00", 2))).has_value());
  // An unknown version is unsupported, not malformed.
  auto unknown = parse_encryption_info(view(std::string_view("\x09\x00\x09\x00\x00\x00\x00\x00", 8)));
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, Errc::unsupported);
  // Agile with no XML, and with XML that is not a descriptor.
  EXPECT_FALSE(parse_encryption_info(view(std::string_view("\x04\x00\x04\x00\x40\x00\x00\x00", 8))).has_value());
  EXPECT_FALSE(
      parse_encryption_info(view(std::string_view("\x04\x00\x04\x00\x40\x00\x00\x00<<<>>\"'", 15))).has_value());
  // Every prefix of a Standard header is an error, never a read past it.
  const std::string_view full = kStandardAes128Info;
  for (std::size_t n = 0; n < full.size(); ++n) {
    EXPECT_FALSE(parse_encryption_info(view(full.substr(0, n))).has_value()) << n;
  }
  // An EncryptionHeaderSize that points past the stream.
  std::string big(full);
  big[8] = '\xFF', big[9] = '\xFF', big[10] = '\xFF', big[11] = '\x7F';
  EXPECT_FALSE(parse_encryption_info(view(big)).has_value());
}

TEST(OffCrypto, ExtensibleAndCryptoApiAreNotDecrypted) {
  auto ext = parse_encryption_info(view(std::string_view("\x04\x00\x03\x00\x1c\x00\x00\x00", 8)));
  ASSERT_TRUE(ext.has_value());
  EXPECT_EQ(ext->kind, EncryptionKind::extensible);
  EXPECT_FALSE(ext->supported);
  EXPECT_EQ(derivation_rounds(*ext), 0u);
  EXPECT_FALSE(verify_password(*ext, "x").has_value());
  EXPECT_EQ(decrypt_package(*ext, {}, view(Bytes(32)), 32).error().code, Errc::unsupported);
}

TEST(OffCrypto, MutatedStandardHeadersNeverCrash) {
  const std::string_view full = kStandardAes128Info;
  for (std::size_t i = 0; i < full.size(); ++i) {
    for (int x : {0x01, 0x80, 0xFF}) {
      std::string s(full);
      s[i] = static_cast<char>(static_cast<unsigned char>(s[i]) ^ x);
      (void)parse_encryption_info(view(s));
    }
  }
  // A changed salt, verifier or verifier hash: the right password no longer verifies.
  constexpr std::size_t kVerifierBytes = 4 + 16 + 16 + 4 + 32;
  for (std::size_t i = full.size() - kVerifierBytes + 4; i < full.size(); i += 5) {
    if (i >= full.size() - 32 - 4 && i < full.size() - 32) continue;  // VerifierHashSize: parse refuses
    std::string s(full);
    s[i] = static_cast<char>(static_cast<unsigned char>(s[i]) ^ 0x01);
    auto info = parse_encryption_info(view(s));
    ASSERT_TRUE(info.has_value()) << i;
    EXPECT_FALSE(verify_password(*info, "Password1234_").has_value()) << i;
  }
}

TEST(OffCrypto, HostileAgileDescriptors) {
  const std::string head("\x04\x00\x04\x00\x40\x00\x00\x00", 8);
  const std::string key_data =
      "<keyData saltSize='16' blockSize='16' keyBits='128' hashSize='20' cipherAlgorithm='AES' "
      "cipherChaining='ChainingModeCBC' hashAlgorithm='SHA1' saltValue='AAECAwQFBgcICQoLDA0ODw=='/>";
  auto key = [](std::string_view spin, std::string_view extra) {
    return "<keyEncryptor uri='http://schemas.microsoft.com/office/2006/keyEncryptor/password'>"
           "<p:encryptedKey spinCount='" +
           std::string(spin) +
           "' saltSize='16' blockSize='16' keyBits='128' hashSize='20' cipherAlgorithm='AES' "
           "cipherChaining='ChainingModeCBC' hashAlgorithm='SHA1' saltValue='AAECAwQFBgcICQoLDA0ODw==' "
           "encryptedVerifierHashInput='AAECAwQFBgcICQoLDA0ODw==' "
           "encryptedVerifierHashValue='AAECAwQFBgcICQoLDA0ODwABAgMEBQYHCAkKCwwNDg8=' "
           "encryptedKeyValue='AAECAwQFBgcICQoLDA0ODw==' " +
           std::string(extra) + "/></keyEncryptor>";
  };
  auto parse = [&](const std::string& xml) { return parse_encryption_info(view(bytes(head + xml))); };

  auto ok = parse(key_data + key("100000", ""));
  ASSERT_TRUE(ok.has_value()) << ok.error().what;
  EXPECT_TRUE(ok->supported);
  EXPECT_FALSE(verify_password(*ok, "x").has_value());              // random verifier: wrong for every password
  EXPECT_FALSE(parse(key_data + key("10000001", "")).has_value());  // above the spec's cap
  EXPECT_FALSE(parse(key_data + key("99999999999999999999999", "")).has_value());  // overflows
  EXPECT_FALSE(parse(key_data + key("-1", "")).has_value());
  EXPECT_FALSE(parse(key_data).has_value() && parse(key_data)->supported);  // no password encryptor
  EXPECT_FALSE(parse(key("1", "")).has_value());                            // no keyData
  std::string bad_b64 = key_data + key("1", "");
  bad_b64.replace(bad_b64.find("encryptedKeyValue='") + 19, 4, "A*A=");
  EXPECT_FALSE(parse(bad_b64).has_value());
  std::string rc2 = key_data;
  rc2.replace(rc2.find("'AES'"), 5, "'RC2'");
  auto unsupported = parse(rc2 + key("1", ""));
  ASSERT_TRUE(unsupported.has_value());
  EXPECT_FALSE(unsupported->supported);
  EXPECT_EQ(derivation_rounds(*unsupported), 0u);
  std::string odd_bits = key_data;
  odd_bits.replace(odd_bits.find("keyBits='128'"), 13, "keyBits='100'");
  EXPECT_FALSE(parse(odd_bits + key("1", "")).has_value());
  // Unclosed tags and quotes end the scan without reading past the stream.
  const std::string whole = key_data + key("1", "");
  for (std::size_t n = 0; n < whole.size(); n += 7) (void)parse(whole.substr(0, n));
}

TEST(OffCrypto, HostilePackages) {
  auto info = parse_encryption_info(view(kStandardAes128Info));
  ASSERT_TRUE(info.has_value());
  const Bytes key = bytes(kStandardAes128Key);
  const Bytes package = bytes(kStandardAes128Package);

  for (std::size_t n = 0; n < 8; ++n) {
    auto r = decrypt_package(*info, key, view(package).clamp(0, n), 1u << 20);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, Errc::truncated);
  }
  // Key of the wrong size.
  EXPECT_EQ(decrypt_package(*info, std::span(key).first(8), view(package), 100).error().code, Errc::invalid_argument);

  // A StreamSize far past the ciphertext: what is there, flagged.
  Bytes huge = package;
  std::memset(huge.data(), 0xFF, 8);
  auto r = decrypt_package(*info, key, view(huge), UINT64_MAX);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->declared_size, UINT64_MAX);
  EXPECT_EQ(r->bytes.size(), package.size() - 8);

  // Ciphertext cut inside a block: only whole blocks are decrypted.
  for (std::size_t cut : {1u, 5u, 15u, 16u, 17u}) {
    const Bytes shorter(package.begin(), package.end() - static_cast<std::ptrdiff_t>(cut));
    auto s = decrypt_package(*info, key, view(shorter), 1u << 20);
    ASSERT_TRUE(s.has_value());
    EXPECT_TRUE(s->truncated);
    EXPECT_EQ(s->bytes.size() % 16, 0u);
    EXPECT_LE(s->bytes.size(), shorter.size() - 8);
  }
  // No ciphertext at all.
  auto empty = decrypt_package(*info, key, view(package).clamp(0, 8), 1u << 20);
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->bytes.empty());
  EXPECT_TRUE(empty->truncated);
}

TEST(OffCrypto, HostileAgilePackages) {
  if (sluice::testing::corpora().empty()) {
    SLUICE_SKIP_UNLESS_CI() << "no corpora";
  }
  const Bytes file = sluice::testing::read_file(encrypted_dir() / "dde-test-encrypt-standardpassword.xlsx");
  const auto info_stream = ole_stream(file, "EncryptionInfo");
  const auto package = ole_stream(file, "EncryptedPackage");
  ASSERT_TRUE(info_stream && package);
  auto info = parse_encryption_info(view(*info_stream));
  ASSERT_TRUE(info.has_value());
  const auto key = verify_password(*info, kExcelDefaultPassword);
  ASSERT_TRUE(key.has_value());
  // Cut at a segment boundary, one byte either side of it, and inside a block.
  for (std::size_t len : {std::size_t{8}, std::size_t{9}, std::size_t{8 + 4096}, std::size_t{8 + 4095},
                          std::size_t{8 + 4097}, std::size_t{8 + 4096 + 16}, package->size() - 3}) {
    auto r = decrypt_package(*info, *key, view(*package).clamp(0, len), 1u << 26);
    ASSERT_TRUE(r.has_value()) << len;
    EXPECT_TRUE(r->truncated);
    EXPECT_LE(r->bytes.size(), len - 8);
    EXPECT_EQ(r->bytes.size() % 16, 0u);
  }
  // Every prefix of the descriptor: an error or a parse, never a crash.
  for (std::size_t n = 0; n < info_stream->size(); n += 3) {
    (void)parse_encryption_info(view(*info_stream).clamp(0, n));
  }
}

}  // namespace
}  // namespace sluice::codecs::office
