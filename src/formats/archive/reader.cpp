#include "formats/archive/reader.hpp"

#include <zlib.h>

#include <optional>
#include <vector>

#include "core/text.hpp"
#include "formats/archive/layout.hpp"
#include "formats/archive/parser.hpp"

namespace sluice::formats::archive {

static_assert(kOk == ARCHIVE_OK && kEof == ARCHIVE_EOF && kWarn == ARCHIVE_WARN &&
              kFailed == ARCHIVE_FAILED && kFatal == ARCHIVE_FATAL);

void ArchiveCloser::operator()(struct ::archive* a) const noexcept { api->read_free(a); }

std::string error_text(const ArchiveApi& api, struct ::archive* a) {
  const char* s = api.error_string(a);
  return s == nullptr ? std::string("unknown libarchive error") : std::string(s);
}

bool mentions_encryption(std::string_view error) noexcept {
  const std::string lower = core::ascii_lower(error);
  return lower.find("encrypt") != std::string::npos || lower.find("passphrase") != std::string::npos ||
         lower.find("password") != std::string::npos;
}

bool mentions_unsupported(std::string_view error) noexcept {
  const std::string lower = core::ascii_lower(error);
  return lower.find("unsupported") != std::string::npos ||
         lower.find("unavailable") != std::string::npos ||
         lower.find("not supported") != std::string::npos;
}

namespace {

// Each support call returns ARCHIVE_WARN when libarchive would fall back to an
// external program; that is refused (see reader.hpp).
bool enable(int rc) noexcept { return rc == ARCHIVE_OK; }

bool configure(const ArchiveApi& api, struct ::archive* a, FileType type) {
  switch (type) {
    case FileType::sevenzip: return enable(api.support_7zip(a));
    case FileType::rar:
      // RAR 1.5-4 and RAR 5 share the "Rar!\x1A\x07" signature; libarchive's
      // bidders pick the right one.
      return enable(api.support_rar(a)) && enable(api.support_rar5(a));
    case FileType::cab: return enable(api.support_cab(a));
    case FileType::tar: return enable(api.support_tar(a));
    // libarchive has no ARJ reader (neither has 3.7); arj is routed here so it
    // is reported as unsupported instead of passing unread.
    case FileType::arj: return false;
    case FileType::cpio: return enable(api.support_cpio(a));
    case FileType::lha: return enable(api.support_lha(a));
    case FileType::ar: return enable(api.support_ar(a));
    case FileType::bzip2:
      return enable(api.support_bzip2(a)) && enable(api.support_raw(a));
    case FileType::xz:
      return enable(api.support_xz(a)) && enable(api.support_raw(a));
    case FileType::zstd:
      return enable(api.support_zstd(a)) && enable(api.support_raw(a));
    case FileType::lzma:
      return enable(api.support_lzma(a)) && enable(api.support_raw(a));
    default: return false;
  }
}

}  // namespace

Result<ArchivePtr> open_reader(const ArchiveApi& api, ByteView bytes, FileType type) {
  ArchivePtr a(api.read_new(), ArchiveCloser{&api});
  if (!a) return fail(Errc::io, 0, "libarchive could not allocate a reader");
  if (!configure(api, a.get(), type)) {
    return fail(Errc::unsupported, 0,
                "libarchive has no in-process reader for " + std::string(to_string(type)));
  }
  if (api.read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return fail(Errc::malformed, 0, error_text(api, a.get()));
  }
  return a;
}

namespace {

// A password trial's read of the current entry: an error fails it; reaching
// the end passes when `crc` (if given) matches what was read; reaching
// `max_bytes` without error passes unchecked.
bool entry_decodes(const ArchiveApi& api, struct ::archive* a, std::uint64_t max_bytes, std::optional<std::uint32_t> crc) {
  std::vector<std::uint8_t> buf(kChunkSize);
  std::uint64_t read = 0;
  uLong sum = crc32(0, nullptr, 0);
  for (;;) {
    const la_ssize_t n = api.read_data(a, buf.data(), buf.size());
    if (n < 0) return false;
    if (n == 0) return !crc || sum == *crc;
    if (crc) sum = crc32(sum, buf.data(), static_cast<uInt>(n));
    read += static_cast<std::uint64_t>(n);
    if (read >= max_bytes) return true;
  }
}

}  // namespace

bool first_file_decodes(const ArchiveApi& api, ByteView archive_7z, std::uint64_t max_bytes) {
  auto opened = open_reader(api, archive_7z, FileType::sevenzip);
  if (!opened) return false;
  struct ::archive* a = opened->get();
  for (int i = 0; i < 64; ++i) {
    struct archive_entry* e = nullptr;
    if (api.read_next_header(a, &e) != ARCHIVE_OK || e == nullptr) return false;
    if (api.entry_filetype(e) != AE_IFREG || api.entry_size(e) == 0) continue;
    return entry_decodes(api, a, max_bytes, std::nullopt);
  }
  return false;
}

bool entry_crc_matches(const ArchiveApi& api, ByteView archive, FileType type, std::size_t entry,
                       std::uint32_t crc, std::uint64_t max_bytes) {
  auto opened = open_reader(api, archive, type);
  if (!opened) return false;
  struct ::archive* a = opened->get();
  struct archive_entry* e = nullptr;
  for (std::size_t i = 0; i <= entry; ++i) {
    if (api.read_next_header(a, &e) != ARCHIVE_OK || e == nullptr) return false;
  }
  return entry_decodes(api, a, max_bytes, crc);
}

}  // namespace sluice::formats::archive
