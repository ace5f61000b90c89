#pragma once
// Key derivations that hash round after round of the same bytes and a
// little-endian round counter (7z AES: salt | password | 8-byte counter, 2^19
// rounds; RAR 3: password | salt | 3-byte counter, 2^18). The hash does not
// care how its input is cut, so rounds are laid out a run at a time and only
// the counters are rewritten between runs: one hash call per run instead of
// one per round (a quarter of 7z's derivation), no run built anew (a fifth of
// RAR 3's).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace sluice::formats::archive {

class CountedRounds {
 public:
  // `per_run` rounds of `prefix` followed by a `width`-byte counter.
  CountedRounds(std::span<const std::uint8_t> prefix, std::size_t width, std::size_t per_run)
      : prefix_(prefix.size()), unit_(prefix.size() + width), width_(width), per_run_(std::max<std::size_t>(1, per_run)),
        run_(unit_ * per_run_) {
    for (std::size_t k = 0; k < per_run_; ++k) std::memcpy(run_.data() + k * unit_, prefix.data(), prefix_);
  }

  [[nodiscard]] std::size_t per_run() const noexcept { return per_run_; }

  // Rounds first .. first + n - 1 (n at most per_run()), ready to hash.
  [[nodiscard]] std::span<const std::uint8_t> rounds(std::uint64_t first, std::size_t n) {
    n = std::min(n, per_run_);
    for (std::size_t k = 0; k < n; ++k) {
      std::uint8_t* counter = run_.data() + k * unit_ + prefix_;
      for (std::size_t b = 0; b < width_; ++b) counter[b] = static_cast<std::uint8_t>((first + k) >> (8 * b));
    }
    return {run_.data(), n * unit_};
  }

 private:
  std::size_t prefix_, unit_, width_, per_run_;
  std::vector<std::uint8_t> run_;
};

}  // namespace sluice::formats::archive
