#pragma once
// The few 7z coders Sluice runs itself: what a header folder uses (LZMA,
// LZMA2, Copy, AES) and what a password trial needs. File data is decoded by
// libarchive once the AES coders are gone (docs/adr/0013).
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "formats/archive/sevenzip_crypto.hpp"
#include "formats/archive/sevenzip_header.hpp"
#include "sluice/byte_view.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::archive::sevenzip {

enum class Method { copy, lzma, lzma2, aes, other };
[[nodiscard]] Method method_of(const Coder& c) noexcept;

// Decodes `in` with one LZMA, LZMA2 or Copy coder into exactly `want` bytes;
// an error when the stream is not valid for that coder (or ends) before them.
// The dictionary is never made larger than `want`: a hostile 4 GiB dictionary
// size in the properties allocates nothing.
[[nodiscard]] Result<std::vector<std::uint8_t>> decode_coder(const Coder& c, ByteView in, std::uint64_t want);

// The key for one AES coder (derived, cached or refused by the caller).
using KeyFor = std::function<std::optional<Key>(const AesProps&)>;

// Decodes a folder that is one chain of single-stream coders ending in one
// pack stream (every 7z header folder; most data folders): `packs` are the
// folder's pack streams in order. At most `max_out` bytes of final output.
[[nodiscard]] Result<std::vector<std::uint8_t>> decode_chain(const Folder& f, std::span<const ByteView> packs,
                                                             const KeyFor& key_for, std::uint64_t max_out);

[[nodiscard]] std::uint32_t crc32_of(ByteView b);

}  // namespace sluice::formats::archive::sevenzip
