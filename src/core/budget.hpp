#pragma once
// The Budget is drawn down across one whole scan: decoded bytes, artifact count
// and wall time are shared by every unpacker, so a bomb split over many members
// is stopped as surely as one big member.
#include <algorithm>
#include <chrono>
#include <cstdint>

#include "sluice/limits.hpp"

namespace sluice::core {

class Budget {
 public:
  using Clock = std::chrono::steady_clock;

  Budget(const Limits& limits, Clock::time_point start) noexcept
      : limits_(limits), deadline_(start + std::chrono::milliseconds(limits.deadline_ms)) {}

  [[nodiscard]] const Limits& limits() const noexcept { return limits_; }
  [[nodiscard]] bool expired() const noexcept { return Clock::now() >= deadline_; }

  // How many bytes one decoder may produce from `encoded_size` input bytes, and
  // which limit that number comes from (to name it when it is reached).
  struct Allowance {
    std::uint64_t bytes;
    LimitKind binding;
  };
  [[nodiscard]] Allowance decode_allowance(std::uint64_t encoded_size) const noexcept;

  void charge_decoded(std::uint64_t n) noexcept { decoded_ += n; }
  // The scan's input size, which max_scan_ratio weighs everything decoded against.
  void set_input_bytes(std::uint64_t n) noexcept { input_ = n; }
  [[nodiscard]] std::uint64_t decoded() const noexcept { return decoded_; }

  // Address space for sparse virtual disks (max_virtual_bytes, per scan): what
  // is left, and taking some.
  [[nodiscard]] std::uint64_t virtual_left() const noexcept {
    return limits_.max_virtual_bytes - std::min(reserved_, limits_.max_virtual_bytes);
  }
  void charge_virtual(std::uint64_t n) noexcept { reserved_ += n; }

  // Password key-derivation work (max_key_derivation_rounds, per scan): false,
  // and nothing taken, when `rounds` more would pass the cap.
  [[nodiscard]] bool take_key_rounds(std::uint64_t rounds) noexcept {
    if (rounds > key_rounds_left()) return false;
    key_rounds_ += rounds;
    return true;
  }
  [[nodiscard]] std::uint64_t key_rounds() const noexcept { return key_rounds_; }
  [[nodiscard]] std::uint64_t key_rounds_left() const noexcept {
    return limits_.max_key_derivation_rounds - std::min(key_rounds_, limits_.max_key_derivation_rounds);
  }
  // Rounds a forked reader already spent on its copy of this budget
  // (core/isolate.cpp): taken whatever is left, up to the cap.
  void charge_key_rounds(std::uint64_t rounds) noexcept {
    key_rounds_ += std::min(rounds, key_rounds_left());
  }

  // False once the per-scan artifact count is spent.
  [[nodiscard]] bool take_artifact() noexcept {
    if (artifacts_ >= limits_.max_artifacts) return false;
    ++artifacts_;
    return true;
  }
  [[nodiscard]] std::uint32_t artifacts() const noexcept { return artifacts_; }

  // True when the whole scan runs in a sandboxed worker process (ADR 0011):
  // nothing may fork, and a reader's crash is already contained.
  [[nodiscard]] bool sandboxed() const noexcept { return sandboxed_; }
  void set_sandboxed(bool on) noexcept { sandboxed_ = on; }
  // True when the message is arriving now (ScanOptions::in_flight): its time
  // is the scan's, whatever its fields claim (formats/html/page_clock).
  [[nodiscard]] bool in_flight() const noexcept { return in_flight_; }
  void set_in_flight(bool on) noexcept { in_flight_ = on; }

  // Everything but the limits, for a long-lived helper process that draws
  // down its own copy of a scan's budget (formats/html/script_helpers): the
  // deadline is steady_clock's, which every process on the machine shares.
  struct Snapshot {
    std::int64_t deadline_ns = 0;
    std::uint64_t decoded = 0, input = 0, reserved = 0, key_rounds = 0;
    std::uint32_t artifacts = 0;
    bool sandboxed = false;
  };
  [[nodiscard]] Snapshot snapshot() const noexcept {
    return {std::chrono::duration_cast<std::chrono::nanoseconds>(deadline_.time_since_epoch()).count(),
            decoded_, input_, reserved_, key_rounds_, artifacts_, sandboxed_};
  }
  Budget(const Limits& limits, const Snapshot& s) noexcept
      : limits_(limits),
        deadline_(Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(s.deadline_ns)))),
        decoded_(s.decoded),
        input_(s.input),
        reserved_(s.reserved),
        key_rounds_(s.key_rounds),
        artifacts_(s.artifacts),
        sandboxed_(s.sandboxed) {}

 private:
  const Limits& limits_;
  Clock::time_point deadline_;
  std::uint64_t decoded_ = 0;
  std::uint64_t input_ = 0;
  std::uint64_t reserved_ = 0;
  std::uint64_t key_rounds_ = 0;
  std::uint32_t artifacts_ = 0;
  bool sandboxed_ = false;
  bool in_flight_ = false;
};

}  // namespace sluice::core
