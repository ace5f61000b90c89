#pragma once
// Opening an encrypted RAR 5 with candidate passwords, then handing libarchive
// a plain RAR 5 (docs/adr/0018, the RAR side of ADR 0013's decrypt-then-bridge):
// headers encrypted with -hp are decrypted, file and service data encrypted
// with -p are decrypted and trimmed of their AES padding, the encryption
// records are removed, and checksums that RAR
// stored as MACs (which libarchive cannot check) are dropped after the
// password was proven by RAR's own check value.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/budget.hpp"
#include "sluice/byte_view.hpp"

namespace sluice::formats::archive::rar5 {

struct OpenOutcome {
  bool encrypted_data = false;     // some file or service record carries an encryption record
  bool encrypted_headers = false;  // an archive encryption header (rar -hp)
  bool opened = false;
  std::string password;
  std::vector<std::uint8_t> archive;  // the plain archive, when opened
  std::uint32_t tried = 0;            // candidates whose key was derived
  bool candidates_capped = false;
  bool rounds_capped = false;
  std::string problem;  // why it could not be opened or rewritten, if known

  // The candidate that opened it, and the plain archive.
  void accept(const std::string& pw, std::vector<std::uint8_t>&& plain) {
    opened = true;
    password = pw;
    archive = std::move(plain);
    problem.clear();
  }
  // At the end of a search: why nothing opened, when no cap or damage said so.
  void conclude() {
    if (!opened && !candidates_capped && !rounds_capped && problem.empty()) {
      problem = tried == 0 ? "no candidate password in the message" : "no candidate password matched";
    }
  }
};

struct OpenOptions {
  std::uint32_t max_candidates = 32;
  // Headers beyond this many are not rewritten (the archive stays closed).
  std::uint64_t max_headers = 1u << 20;
};

// Not RAR 5, or not encrypted: both flags false and nothing derived.
[[nodiscard]] OpenOutcome open_encrypted(ByteView file, std::span<const std::string> candidates,
                                         core::Budget& budget, const OpenOptions& opts = {});

// Only the cheap part: an archive encryption header, or an encryption record
// in the first file header. No key is derived.
[[nodiscard]] bool uses_encryption(ByteView file);

}  // namespace sluice::formats::archive::rar5
