#pragma once
// Key derivations that hash round after round of the same bytes and a
// little-endian round counter (7z AES: salt | password | 8-byte counter, 2^19
// rounds; RAR 3: password | salt | 3-byte counter, 2^18). The hash does not
// care how its input is cut, so rounds are laid out a run at a time and only
// the counters are rewritten between runs (no run built anew), and they are
// handed to the compression as whole 64-byte blocks: the bytes a run leaves
// short of a block are carried in front of the next, so two candidates'
// streams can be compressed side by side whatever their lengths, and a digest
// can be taken after any round (RAR 3's IV bytes) from the carried tail.
#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace sluice::formats::archive {

class CountedRounds {
 public:
  static constexpr std::size_t kBlock = 64;

  // `per_run` rounds of `prefix` followed by a `width`-byte counter.
  CountedRounds(std::span<const std::uint8_t> prefix, std::size_t width, std::size_t per_run)
      : prefix_(prefix.size()), unit_(prefix.size() + width), width_(width), per_run_(std::max<std::size_t>(1, per_run)),
        buf_(kBlock + unit_ * per_run_) {
    // An empty prefix (an empty password, no salt) may have no data pointer at
    // all: memcpy must not see it.
    if (prefix_ > 0) {
      for (std::size_t k = 0; k < per_run_; ++k) std::memcpy(run(k), prefix.data(), prefix_);
    }
  }

  [[nodiscard]] std::size_t per_run() const noexcept { return per_run_; }

  // Rounds first .. first + n - 1 (n at most per_run()) behind the bytes the
  // last call carried: their whole blocks, to be compressed before the next
  // call; the rest is carried.
  [[nodiscard]] std::span<const std::uint8_t> blocks(std::uint64_t first, std::size_t n) {
    n = std::min(n, per_run_);
    const std::size_t carried = tail_.size();
    if (carried > 0) std::memmove(buf_.data() + kBlock - carried, tail_.data(), carried);
    write_counters(first, n);
    const std::span<const std::uint8_t> all(buf_.data() + kBlock - carried, carried + n * unit_);
    const std::size_t whole = all.size() - all.size() % kBlock;
    tail_ = all.subspan(whole);
    hashed_ += whole;
    return all.first(whole);
  }

  // What the blocks handed out so far left over (fewer than 64 bytes), and
  // how many bytes those blocks held: a digest of the stream so far is the
  // state after them, finished with this tail.
  [[nodiscard]] std::span<const std::uint8_t> tail() const noexcept { return tail_; }
  [[nodiscard]] std::uint64_t hashed() const noexcept { return hashed_; }

 private:
  std::uint8_t* run(std::size_t k) noexcept { return buf_.data() + kBlock + k * unit_; }

  void write_counters(std::uint64_t first, std::size_t n) noexcept {
    // Counters written with one or two stores instead of a byte at a time
    // (with two hash lanes the byte loop cost a third of 7z's derivation and
    // a fifth of RAR 3's): 4 bytes for 7z's 8-byte counters below 2^32 (their
    // higher bytes are zero from the layout on, and stay so while no counter
    // passes 2^32), 2 + 1 for RAR 3's 3-byte ones below 2^24.
    const std::uint64_t end = first + n;
    if (std::endian::native == std::endian::little && !wide_) {
      if (width_ >= 4 && end <= (std::uint64_t{1} << 32)) {
        for (std::size_t k = 0; k < n; ++k) {
          const auto v = static_cast<std::uint32_t>(first + k);
          std::memcpy(run(k) + prefix_, &v, 4);
        }
        return;
      }
      if (width_ == 3 && end <= (std::uint64_t{1} << 24)) {
        for (std::size_t k = 0; k < n; ++k) {
          const auto v = static_cast<std::uint32_t>(first + k);
          const auto low = static_cast<std::uint16_t>(v);
          std::memcpy(run(k) + prefix_, &low, 2);
          run(k)[prefix_ + 2] = static_cast<std::uint8_t>(v >> 16);
        }
        return;
      }
    }
    wide_ = wide_ || end > (std::uint64_t{1} << 32);
    for (std::size_t k = 0; k < n; ++k) {
      std::uint8_t* counter = run(k) + prefix_;
      for (std::size_t b = 0; b < width_; ++b) counter[b] = static_cast<std::uint8_t>((first + k) >> (8 * b));
    }
  }

  std::size_t prefix_, unit_, width_, per_run_;
  std::vector<std::uint8_t> buf_;  // kBlock bytes of room for the carried tail, then the run
  std::span<const std::uint8_t> tail_;
  std::uint64_t hashed_ = 0;
  bool wide_ = false;  // a counter above 2^32 was written: higher bytes may not be zero
};

// Each lane's blocks compressed: the blocks all lanes have side by side (one
// call of the compressor's two-lane form), each lane's extra alone.
template <class Compressor, class State, std::size_t N>
void compress_lanes(const Compressor& c, std::array<State, N>& states,
                    const std::array<std::span<const std::uint8_t>, N>& blocks) {
  std::size_t common = blocks[0].size();
  for (const auto& b : blocks) common = std::min(common, b.size());
  common /= CountedRounds::kBlock;
  if constexpr (N == 2) {
    c.two(states[0], blocks[0].data(), states[1], blocks[1].data(), common);
  } else {
    for (std::size_t j = 0; j < N; ++j) c.one(states[j], blocks[j].data(), common);
  }
  for (std::size_t j = 0; j < N; ++j) {
    const std::size_t extra = blocks[j].size() / CountedRounds::kBlock - common;
    c.one(states[j], blocks[j].data() + common * CountedRounds::kBlock, extra);
  }
}

}  // namespace sluice::formats::archive
