#pragma once
// RC4, by hand: four lines of state machine are smaller and safer than loading
// OpenSSL 3's legacy provider for one malware family's config cipher.
#include <array>
#include <cstdint>
#include <span>

#include "sluice/byte_view.hpp"

namespace sluice::families {

class Rc4 {
 public:
  // An empty key is the caller's error to reject; here it would divide by zero.
  explicit Rc4(ByteView key) noexcept;
  // XORs the keystream into `data` in place (encrypt and decrypt are the same).
  void apply(std::span<std::uint8_t> data) noexcept;

 private:
  std::array<std::uint8_t, 256> s_{};
  std::uint8_t i_ = 0;
  std::uint8_t j_ = 0;
};

}  // namespace sluice::families
