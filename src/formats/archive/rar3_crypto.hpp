#pragma once
// RAR 3.x/4.x encryption (unrar's crypt3, RAR 2.9 format): AES-128-CBC. The
// key and IV come from one SHA-1 run over 2^18 copies of the UTF-16LE
// password and the 8-byte salt, each followed by the iteration number's
// three low bytes: the key is the final digest with each 32-bit word's bytes
// reversed, the IV the last digest byte of sixteen intermediate states.
// There is no password check value: a wrong password shows as a header CRC
// mismatch (encrypted headers) or as data that does not decode.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sluice::formats::archive::rar3 {

inline constexpr std::uint32_t kKdfIterations = 0x40000;

// RAR 2.9's SHA-1 writes its expanded message schedule back into the input
// when a whole 64-byte block is hashed straight from it, which changes the
// password bytes for later iterations once password + salt reach 64 bytes.
// Shorter passwords (up to 28 UTF-16 units with a salt) hash as plain SHA-1;
// longer ones are not derived rather than derived wrong.
inline constexpr std::size_t kMaxPasswordUnits = 28;

struct Keys {
  std::array<std::uint8_t, 16> key{};
  std::array<std::uint8_t, 16> iv{};
  friend bool operator==(const Keys&, const Keys&) = default;
};

// `salt` is empty (archives written without LHD_SALT) or 8 bytes.
[[nodiscard]] bool derivable(std::string_view password, std::span<const std::uint8_t> salt);
[[nodiscard]] std::optional<Keys> derive(std::string_view password, std::span<const std::uint8_t> salt);
// Two passwords' keys under one salt, their SHA-1 runs side by side
// (core/sha1_lanes.hpp); nullopt when either cannot be derived.
[[nodiscard]] std::optional<std::array<Keys, 2>> derive_pair(std::string_view first, std::string_view second,
                                                             std::span<const std::uint8_t> salt);

}  // namespace sluice::formats::archive::rar3
