#pragma once
// The time a page's scripts see (ADR 0043): when the message that carried the
// page arrived, which is when its reader would open it. That is the newest
// Received field of the outermost message (written by the receiving site, so
// a sender's own fields lie below it), else that message's Date, and never
// later than the scan itself. A page scanned with no message around it, or in
// a message arriving now (a milter's: ScanOptions::in_flight; Postfix shows a
// milter none of its own Received fields, so the newest there is the
// sender's), sees the scan's time. The same message at rest therefore gives the same page the same
// clock on every scan, here or anywhere: its report, and the hashes of what
// its scripts wrote, do not change from one scan to the next.
#include <cstdint>
#include <string_view>

#include "core/unpacker.hpp"

namespace sluice::formats::html {

// Where the clock's start came from (meta html.clock_from).
enum class ClockFrom : std::uint8_t { scan, received, date };
[[nodiscard]] std::string_view to_string(ClockFrom from) noexcept;

struct PageClock {
  std::int64_t start_ms = 0;  // Unix time in milliseconds
  ClockFrom from = ClockFrom::scan;
};

[[nodiscard]] PageClock page_clock(core::UnpackContext& ctx, std::int64_t scan_ms);

}  // namespace sluice::formats::html
