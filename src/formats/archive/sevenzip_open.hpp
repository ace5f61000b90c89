#pragma once
// Opening an AES-encrypted 7z with candidate passwords, then handing it to
// libarchive without its AES coders (docs/adr/0013): the header is read by
// hand (decrypted when -mhe was used), a candidate is accepted only when what
// it decrypts decodes (and matches a CRC where one is stored), and the archive
// is rewritten with the pack streams decrypted and the AES coders removed.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/budget.hpp"
#include "sluice/byte_view.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::archive::sevenzip {

struct OpenOutcome {
  bool encrypted_data = false;     // some folder has an AES coder
  bool encrypted_headers = false;  // the header itself is AES-encrypted (-mhe=on)
  bool opened = false;
  std::string password;            // the one that opened it
  std::vector<std::uint8_t> archive;  // the rewritten archive, when opened
  std::uint32_t tried = 0;         // candidates whose key was derived
  std::uint64_t rounds = 0;        // SHA-256 rounds of the keys the tried candidates used (the budget
                                   // also holds the next candidate's, derived beside the last one)
  bool candidates_capped = false;  // max_password_candidates stopped the search
  bool rounds_capped = false;      // max_key_derivation_rounds stopped it
  bool deadline = false;
  std::string problem;             // why it could not be opened or rewritten, if known
};

struct OpenOptions {
  std::uint32_t max_candidates = 32;
  // Output a password trial decodes at most (per candidate).
  std::uint64_t trial_bytes = 1u << 20;
  // Largest decoded header accepted.
  std::uint64_t max_header_bytes = 64u << 20;
  // When no coder of ours can check a candidate (AES feeding PPMd, Deflate,
  // BZip2 … with the header in the clear), the archive rewritten with that
  // candidate's key is handed to this; true = its first file decodes and
  // matches its CRC (the caller asks libarchive). Unset: such archives stay closed.
  std::function<bool(ByteView)> verify_rewrite;
};

// Not encrypted (or not a 7z we can read) → encrypted_data and
// encrypted_headers both false: the caller goes on as before. Key-derivation
// rounds are charged to `budget` (max_key_derivation_rounds).
[[nodiscard]] OpenOutcome open_encrypted(ByteView file, std::span<const std::string> candidates,
                                         core::Budget& budget, const OpenOptions& opts = {});

// Only the cheap part: whether the archive uses AES at all (header encrypted,
// or a data folder with an AES coder). No key is derived.
[[nodiscard]] bool uses_aes(ByteView file);

}  // namespace sluice::formats::archive::sevenzip
