#pragma once
// Dates as mail writes them and as Sluice writes them. RFC 5322 dates ("Thu,
// 21 May 2020 10:00:00 +0000"): the campaign store records
// an archive of old mail at the time it was sent (`sluice scan --campaign-time
// date`), and a page's scripts see the time its message arrived (ADR 0043).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::codecs::text {

// Unix seconds, UTC; nullopt when the text is not such a date (the caller
// falls back to the scan time). Obsolete forms of RFC 5322 §4.3 (two-digit
// years, named zones like "EST") are accepted as RFC 5322 says to read them.
[[nodiscard]] std::optional<std::int64_t> parse_mail_date(std::string_view text);

// The time a Received field was written: the date after its last ';'
// (RFC 5322 §3.6.7). nullopt when there is none, or it is not such a date.
[[nodiscard]] std::optional<std::int64_t> received_time(std::string_view received);

// Unix seconds as ISO 8601 in UTC: "2020-05-21T10:00:00Z".
[[nodiscard]] std::string iso_time(std::int64_t unix_seconds);

}  // namespace sluice::codecs::text
