#pragma once
// Opening an encrypted RAR 3.x/4.x archive (RAR 2.9 format) with candidate
// passwords, then handing libarchive a plain one (docs/adr/0020, the same
// decrypt-then-bridge as RAR 5 in ADR 0018): headers encrypted with -hp are
// decrypted and CRC-checked, file data encrypted with -p is decrypted, and the
// encryption flags are cleared. RAR 3 stores no password check value, so a
// candidate is proven by a header CRC (-hp) or by the first encrypted file's
// CRC32 once decrypted and, when compressed, decoded through `verify`.
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "core/budget.hpp"
#include "formats/archive/rar5_open.hpp"
#include "sluice/byte_view.hpp"

namespace sluice::formats::archive::rar3 {

using rar5::OpenOutcome;

struct OpenOptions {
  std::uint32_t max_candidates = 32;
  // Blocks beyond this many are not rewritten (the archive stays closed).
  std::uint64_t max_blocks = 1u << 20;
  // Decodes entry `entry` (counted over file headers) of a plain RAR and
  // answers whether its CRC32 is `crc`: how a candidate is proven on
  // compressed data. Without it only stored files can prove a password.
  std::function<bool(ByteView archive, std::size_t entry, std::uint32_t crc)> verify;
};

// Not RAR 1.5-4, or not encrypted: both flags false and nothing derived.
[[nodiscard]] OpenOutcome open_encrypted(ByteView file, std::span<const std::string> candidates,
                                         core::Budget& budget, const OpenOptions& opts = {});

// Only the cheap part: encrypted headers, or a file header flagged encrypted.
[[nodiscard]] bool uses_encryption(ByteView file);

}  // namespace sluice::formats::archive::rar3
