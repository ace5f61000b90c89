#pragma once
// 7-Zip's AES coder (method 06 F1 07 01): AES-256-CBC whose key is SHA-256
// iterated 2^NumCyclesPower times over salt | UTF-16LE password | 64-bit
// counter (7-Zip's 7zAes.cpp, documented in its 7zFormat.txt/Methods.txt).
// There is no password check value: a wrong key is only seen when what it
// decrypts fails to decode or to match a CRC (sevenzip_open.cpp).
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "sluice/byte_view.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::archive::sevenzip {

// 7-Zip itself refuses more than 2^24 rounds; so do we (a hostile header
// asking for 2^63 would otherwise be a CPU bomb).
inline constexpr std::uint32_t kMaxCyclesPower = 24;
// 0x3F means "no hashing": the key is salt | password, zero-padded.
inline constexpr std::uint32_t kRawKeyPower = 0x3F;

struct AesProps {
  std::uint32_t cycles_power = 0;
  std::vector<std::uint8_t> salt;  // at most 16 bytes
  std::array<std::uint8_t, 16> iv{};

  // SHA-256 rounds one key derivation costs (0 for the raw-key form).
  [[nodiscard]] std::uint64_t rounds() const noexcept {
    return cycles_power == kRawKeyPower ? 0 : (std::uint64_t{1} << cycles_power);
  }
  friend bool operator==(const AesProps&, const AesProps&) = default;
};

// The coder's properties: byte 0 = power | salt/iv flags, byte 1 = extra sizes.
[[nodiscard]] Result<AesProps> parse_aes_props(ByteView props);

using Key = std::array<std::uint8_t, 32>;

// The password as 7-Zip hashes it: UTF-8 in, UTF-16LE out (invalid UTF-8
// bytes are taken as Latin-1, as a Windows ANSI password would be).
[[nodiscard]] std::vector<std::uint8_t> utf16le_password(std::string_view utf8);

// The key for `password` (UTF-8) under `props`; `rounds()` SHA-256 rounds.
[[nodiscard]] Key derive_key(const AesProps& props, std::string_view password);
// The keys for two passwords under the same `props`, their hash chains run
// side by side (core/sha256_lanes.hpp): about the time of one derivation on
// a CPU with SHA-NI, twice its rounds.
[[nodiscard]] std::array<Key, 2> derive_keys(const AesProps& props, std::string_view first, std::string_view second);

// AES-CBC decryption without padding removal (AES-256 for a 32-byte key,
// AES-128 for RAR 3's 16-byte one); a tail shorter than one block (a damaged
// stream) is dropped.
[[nodiscard]] std::vector<std::uint8_t> aes_cbc_decrypt(std::span<const std::uint8_t> key,
                                                        const std::array<std::uint8_t, 16>& iv, ByteView cipher);

}  // namespace sluice::formats::archive::sevenzip
