#include "formats/archive/sevenzip_crypto.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <span>

#include "core/reader.hpp"
#include "core/sha256_lanes.hpp"
#include "formats/archive/counted_rounds.hpp"
#include "core/text.hpp"

namespace sluice::formats::archive::sevenzip {

Result<AesProps> parse_aes_props(ByteView props) {
  core::Reader r(props);
  auto b0 = r.u8();
  if (!b0) return fail(Errc::malformed, 0, "7z AES coder without properties");
  AesProps p;
  p.cycles_power = *b0 & 0x3Fu;
  if (p.cycles_power > kMaxCyclesPower && p.cycles_power != kRawKeyPower) {
    return fail(Errc::unsupported, 0,
                "7z AES key derivation asks for 2^" + std::to_string(p.cycles_power) +
                    " rounds (7-Zip stops at 2^24)");
  }
  if ((*b0 & 0xC0u) == 0) {
    if (!r.at_end()) return fail(Errc::malformed, 1, "7z AES properties longer than declared");
    return p;
  }
  auto b1 = r.u8();
  if (!b1) return fail(Errc::malformed, 1, "7z AES properties cut");
  const std::size_t salt_size = ((*b0 >> 7) & 1u) + (*b1 >> 4);
  const std::size_t iv_size = ((*b0 >> 6) & 1u) + (*b1 & 0x0Fu);
  auto salt = r.bytes(salt_size);
  auto iv = r.bytes(iv_size);
  if (!salt || !iv || !r.at_end()) return fail(Errc::malformed, 2, "7z AES salt/IV sizes disagree with the properties");
  const std::span<const std::uint8_t> sb(salt->data(), salt->size());
  const std::span<const std::uint8_t> ib(iv->data(), iv->size());
  p.salt.assign(sb.begin(), sb.end());
  std::copy(ib.begin(), ib.end(), p.iv.begin());
  return p;
}

std::vector<std::uint8_t> utf16le_password(std::string_view s) { return core::password_utf16le(s); }

namespace {

constexpr std::size_t kBatchBytes = 32 * 1024;

// Round after round of salt | UTF-16LE password | 8-byte counter.
std::vector<std::uint8_t> unit_of(const AesProps& props, std::string_view password) {
  std::vector<std::uint8_t> unit(props.salt);
  const std::vector<std::uint8_t> pw = utf16le_password(password);
  unit.insert(unit.end(), pw.begin(), pw.end());
  return unit;
}

Key raw_key(const AesProps& props, std::string_view password) {
  const std::vector<std::uint8_t> pw = utf16le_password(password);
  Key key{};
  std::size_t pos = 0;
  for (std::uint8_t b : props.salt) if (pos < key.size()) key[pos++] = b;
  for (std::uint8_t b : pw) if (pos < key.size()) key[pos++] = b;
  return key;
}

// N passwords' streams, a run of rounds at a time, compressed side by side.
template <std::size_t N>
std::array<Key, N> derive(const AesProps& props, const std::array<std::string_view, N>& passwords) {
  std::array<Key, N> keys{};
  if (props.cycles_power == kRawKeyPower) {
    for (std::size_t i = 0; i < N; ++i) keys[i] = raw_key(props, passwords[i]);
    return keys;
  }
  std::array<std::vector<std::uint8_t>, N> units;
  std::size_t longest = 0;
  for (std::size_t j = 0; j < N; ++j) {
    units[j] = unit_of(props, passwords[j]);
    longest = std::max(longest, units[j].size() + 8);
  }
  std::vector<CountedRounds> streams;
  streams.reserve(N);
  for (const auto& unit : units) streams.emplace_back(unit, 8, kBatchBytes / longest);
  const core::sha256::Compressor c;
  std::array<core::sha256::State, N> states;
  states.fill(core::sha256::kInitial);
  const std::uint64_t rounds = props.rounds();
  for (std::uint64_t round = 0; round < rounds;) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(streams[0].per_run(), rounds - round));
    std::array<std::span<const std::uint8_t>, N> blocks;
    for (std::size_t j = 0; j < N; ++j) blocks[j] = streams[j].blocks(round, n);
    compress_lanes(c, states, blocks);
    round += n;
  }
  for (std::size_t j = 0; j < N; ++j) {
    const auto tail = streams[j].tail();
    keys[j] = core::sha256::finish(c, states[j], streams[j].hashed(), tail.data(), tail.size());
  }
  return keys;
}

}  // namespace

Key derive_key(const AesProps& props, std::string_view password) {
  return derive<1>(props, {password})[0];
}

std::array<Key, 2> derive_keys(const AesProps& props, std::string_view first, std::string_view second) {
  return derive<2>(props, {first, second});
}

std::vector<std::uint8_t> aes_cbc_decrypt(std::span<const std::uint8_t> key, const std::array<std::uint8_t, 16>& iv,
                                          ByteView cipher) {
  if (key.size() != 32 && key.size() != 16) return {};
  const std::size_t whole = cipher.size() - cipher.size() % 16;
  std::vector<std::uint8_t> out(whole + 16);
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> c(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!c || EVP_DecryptInit_ex(c.get(), key.size() == 32 ? EVP_aes_256_cbc() : EVP_aes_128_cbc(), nullptr, key.data(), iv.data()) != 1) return {};
  EVP_CIPHER_CTX_set_padding(c.get(), 0);
  int n = 0;
  std::size_t done = 0;
  // EVP takes int lengths: feed at most 1 GiB at a time.
  while (done < whole) {
    const std::size_t part = std::min<std::size_t>(whole - done, std::size_t{1} << 30);
    if (EVP_DecryptUpdate(c.get(), out.data() + done, &n, cipher.data() + done, static_cast<int>(part)) != 1) return {};
    done += static_cast<std::size_t>(n);
    if (static_cast<std::size_t>(n) != part) break;
  }
  out.resize(done);
  return out;
}

}  // namespace sluice::formats::archive::sevenzip
