// fuzz_sevenzip_crypto: bytes straight into the encrypted-7z front end
// (src/formats/archive/sevenzip_*): signature header, header reader, encoded
// and encrypted headers, the password trial and the rewrite. The work per
// input is bounded by small caps: two candidates, 2^12 key-derivation rounds
// in total (a header asking for 2^24 per candidate is refused by the budget,
// which is exactly what must happen), and 64 KiB of trial output.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/budget.hpp"
#include "formats/archive/sevenzip_header.hpp"
#include "formats/archive/sevenzip_open.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace sz = sluice::formats::archive::sevenzip;
  const sluice::ByteView in(data, size);
  sluice::Limits limits;
  limits.max_key_derivation_rounds = 1u << 12;
  sluice::core::Budget budget(limits, sluice::core::Budget::Clock::now());
  const std::vector<std::string> candidates{"Order2020", "infected"};
  sz::OpenOptions opts;
  opts.max_candidates = 2;
  opts.trial_bytes = 64u << 10;
  opts.max_header_bytes = 1u << 20;
  const sz::OpenOutcome r = sz::open_encrypted(in, candidates, budget, opts);
  if (budget.key_rounds() > limits.max_key_derivation_rounds) std::abort();
  if (r.tried > opts.max_candidates) std::abort();
  // A rewrite must read back as a 7z without AES.
  if (r.opened && sz::uses_aes(sluice::ByteView(r.archive.data(), r.archive.size()))) std::abort();
  // The header reader alone, on the bytes as a header.
  (void)sz::parse_header(in);
  return 0;
}
