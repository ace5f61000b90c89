// fuzz_rar3_crypto: bytes straight into the encrypted-RAR 3/4 front end
// (src/formats/archive/rar3_*): block walk, encrypted headers, salts, the
// stored-file CRC proof, the libarchive trial decode and the rewrite. Work per
// input is bounded: two candidates and two RAR 3 keys (2^18 SHA-1 iterations
// each, derived as one pair: docs/adr/0035) in total, so a seed with password
// "password" opens and a forged archive with a salt per block is stopped by
// the budget.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/budget.hpp"
#include "formats/archive/rar3_crypto.hpp"
#include "formats/archive/rar3_open.hpp"
#include "formats/archive/reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace r3 = sluice::formats::archive::rar3;
  // libarchive as the unpacker opens it (archive_api.hpp), once.
  static const auto api = sluice::formats::archive::ArchiveApi::load(sluice::core::LibrarySearch::files);
  if (!api) std::abort();
  const sluice::ByteView in(data, size);
  sluice::Limits limits;
  limits.max_key_derivation_rounds = 2 * r3::kKdfIterations;
  sluice::core::Budget budget(limits, sluice::core::Budget::Clock::now());
  const std::vector<std::string> candidates{"password", "12345678"};
  r3::OpenOptions opts;
  opts.max_candidates = 2;
  opts.max_blocks = 4096;
  opts.verify = [](sluice::ByteView a, std::size_t entry, std::uint32_t crc) {
    return sluice::formats::archive::entry_crc_matches(**api, a, sluice::FileType::rar, entry, crc, 64u << 10);
  };
  const bool encrypted = r3::uses_encryption(in);
  const r3::OpenOutcome r = r3::open_encrypted(in, candidates, budget, opts);
  if (budget.key_rounds() > limits.max_key_derivation_rounds) std::abort();
  if (r.tried > opts.max_candidates) std::abort();
  if ((r.encrypted_data || r.encrypted_headers) != encrypted) std::abort();
  // A rewrite is a RAR that needs no password any more.
  if (r.opened && r3::uses_encryption(sluice::ByteView(r.archive.data(), r.archive.size()))) std::abort();
  return 0;
}
