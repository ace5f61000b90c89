#pragma once
// Pure decoders for the few raw structures the unpacker interprets itself (the
// volume walk is The Sleuth Kit's): all reads are bounds-checked, no TSK here.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/byte_view.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::ntfs {

// DOS attribute word of a resident $STANDARD_INFORMATION attribute's content.
[[nodiscard]] Result<std::uint32_t> dos_flags(ByteView standard_information);

// UTF-16LE (NTFS names, $VOLUME_NAME) to UTF-8; unpaired surrogates become U+FFFD
// and an odd trailing byte is dropped, as Windows would never write either.
[[nodiscard]] std::string utf16le_to_utf8(ByteView bytes);

// The ZoneId=N line of a Zone.Identifier stream (Mark of the Web), if any.
[[nodiscard]] std::optional<std::int64_t> zone_id(ByteView stream);

// Boot-sector serial as Windows prints it (upper-case hex), or empty.
[[nodiscard]] std::string serial_hex(ByteView volume, std::uint64_t offset, unsigned bytes);

}  // namespace sluice::formats::ntfs
