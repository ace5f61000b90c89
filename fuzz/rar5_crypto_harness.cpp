// fuzz_rar5_crypto: bytes straight into the encrypted-RAR 5 front end
// (src/formats/archive/rar5_*): block walk, archive encryption header, file
// encryption records, the password check, header decryption and the rewrite.
// Work per input is bounded: two candidates and 2 x (2^15 + 32) PBKDF2 rounds
// in total, so two default-strength keys, derived as one pair (docs/adr/0035;
// the corpus seeds' "password" opens them), and nothing more; a header asking
// for 2^24 is refused by the budget.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/budget.hpp"
#include "formats/archive/rar5_open.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace r5 = sluice::formats::archive::rar5;
  const sluice::ByteView in(data, size);
  sluice::Limits limits;
  limits.max_key_derivation_rounds = 2 * ((1u << 15) + 32);
  sluice::core::Budget budget(limits, sluice::core::Budget::Clock::now());
  const std::vector<std::string> candidates{"password", "infected"};
  r5::OpenOptions opts;
  opts.max_candidates = 2;
  opts.max_headers = 4096;
  const bool encrypted = r5::uses_encryption(in);
  const r5::OpenOutcome r = r5::open_encrypted(in, candidates, budget, opts);
  if (budget.key_rounds() > limits.max_key_derivation_rounds) std::abort();
  if (r.tried > opts.max_candidates) std::abort();
  if ((r.encrypted_data || r.encrypted_headers) != encrypted) std::abort();
  // A rewrite is a RAR 5 that needs no password any more.
  if (r.opened && r5::uses_encryption(sluice::ByteView(r.archive.data(), r.archive.size()))) std::abort();
  return 0;
}
