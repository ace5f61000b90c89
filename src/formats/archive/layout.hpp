#pragma once
// Constants of the libarchive bridge. The on-disk layouts themselves live in
// libarchive; what stays here is how much we ask of it at a time.
#include <cstddef>
#include <cstdint>

namespace sluice::formats::archive {

// archive_read_data() is called with this much room: small enough that the
// budget and the deadline are checked often, large enough to keep calls few.
inline constexpr std::size_t kChunkSize = 64 * 1024;

// libarchive's ARCHIVE_* return codes, restated so the glue compares against
// names without including <archive.h> in every header.
inline constexpr int kOk = 0;
inline constexpr int kEof = 1;
inline constexpr int kWarn = -20;
inline constexpr int kFailed = -25;
inline constexpr int kFatal = -30;

}  // namespace sluice::formats::archive
