#pragma once
// A fixed-size structure taken whole: `Fixed<N>::at` succeeds only when all N
// bytes are present, and its fields are read at offsets the compiler checks
// against N. A parser that takes the structure once then reads each field
// without an error path that could not happen, and without the "0 past the
// end" loads that hide a cut structure as zeros.
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>

#include "core/reader.hpp"
#include "sluice/byte_view.hpp"

namespace sluice::core {

template <std::uint64_t N>
class Fixed {
 public:
  // The N bytes at `off`, or nothing when fewer remain.
  [[nodiscard]] static std::optional<Fixed> at(ByteView v, std::uint64_t off = 0) noexcept {
    if (!v.contains(off, N)) return std::nullopt;
    return Fixed(v.clamp(off, N));
  }

  template <std::uint64_t Off>
  [[nodiscard]] std::uint8_t u8() const noexcept { return load<std::uint8_t, Off>(std::endian::little); }
  template <std::uint64_t Off>
  [[nodiscard]] std::uint16_t le16() const noexcept { return load<std::uint16_t, Off>(std::endian::little); }
  template <std::uint64_t Off>
  [[nodiscard]] std::uint32_t le32() const noexcept { return load<std::uint32_t, Off>(std::endian::little); }
  template <std::uint64_t Off>
  [[nodiscard]] std::uint64_t le64() const noexcept { return load<std::uint64_t, Off>(std::endian::little); }
  template <std::uint64_t Off>
  [[nodiscard]] std::uint16_t be16() const noexcept { return load<std::uint16_t, Off>(std::endian::big); }
  template <std::uint64_t Off>
  [[nodiscard]] std::uint32_t be32() const noexcept { return load<std::uint32_t, Off>(std::endian::big); }

  // A structure inside this one, at an offset the compiler checks.
  template <std::uint64_t Off, std::uint64_t M>
  [[nodiscard]] Fixed<M> sub() const noexcept {
    static_assert(Off + M <= N, "a sub-structure past the end of the fixed-size structure");
    return Fixed<M>(v_.clamp(Off, M));
  }

  // Exactly the N bytes.
  [[nodiscard]] ByteView view() const noexcept { return v_; }
  static constexpr std::uint64_t size = N;

 private:
  template <std::uint64_t>
  friend class Fixed;
  explicit Fixed(ByteView v) noexcept : v_(v) {}

  template <Loadable T, std::uint64_t Off>
  [[nodiscard]] T load(std::endian e) const noexcept {
    static_assert(Off + sizeof(T) <= N, "a field past the end of the fixed-size structure");
    T out{};
    std::memcpy(&out, v_.data() + Off, sizeof(T));
    return byteswap_if(out, e);
  }

  ByteView v_;
};

}  // namespace sluice::core
