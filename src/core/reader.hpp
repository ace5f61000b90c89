#pragma once
// A value-type cursor over a ByteView. Loads go through memcpy (no struct casts,
// no alignment assumptions) and every read is bounds-checked; failures carry the
// absolute offset so anomalies can point at the byte that lied.
#include <bit>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "sluice/byte_view.hpp"
#include "sluice/result.hpp"

namespace sluice::core {

template <class T>
concept Loadable = std::is_integral_v<T> && !std::is_same_v<T, bool>;

template <Loadable T>
[[nodiscard]] constexpr T byteswap_if(T v, std::endian want) noexcept {
  if constexpr (sizeof(T) == 1) {
    return v;
  } else {
    return want == std::endian::native ? v : std::byteswap(v);
  }
}

// Loads at an absolute offset without a cursor.
template <Loadable T>
[[nodiscard]] Result<T> load(ByteView v, std::uint64_t off, std::endian e) {
  if (!v.contains(off, sizeof(T))) {
    return fail(Errc::out_of_bounds, off, "read of " + std::to_string(sizeof(T)) + " bytes past the end");
  }
  T out{};
  std::memcpy(&out, v.data() + off, sizeof(T));
  return byteswap_if(out, e);
}
template <Loadable T>
[[nodiscard]] Result<T> load_le(ByteView v, std::uint64_t off) {
  return load<T>(v, off, std::endian::little);
}
template <Loadable T>
[[nodiscard]] Result<T> load_be(ByteView v, std::uint64_t off) {
  return load<T>(v, off, std::endian::big);
}

class Reader {
 public:
  // `base` is where `view` starts inside its artifact, so errors report
  // artifact offsets even when a parser reads a sub-structure.
  explicit Reader(ByteView view, std::uint64_t base = 0) noexcept : view_(view), base_(base) {}

  template <Loadable T>
  [[nodiscard]] Result<T> le() { return take<T>(std::endian::little); }
  template <Loadable T>
  [[nodiscard]] Result<T> be() { return take<T>(std::endian::big); }
  [[nodiscard]] Result<std::uint8_t> u8() { return take<std::uint8_t>(std::endian::little); }

  [[nodiscard]] Result<ByteView> bytes(std::uint64_t n) {
    if (!view_.contains(pos_, n)) return short_read(n);
    ByteView out(view_.data() + pos_, static_cast<std::size_t>(n));
    pos_ += n;
    return out;
  }
  [[nodiscard]] Status skip(std::uint64_t n) {
    if (!view_.contains(pos_, n)) return short_read(n);
    pos_ += n;
    return {};
  }
  [[nodiscard]] Status seek(std::uint64_t pos) {
    if (pos > view_.size()) return fail(Errc::out_of_bounds, base_ + pos, "seek past the end");
    pos_ = pos;
    return {};
  }
  // Reads up to and excluding `terminator`, consuming it: C strings in headers.
  [[nodiscard]] Result<ByteView> until(std::uint8_t terminator) {
    const auto rest = view_.tail(pos_);
    const void* hit = rest.empty() ? nullptr : std::memchr(rest.data(), terminator, rest.size());
    if (hit == nullptr) return fail(Errc::truncated, base_ + pos_, "unterminated field");
    const auto len = static_cast<std::uint64_t>(static_cast<const std::uint8_t*>(hit) - rest.data());
    ByteView out(rest.data(), static_cast<std::size_t>(len));
    pos_ += len + 1;
    return out;
  }

  [[nodiscard]] std::uint64_t pos() const noexcept { return pos_; }
  [[nodiscard]] std::uint64_t offset() const noexcept { return base_ + pos_; }
  [[nodiscard]] std::uint64_t remaining() const noexcept { return view_.size() - pos_; }
  [[nodiscard]] bool at_end() const noexcept { return pos_ >= view_.size(); }
  [[nodiscard]] ByteView rest() const noexcept { return view_.tail(pos_); }
  [[nodiscard]] ByteView view() const noexcept { return view_; }

 private:
  template <Loadable T>
  Result<T> take(std::endian e) {
    auto r = load<T>(view_, pos_, e);
    if (!r) return short_read(sizeof(T));
    pos_ += sizeof(T);
    return r;
  }
  std::unexpected<Error> short_read(std::uint64_t n) const {
    return fail(Errc::truncated, base_ + pos_,
                "need " + std::to_string(n) + " bytes, " + std::to_string(remaining()) + " left");
  }

  ByteView view_;
  std::uint64_t base_ = 0;
  std::uint64_t pos_ = 0;
};

}  // namespace sluice::core
