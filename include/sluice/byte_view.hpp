#pragma once
// A non-owning window onto bytes. Every sub-view is checked in a form that cannot
// overflow (`off > size || len > size - off`), so no caller does pointer maths.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "sluice/result.hpp"

namespace sluice {

class ByteView {
 public:
  constexpr ByteView() noexcept = default;
  constexpr ByteView(const std::uint8_t* data, std::size_t size) noexcept
      : data_(size ? data : nullptr), size_(size) {}
  static ByteView of(std::string_view s) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
  }

  [[nodiscard]] constexpr const std::uint8_t* data() const noexcept { return data_; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
  [[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }

  [[nodiscard]] constexpr bool contains(std::uint64_t off, std::uint64_t len) const noexcept {
    return off <= size_ && len <= size_ - off;
  }
  [[nodiscard]] Result<ByteView> subview(std::uint64_t off, std::uint64_t len) const {
    if (!contains(off, len)) {
      return fail(Errc::out_of_bounds, off,
                  "range of " + std::to_string(len) + " bytes past the end (" +
                      std::to_string(size_) + ")");
    }
    return ByteView(data_ + off, static_cast<std::size_t>(len));
  }
  // Everything from `off` on, or empty when `off` is past the end: for tolerant
  // readers that keep what is there (a truncated member is still scanned).
  [[nodiscard]] ByteView tail(std::uint64_t off) const noexcept {
    if (off >= size_) return {};
    return {data_ + off, static_cast<std::size_t>(size_ - off)};
  }
  // At most `len` bytes from `off`: clamped, never past the end.
  [[nodiscard]] ByteView clamp(std::uint64_t off, std::uint64_t len) const noexcept {
    ByteView t = tail(off);
    return {t.data_, static_cast<std::size_t>(len < t.size_ ? len : t.size_)};
  }
  [[nodiscard]] bool matches_at(std::uint64_t off, std::string_view magic) const noexcept {
    return contains(off, magic.size()) &&
           (magic.empty() || std::memcmp(data_ + off, magic.data(), magic.size()) == 0);
  }
  [[nodiscard]] bool starts_with(std::string_view magic) const noexcept {
    return matches_at(0, magic);
  }
  // Unchecked element access does not exist; this one says "maybe".
  [[nodiscard]] bool byte_at(std::uint64_t off, std::uint8_t& out) const noexcept {
    if (off >= size_) return false;
    out = data_[off];
    return true;
  }
  // No byte is non-zero (true when empty). memcmp against itself shifted by
  // one: a run of zeros equals its own tail.
  [[nodiscard]] bool all_zero() const noexcept {
    return size_ == 0 || (data_[0] == 0 && std::memcmp(data_, data_ + 1, size_ - 1) == 0);
  }
  [[nodiscard]] std::string_view chars() const noexcept {
    return {reinterpret_cast<const char*>(data_), size_};
  }

 private:
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace sluice
