#pragma once
// The two encryptions mail-borne ZIPs use: traditional PKWARE ("ZipCrypto",
// APPNOTE 6.1) and WinZip AE-1/AE-2 (AES-CTR + HMAC-SHA1). Password
// candidates come from the caller; nothing here guesses beyond them.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/byte_view.hpp"

namespace sluice::formats::zip {

// Passwords malware mails and sample sharers use most. The mail harvester adds
// the ones it finds in the message body (see unpack_with_passwords).
[[nodiscard]] std::span<const std::string_view> default_passwords() noexcept;

// APPNOTE 6.1.6: after the 12 header bytes are decrypted, the last one equals
// the CRC's high byte (or the DOS time's high byte when a data descriptor
// follows). One try in 256 passes by chance, so a pass is only a screen.
[[nodiscard]] bool zipcrypto_screen(ByteView header, std::string_view password,
                                    std::uint8_t check_crc, std::uint8_t check_time);
// Decrypts everything after the 12-byte header.
[[nodiscard]] std::vector<std::uint8_t> zipcrypto_decrypt(ByteView encrypted,
                                                          std::string_view password);

struct AesPlain {
  std::vector<std::uint8_t> data;
  bool mac_ok = false;
};
// `payload` = salt | verifier | ciphertext | 10-byte MAC. Returns nothing when
// the password verifier rejects the password (1 in 65536 false accept).
[[nodiscard]] std::optional<AesPlain> winzip_aes_decrypt(ByteView payload, std::string_view password,
                                                         std::uint8_t strength);
[[nodiscard]] std::uint64_t aes_salt_size(std::uint8_t strength) noexcept;

}  // namespace sluice::formats::zip
