#pragma once
// glibc's iconv loads a converter module (a shared object under .../gconv)
// the first time a charset is opened. A sandboxed worker may not open files,
// and the charset of a MIME part is the attacker's choice, so before any
// worker starts every installed converter is opened once and kept open: the
// workers inherit the loaded modules and never need to load one (ADR 0011).
// It also primes the one file glibc's malloc reads lazily (see the .cpp).
#include <iconv.h>

#include <cstddef>
#include <vector>

namespace sluice::isolation {

class CharsetPreload {
 public:
  CharsetPreload();
  ~CharsetPreload();
  CharsetPreload(const CharsetPreload&) = delete;
  CharsetPreload& operator=(const CharsetPreload&) = delete;

  [[nodiscard]] std::size_t loaded() const noexcept { return handles_.size(); }

 private:
  std::vector<iconv_t> handles_;
};

}  // namespace sluice::isolation
