#pragma once
// An owning handle on one libarchive read session over bytes in memory. Only
// the readers the sniffed type calls for are enabled, and never a filter that
// libarchive would run as an external program (lrzip, lzop, grzip ...): a
// hostile file must not make the scanner spawn processes.
#include <cstdint>
#include <memory>
#include <string>

#include "sluice/byte_view.hpp"
#include "sluice/file_type.hpp"
#include "sluice/result.hpp"

#include "formats/archive/archive_api.hpp"

namespace sluice::formats::archive {

struct ArchiveCloser {
  const ArchiveApi* api = nullptr;
  void operator()(struct ::archive* a) const noexcept;
};
using ArchivePtr = std::unique_ptr<struct ::archive, ArchiveCloser>;

// Opens `bytes` (which must outlive the handle: libarchive reads them in place)
// with the readers for `type`. On failure the Error carries libarchive's text.
[[nodiscard]] Result<ArchivePtr> open_reader(const ArchiveApi& api, ByteView bytes, FileType type);

// libarchive's last error text for `a`, never null.
[[nodiscard]] std::string error_text(const ArchiveApi& api, struct ::archive* a);

// A 7z password trial through libarchive, for coders Sluice does not run
// itself (PPMd, Deflate, BZip2 … after AES): the first regular file with data
// must decode without error within `max_bytes` (libarchive compares the 7z CRC
// when a file ends, so a wrong key fails there); a longer first file that
// decodes that far without error is accepted.
[[nodiscard]] bool first_file_decodes(const ArchiveApi& api, ByteView archive_7z, std::uint64_t max_bytes);

// A RAR 3 password trial: entry `entry` of `archive` decodes without error
// and its CRC32 is `crc`; an entry longer than `max_bytes` that decodes that
// far without error is accepted (libarchive checks RAR's CRC at its end).
[[nodiscard]] bool entry_crc_matches(const ArchiveApi& api, ByteView archive, FileType type, std::size_t entry,
                                     std::uint32_t crc, std::uint64_t max_bytes);

// libarchive reports unsupported encryption through its error text only.
[[nodiscard]] bool mentions_encryption(std::string_view error) noexcept;
// ... and a missing feature (as opposed to damage) the same way.
[[nodiscard]] bool mentions_unsupported(std::string_view error) noexcept;

}  // namespace sluice::formats::archive
