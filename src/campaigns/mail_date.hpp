#pragma once
// RFC 5322 dates ("Thu, 21 May 2020 10:00:00 +0000"), for recording an archive
// of old mail at the time it was sent (`sluice scan --campaign-time date`).
#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::campaigns {

// Unix seconds, UTC; nullopt when the text is not such a date (the caller
// falls back to the scan time). Obsolete forms of RFC 5322 §4.3 (two-digit
// years, named zones like "EST") are accepted as RFC 5322 says to read them.
[[nodiscard]] std::optional<std::int64_t> parse_mail_date(std::string_view text);

}  // namespace sluice::campaigns
