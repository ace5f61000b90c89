#pragma once
// RAR 5's encryption (RAR 5.0 technote, "Archive encryption header" and
// "File encryption record"): AES-256-CBC; the key is PBKDF2-HMAC-SHA256 of the
// UTF-8 password over a 16-byte salt with 2^KDF-count iterations. Continuing
// the same PBKDF2 chain 16 and 32 iterations further gives the key that turns
// checksums into MACs and the password check value: an 8-byte value stored
// with its own 4-byte checksum, so a wrong password is known without
// decrypting anything.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "sluice/byte_view.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::archive::rar5 {

// The technote's limit (unrar refuses more): 2^24 iterations.
inline constexpr std::uint32_t kMaxKdfCount = 24;

struct KdfParams {
  std::uint32_t count = 15;  // log2 of the PBKDF2 iterations
  std::array<std::uint8_t, 16> salt{};
  bool has_check = false;
  std::array<std::uint8_t, 8> check{};  // the password check value, when stored
  friend bool operator==(const KdfParams&, const KdfParams&) = default;

  // HMAC-SHA256 computations one derivation costs (the key, then 32 more).
  [[nodiscard]] std::uint64_t rounds() const noexcept { return (std::uint64_t{1} << count) + 32; }
};

struct Keys {
  std::array<std::uint8_t, 32> key{};
  std::array<std::uint8_t, 32> hash_key{};  // for checksums stored as MACs
  std::array<std::uint8_t, 8> check{};      // the password check value this password gives
};

[[nodiscard]] Keys derive(const KdfParams& p, std::string_view password);
// Two passwords' keys, their PBKDF2 chains side by side (core/sha256_lanes.hpp):
// about the time of one derivation on a CPU with SHA-NI.
[[nodiscard]] std::array<Keys, 2> derive_pair(const KdfParams& p, std::string_view first, std::string_view second);

// The 12 stored bytes: 8 check bytes and the first 4 bytes of their SHA-256.
// nullopt when the stored checksum does not match (a damaged or forged value
// that must not be trusted to reject passwords).
[[nodiscard]] std::optional<std::array<std::uint8_t, 8>> read_check(ByteView twelve);

}  // namespace sluice::formats::archive::rar5
