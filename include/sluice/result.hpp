#pragma once
// Error model: every fallible operation in core, formats and analysis returns a
// Result. Exceptions never cross these layers (only apps/ may catch), so a
// hostile byte can never unwind through a parser half-way through a model.
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace sluice {

enum class Errc : std::uint8_t {
  out_of_bounds,  // a read or sub-view past the end of its buffer
  truncated,      // the structure says more bytes follow than there are
  malformed,      // bytes that contradict the format's rules
  unsupported,    // valid but not (yet) understood: never treated as clean
  limit,          // a configured limit stopped the work
  io,             // the operating system refused
  invalid_argument,
};

[[nodiscard]] std::string_view to_string(Errc code) noexcept;

struct Error {
  Errc code = Errc::malformed;
  std::uint64_t offset = 0;  // where in the artifact the problem was seen
  std::string what;
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

[[nodiscard]] inline std::unexpected<Error> fail(Errc code, std::uint64_t offset,
                                                 std::string what) {
  return std::unexpected<Error>(Error{code, offset, std::move(what)});
}

}  // namespace sluice
