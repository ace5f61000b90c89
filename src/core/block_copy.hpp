#pragma once
// The block copy of a virtual disk (VHD, VHDX) into its SparseBuffer. Block
// data is decoded data like any other, so one decode allowance bounds it (BAT
// entries that all name one block would otherwise multiply the file), and the
// deadline is checked between blocks. Either stop is recorded once, here.
#include <cstdint>
#include <string>

#include "core/unpacker.hpp"

namespace sluice::core {

class BlockCopy {
 public:
  // `encoded`: the size of the file the blocks come from; `what` names the
  // disk in the limit hits.
  BlockCopy(UnpackContext& ctx, std::uint64_t encoded, std::string what);

  // How many of the next block's `n` bytes may be copied: all of them, fewer
  // where the allowance ends, none once the deadline has passed. After a cut
  // or the deadline, stopped() is true and no further block is copied.
  [[nodiscard]] std::uint64_t take(std::uint64_t n);
  [[nodiscard]] bool stopped() const noexcept { return stopped_; }
  // What was taken, for the caller to charge when it keeps the disk.
  [[nodiscard]] std::uint64_t copied() const noexcept { return copied_; }

 private:
  UnpackContext& ctx_;
  Budget::Allowance allowance_;
  std::string what_;
  std::uint64_t copied_ = 0;
  bool stopped_ = false;
};

}  // namespace sluice::core
