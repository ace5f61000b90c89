#include "core/block_copy.hpp"

#include <utility>

namespace sluice::core {

BlockCopy::BlockCopy(UnpackContext& ctx, std::uint64_t encoded, std::string what)
    : ctx_(ctx), allowance_(ctx.budget().decode_allowance(encoded)), what_(std::move(what)) {}

std::uint64_t BlockCopy::take(std::uint64_t n) {
  if (stopped_) return 0;
  if (ctx_.budget().expired()) {
    ctx_.limit_hit(LimitKind::deadline, what_ + ": block copy interrupted");
    stopped_ = true;
    return 0;
  }
  const std::uint64_t left = allowance_.bytes - copied_;
  if (n <= left) {
    copied_ += n;
    return n;
  }
  copied_ = allowance_.bytes;
  ctx_.limit_hit(allowance_.binding, what_ + ": blocks copied up to " + std::to_string(copied_) + " bytes");
  stopped_ = true;
  return left;
}

}  // namespace sluice::core
