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
  // Across the scan: 16 members of 14 MB from 28 KB each, each holding 16 of
  // 256 MiB from 1 MB, pass the per-member check at every level.
  if (input_ > 0) {
    const std::uint64_t cap = std::max(limits_.scan_ratio_floor_bytes,
                                       checked_mul(input_, limits_.max_scan_ratio).value_or(UINT64_MAX));
    const std::uint64_t scan_left = decoded_ >= cap ? 0 : cap - decoded_;
    if (scan_left < a.bytes) a = {scan_left, LimitKind::scan_ratio};
  }
  return a;
}

}  // namespace sluice::core
