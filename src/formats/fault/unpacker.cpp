// Test-only (SLUICE_FAULT_INJECTION): an unpacker that misbehaves on purpose
// inside a sandboxed scan worker, the way a library reader might on hostile
// input (README.md here, docs/adr/0011).
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string_view>

#include "core/unpacker.hpp"

extern char** environ;

namespace sluice::formats::fault {
namespace {

constexpr std::array kTypes{FileType::chm};
constexpr std::string_view kMagic = "ITSF SLUICE-FAULT:";

// Values the compiler cannot see through, so no fault is folded away.
volatile std::uintptr_t wild_address = 16;
volatile bool keep_going = true;
void* volatile last_block = nullptr;

[[noreturn]] void act(std::string_view action) {
  if (action == "segv") {
    *reinterpret_cast<volatile int*>(wild_address) = 1;
  } else if (action == "hang") {
    while (keep_going) {
    }
  } else if (action == "alloc") {
    // Address space, not memory: nothing is touched, so only RLIMIT_AS stops it.
    for (;;) last_block = ::operator new(256ull << 20);
  } else if (action == "open") {
    (void)::open("/etc/passwd", O_RDONLY | O_CLOEXEC);
  } else if (action == "exec") {
    char sh[] = "/bin/sh";
    char* argv[] = {sh, nullptr};
    (void)::execve(sh, argv, environ);
  } else if (action == "exit") {
    std::exit(1);
  }
  // The sandbox let the fault through (or the action is unknown): say so loudly.
  std::abort();
}

class FaultUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "fault"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    const std::string_view text = ctx.bytes().chars();
    if (!text.starts_with(kMagic)) return {};  // a real CHM: not ours
    std::string_view action = text.substr(kMagic.size());
    action = action.substr(0, action.find_first_of("\r\n"));
    if (!ctx.budget().sandboxed()) {
      return fail(Errc::unsupported, 0, "fault injection acts only inside a sandboxed worker");
    }
    act(action);
  }
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<FaultUnpacker>()); }

}  // namespace sluice::formats::fault
