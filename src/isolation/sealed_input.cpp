#include "sluice/sealed_input.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "core/wire.hpp"

namespace sluice {

Result<SealedInput> SealedInput::create() {
  SealedInput in;
  in.fd_ = ::memfd_create("sluice-input", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (in.fd_ < 0) return fail(Errc::io, 0, std::string("memfd_create: ") + std::strerror(errno));
  return in;
}

Result<SealedInput> SealedInput::of(ByteView bytes) {
  auto in = create();
  if (!in) return in;
  if (auto st = in->append(bytes); !st) return std::unexpected(st.error());
  if (auto st = in->seal(); !st) return std::unexpected(st.error());
  return in;
}

SealedInput::SealedInput(SealedInput&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      base_(std::exchange(other.base_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      sealed_(std::exchange(other.sealed_, false)) {}

SealedInput& SealedInput::operator=(SealedInput&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
    base_ = std::exchange(other.base_, nullptr);
    size_ = std::exchange(other.size_, 0);
    sealed_ = std::exchange(other.sealed_, false);
  }
  return *this;
}

SealedInput::~SealedInput() { release(); }

void SealedInput::release() noexcept {
  if (base_ != nullptr) ::munmap(const_cast<std::uint8_t*>(base_), size_);
  if (fd_ >= 0) ::close(fd_);
  base_ = nullptr;
  fd_ = -1;
  size_ = 0;
  sealed_ = false;
}

Status SealedInput::append(ByteView bytes) {
  if (sealed_ || fd_ < 0) return fail(Errc::invalid_argument, size_, "append to a sealed input");
  if (!core::wire::write_all(fd_, bytes.data(), bytes.size())) {
    const int err = errno;
    return fail(Errc::io, size_, std::string("memfd write: ") + (err != 0 ? std::strerror(err) : "short write"));
  }
  size_ += bytes.size();
  return {};
}

Status SealedInput::seal() {
  if (sealed_) return {};
  if (fd_ < 0) return fail(Errc::invalid_argument, 0, "seal of a moved-from input");
  if (::fcntl(fd_, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
    return fail(Errc::io, 0, std::string("memfd seal: ") + std::strerror(errno));
  }
  // The size is the file's, not our count: they agree unless someone wrote
  // through another descriptor, and the file is what the worker will map.
  struct stat st{};
  if (::fstat(fd_, &st) != 0 || st.st_size < 0) return fail(Errc::io, 0, std::string("memfd stat: ") + std::strerror(errno));
  size_ = static_cast<std::size_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd_, 0);
    if (p == MAP_FAILED) return fail(Errc::io, 0, std::string("memfd mmap: ") + std::strerror(errno));
    base_ = static_cast<const std::uint8_t*>(p);
  }
  sealed_ = true;
  return {};
}

}  // namespace sluice
