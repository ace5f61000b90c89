#pragma once
// MS-OFFCRYPTO: password-based encryption of Office documents. An encrypted
// OOXML package is an OLE2 file whose `EncryptionInfo` stream says how the key
// is made and whose `EncryptedPackage` stream holds the real zip (§2.3.4.4,
// §2.3.4.10). The binary formats carry the same header inside their own
// records (xls FILEPASS, doc 1Table, ppt CryptSession10Container), encrypted
// with RC4 (§2.3.6) or CryptoAPI RC4 (§2.3.5); for those only the password
// check is here, since their decryption is per record.
//
// Pure: bytes in, values out. Everything the stream says (sizes, spin counts,
// salts, XML) is hostile; key derivation costs `derivation_rounds` hashes, so
// a caller charges its budget before calling `verify_password`.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/byte_view.hpp"
#include "sluice/result.hpp"

namespace sluice::codecs::office {

// Excel opens a workbook encrypted with this password without asking (the
// "write-protected" workbook, MS-OFFCRYPTO Appendix A), so malware uses it to
// hide a package from scanners that do not try it.
inline constexpr std::string_view kExcelDefaultPassword = "VelvetSweatshop";
// The fixed iteration count of Standard encryption (§2.3.4.7).
inline constexpr std::uint64_t kStandardSpinCount = 50000;
// §2.3.4.11 caps spinCount at 10,000,000; more is malformed, not slow.
inline constexpr std::uint64_t kMaxSpinCount = 10'000'000;
// Agile packages are encrypted in segments of this many bytes (§2.3.4.15).
inline constexpr std::size_t kAgileSegmentSize = 4096;

enum class EncryptionKind : std::uint8_t {
  unknown,
  standard,       // §2.3.4.5: binary header, AES-ECB, SHA-1 50000 times
  agile,          // §2.3.4.10: XML descriptor, AES-CBC per 4096-byte segment
  extensible,     // §2.3.4.6: a third-party provider: never decryptable here
  rc4_cryptoapi,  // §2.3.5: binary header with an RC4 CSP (ppt, some xls/doc)
  rc4,            // §2.3.6: version 1.1, MD5 + RC4 (xls FILEPASS, doc 1Table)
};

enum class HashAlgorithm : std::uint8_t { unknown, md5, sha1, sha256, sha384, sha512 };
enum class Chaining : std::uint8_t { cbc, cfb };

// One parameter set of the Agile descriptor: `keyData` (the package cipher)
// or the password `encryptedKey` (the key-encrypting cipher). Only AES is
// accepted, so `block_size` is always 16.
struct AgileCipher {
  std::uint32_t key_bits = 0;
  std::uint32_t block_size = 0;
  std::uint32_t hash_size = 0;  // digest length of `hash`
  HashAlgorithm hash = HashAlgorithm::unknown;
  Chaining chaining = Chaining::cbc;
  std::vector<std::uint8_t> salt;
};

struct EncryptionInfo {
  EncryptionKind kind = EncryptionKind::unknown;
  std::uint16_t version_major = 0;
  std::uint16_t version_minor = 0;
  std::uint32_t flags = 0;  // EncryptionHeader.Flags (§2.3.1), or the Agile reserved 0x40
  std::string algorithm;    // "AES-256 / SHA512 (agile)"
  std::uint64_t spin_count = 0;
  // False when the kind or its parameters are recognised but cannot be
  // verified here; `unsupported_reason` then says why. A document that cannot
  // be opened is reported, never taken as clean.
  bool supported = false;
  std::string unsupported_reason;

  // Standard, CryptoAPI RC4 and RC4 (§2.3.2, §2.3.3, §2.3.6.1).
  std::uint32_t alg_id = 0;
  std::uint32_t alg_id_hash = 0;
  std::uint32_t key_bits = 0;
  std::uint32_t provider_type = 0;
  std::string csp_name;
  std::vector<std::uint8_t> salt;
  std::vector<std::uint8_t> encrypted_verifier;
  std::uint32_t verifier_hash_size = 0;
  std::vector<std::uint8_t> encrypted_verifier_hash;

  // Agile (§2.3.4.10).
  AgileCipher key_data;
  AgileCipher password_key;
  std::vector<std::uint8_t> encrypted_verifier_hash_input;
  std::vector<std::uint8_t> encrypted_verifier_hash_value;
  std::vector<std::uint8_t> encrypted_key_value;
};

// `stream` starts at the version field: the whole `EncryptionInfo` stream of
// an OOXML package, the 1Table stream of a doc, a FILEPASS record's payload
// after wEncryptionType, or a CryptSession10Container's body. Errors are
// truncation, malformation, or Errc::unsupported for a version not known.
// A recognised kind that cannot be verified here parses with supported=false.
[[nodiscard]] Result<EncryptionInfo> parse_encryption_info(ByteView stream);

// How many hash iterations one password try costs (0 when unsupported).
[[nodiscard]] std::uint64_t derivation_rounds(const EncryptionInfo& info) noexcept;

// The key when `password_utf8` is right, nullopt when it is wrong or the
// info is unsupported. Standard: the AES key (§2.3.4.7). Agile: the package's
// intermediate key (§2.3.4.13). CryptoAPI RC4 and RC4: the base hash each
// 512-byte block's key is made from (H0 of §2.3.5.2, the truncated MD5 of
// §2.3.6.2); those have no package to decrypt here.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> verify_password(const EncryptionInfo& info,
                                                                       std::string_view password_utf8);

// The binary formats' RC4 (§2.3.6.2 RC4, §2.3.5.2 CryptoAPI RC4): the stream
// is re-keyed every `block_size` bytes, each block's key made from `base`
// (what verify_password returned) and the block number. Decrypts `data`, the
// bytes found at `offset` of that stream, in place; any other kind is left alone.
// Excel's Workbook stream uses 1,024-byte blocks (MS-XLS §2.2.10).
void rc4_decrypt_at(const EncryptionInfo& info, std::span<const std::uint8_t> base, std::uint32_t block_size,
                    std::uint64_t offset, std::span<std::uint8_t> data);

struct Package {
  std::vector<std::uint8_t> bytes;
  std::uint64_t declared_size = 0;  // StreamSize of the EncryptedPackage
  bool truncated = false;           // fewer than declared_size bytes came out
};

// Decrypts an `EncryptedPackage` stream (8-byte StreamSize, then ciphertext)
// with a key from `verify_password`. Never more than `max_bytes` out; a
// StreamSize past the ciphertext, or a partial last block, gives what whole
// blocks there are and `truncated`.
[[nodiscard]] Result<Package> decrypt_package(const EncryptionInfo& info, std::span<const std::uint8_t> key,
                                              ByteView encrypted_package, std::uint64_t max_bytes);

}  // namespace sluice::codecs::office
