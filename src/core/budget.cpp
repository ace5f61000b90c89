#include "core/budget.hpp"

#include <algorithm>

#include "core/checked.hpp"

namespace sluice::core {

Budget::Allowance Budget::decode_allowance(std::uint64_t encoded_size) const noexcept {
  Allowance a{limits_.max_artifact_bytes, LimitKind::artifact_bytes};
  const std::uint64_t left =
      decoded_ >= limits_.max_total_bytes ? 0 : limits_.max_total_bytes - decoded_;
  if (left < a.bytes) a = {left, LimitKind::total_bytes};
  const std::uint64_t by_ratio = std::max(
      limits_.ratio_floor_bytes,
      checked_mul(encoded_size, limits_.max_ratio).value_or(UINT64_MAX));
  if (by_ratio < a.bytes) a = {by_ratio, LimitKind::ratio};
  return a;
}

}  // namespace sluice::core
