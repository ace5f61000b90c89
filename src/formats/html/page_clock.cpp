#include "formats/html/page_clock.hpp"

#include <optional>
#include <string>

#include "codecs/text/dates.hpp"
#include "meta/mime.hpp"

namespace sluice::formats::html {
namespace {

struct Arrival {
  std::int64_t seconds = 0;
  ClockFrom from = ClockFrom::scan;
};

// A message's Received fields come newest first: the first one with a date
// is the receiving site's stamp.
std::optional<Arrival> arrival(const Artifact& message) {
  for (const std::string& r : message.meta_strings(meta::mail::received)) {
    if (auto t = codecs::text::received_time(r)) return Arrival{*t, ClockFrom::received};
  }
  if (auto t = codecs::text::parse_mail_date(message.meta_string(meta::mail::date))) return Arrival{*t, ClockFrom::date};
  return std::nullopt;
}

}  // namespace

PageClock page_clock(core::UnpackContext& ctx, std::int64_t scan_ms) {
  if (ctx.budget().in_flight()) return PageClock{scan_ms, ClockFrom::scan};
  // Outermost first: a message forwarded inside another is read when the
  // outer one arrives, not when it first did.
  for (const Artifact* a : ctx.enclosing()) {
    const auto at = arrival(*a);
    if (!at) continue;
    // A stamp from the future is a lie (or a clock gone wrong): the scan's time.
    if (at->seconds > scan_ms / 1000) break;
    return PageClock{at->seconds * 1000, at->from};
  }
  return PageClock{scan_ms, ClockFrom::scan};
}

std::string_view to_string(ClockFrom from) noexcept {
  switch (from) {
    case ClockFrom::received: return "received";
    case ClockFrom::date: return "date";
    case ClockFrom::scan: break;
  }
  return "scan";
}

}  // namespace sluice::formats::html
