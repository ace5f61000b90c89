#include "core/zero_pages.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace sluice::core {

Result<ZeroPages> map_zero_pages(std::uint64_t bytes) {
  if (bytes == 0) return ZeroPages{};
  const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  if (bytes > static_cast<std::uint64_t>(PTRDIFF_MAX) - page) {
    return fail(Errc::io, 0, "cannot reserve " + std::to_string(bytes) + " bytes");
  }
  const std::uint64_t rounded = (bytes + page - 1) / page * page;
  // MAP_NORESERVE: no swap or overcommit charge for pages never written.
  void* p = ::mmap(nullptr, static_cast<std::size_t>(rounded), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    return fail(Errc::io, 0,
                "could not reserve " + std::to_string(bytes) + " bytes of address space: " +
                    std::strerror(errno));
  }
  // Huge pages would commit 2 MiB for one written sector; a core dump would
  // write out every reserved byte. Both are advice: failure changes nothing.
  (void)::madvise(p, static_cast<std::size_t>(rounded), MADV_NOHUGEPAGE);
  (void)::madvise(p, static_cast<std::size_t>(rounded), MADV_DONTDUMP);
  return ZeroPages{p, static_cast<std::size_t>(rounded)};
}

void unmap_zero_pages(ZeroPages pages) noexcept {
  if (pages.base != nullptr) ::munmap(pages.base, pages.bytes);
}

}  // namespace sluice::core
