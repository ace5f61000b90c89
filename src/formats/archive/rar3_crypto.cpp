#include "formats/archive/rar3_crypto.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "core/sha1_lanes.hpp"
#include "formats/archive/counted_rounds.hpp"
#include "formats/archive/sevenzip_crypto.hpp"

namespace sluice::formats::archive::rar3 {

namespace {

namespace sha = core::sha1;

constexpr std::uint32_t kStep = kKdfIterations / 16;  // an IV byte is taken every kStep iterations
constexpr std::size_t kRun = 1024;                     // iterations laid out at a time

std::optional<std::vector<std::uint8_t>> raw_of(std::string_view password, std::span<const std::uint8_t> salt) {
  std::vector<std::uint8_t> raw = sevenzip::utf16le_password(password);
  if (raw.size() / 2 > kMaxPasswordUnits || (!salt.empty() && salt.size() != 8)) return std::nullopt;
  raw.insert(raw.end(), salt.begin(), salt.end());
  return raw;
}

// N passwords' SHA-1 runs in lock step (core/sha1_lanes.hpp): the blocks
// every stream has compressed two at a time, each stream's extra alone.
// N passwords' SHA-1 runs side by side (core/sha1_lanes.hpp); an IV byte is
// the last digest byte of the stream so far, taken from a copy of the state
// and the carried tail.
template <std::size_t N>
std::array<Keys, N> derive_n(const std::array<std::vector<std::uint8_t>, N>& raws) {
  const sha::Compressor c;
  std::vector<CountedRounds> streams;
  streams.reserve(N);
  for (const auto& raw : raws) streams.emplace_back(raw, 3, kRun);
  std::array<sha::State, N> states;
  states.fill(sha::kInitial);
  auto feed = [&](std::uint32_t first, std::uint32_t last) {  // iterations first .. last inclusive
    for (std::uint32_t i = first; i <= last;) {
      const std::size_t n = std::min<std::size_t>(kRun, std::size_t{last} - i + 1);
      std::array<std::span<const std::uint8_t>, N> blocks;
      for (std::size_t j = 0; j < N; ++j) blocks[j] = streams[j].blocks(i, n);
      compress_lanes(c, states, blocks);
      i += static_cast<std::uint32_t>(n);
    }
  };
  auto digest = [&](std::size_t j) {
    const auto tail = streams[j].tail();
    return sha::finish(c, states[j], streams[j].hashed(), tail.data(), tail.size());
  };
  std::array<Keys, N> keys{};
  for (std::uint32_t n = 0; n < 16; ++n) {
    feed(n == 0 ? 0 : (n - 1) * kStep + 1, n * kStep);
    for (std::size_t j = 0; j < N; ++j) keys[j].iv[n] = digest(j)[19];
  }
  feed(15 * kStep + 1, kKdfIterations - 1);
  for (std::size_t j = 0; j < N; ++j) {
    const auto d = digest(j);
    for (std::size_t w = 0; w < 4; ++w) {
      for (std::size_t b = 0; b < 4; ++b) keys[j].key[w * 4 + b] = d[w * 4 + 3 - b];
    }
  }
  return keys;
}

}  // namespace

bool derivable(std::string_view password, std::span<const std::uint8_t> salt) {
  return raw_of(password, salt).has_value();
}

std::optional<Keys> derive(std::string_view password, std::span<const std::uint8_t> salt) {
  auto raw = raw_of(password, salt);
  if (!raw) return std::nullopt;
  return derive_n<1>({std::move(*raw)})[0];
}

std::optional<std::array<Keys, 2>> derive_pair(std::string_view first, std::string_view second,
                                               std::span<const std::uint8_t> salt) {
  auto a = raw_of(first, salt);
  auto b = raw_of(second, salt);
  if (!a || !b) return std::nullopt;
  return derive_n<2>({std::move(*a), std::move(*b)});
}

}  // namespace sluice::formats::archive::rar3
