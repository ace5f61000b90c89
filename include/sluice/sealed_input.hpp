#pragma once
// An input written once into a sealed memfd, the form a sandboxed worker
// receives it in (docs/adr/0011). A caller that receives a message piece by
// piece (the milter, the HTTP API) appends the pieces here instead of into a
// buffer of its own, seals it, and scans it with WorkerPool::scan: the pool
// hands the worker the descriptor and copies nothing. Sealed, the bytes can
// change no more, neither through this process nor through the worker; the
// caller reads them through a read-only mapping of the same pages.
#include <cstdint>

#include "sluice/byte_view.hpp"
#include "sluice/result.hpp"

namespace sluice {

class SealedInput {
 public:
  [[nodiscard]] static Result<SealedInput> create();
  // create, append and seal in one: for a caller that already holds the bytes.
  [[nodiscard]] static Result<SealedInput> of(ByteView bytes);

  SealedInput(SealedInput&& other) noexcept;
  SealedInput& operator=(SealedInput&& other) noexcept;
  SealedInput(const SealedInput&) = delete;
  SealedInput& operator=(const SealedInput&) = delete;
  ~SealedInput();

  // The one copy: from the caller's buffer into the memfd. Refused once sealed.
  [[nodiscard]] Status append(ByteView bytes);
  // Seals the memfd against any change and maps it read-only.
  [[nodiscard]] Status seal();

  [[nodiscard]] bool sealed() const noexcept { return sealed_; }
  // The sealed bytes (empty before seal()); valid while this object lives.
  [[nodiscard]] ByteView bytes() const noexcept { return {base_, size_}; }
  // Bytes appended so far.
  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
  [[nodiscard]] int fd() const noexcept { return fd_; }

 private:
  SealedInput() = default;
  void release() noexcept;

  int fd_ = -1;
  const std::uint8_t* base_ = nullptr;  // the read-only mapping, once sealed
  std::size_t size_ = 0;
  bool sealed_ = false;
};

}  // namespace sluice
