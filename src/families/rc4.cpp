#include "families/rc4.hpp"

#include <utility>

namespace sluice::families {

Rc4::Rc4(ByteView key) noexcept {
  for (std::size_t n = 0; n < s_.size(); ++n) s_[n] = static_cast<std::uint8_t>(n);
  if (key.empty()) return;  // identity permutation: never used, but never UB either
  std::uint8_t j = 0;
  std::uint8_t k = 0;
  for (std::size_t n = 0; n < s_.size(); ++n) {
    (void)key.byte_at(n % key.size(), k);
    j = static_cast<std::uint8_t>(j + s_[n] + k);
    std::swap(s_[n], s_[j]);
  }
}

void Rc4::apply(std::span<std::uint8_t> data) noexcept {
  for (std::uint8_t& b : data) {
    i_ = static_cast<std::uint8_t>(i_ + 1);
    j_ = static_cast<std::uint8_t>(j_ + s_[i_]);
    std::swap(s_[i_], s_[j_]);
    b ^= s_[static_cast<std::uint8_t>(s_[i_] + s_[j_])];
  }
}

}  // namespace sluice::families
