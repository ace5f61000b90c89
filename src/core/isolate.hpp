#pragma once
// Running a library-backed unpacker in a forked worker process (ADR 0006).
//
// Some readers we do not write ourselves can end the process on hostile input
// (libarchive 3.6's RAR 5 reader calls exit() when a data-dependent
// allocation fails). In the worker such an end becomes a finding instead of a
// dead scanner. The worker unpacks into a private tree; the parent receives
// that tree as one serialised record, re-checks it like any other hostile
// input, and replays it through its own UnpackContext, so budgets, limits and
// names go through the same bookkeeping as an in-process unpack.
#include <cstdint>
#include <functional>
#include <vector>

#include "core/unpacker.hpp"

namespace sluice::core {

using InProcessUnpack = std::function<Status(UnpackContext&)>;

// Runs `unpack` on ctx's artifact in a child process and replays the result.
// A worker that crashes, exits abnormally, overruns the deadline or sends a
// record that does not parse yields `isolation.worker_failed` and an error
// status; nothing it sent is trusted then.
[[nodiscard]] Status unpack_isolated(UnpackContext& ctx, const InProcessUnpack& unpack);

// For processes that run hostile input for this one (the forked reader
// above, formats/html's script helpers): no core files; and an address-space
// cap of the process's size now plus twice `allowance` plus 512 MiB, so a
// data-dependent allocation fails there rather than in the scanner. `hard`
// sets both limits; otherwise only the soft one, which a long-lived helper
// sets again for each page. No cap under AddressSanitizer.
void no_core_files() noexcept;
void cap_address_space(std::uint64_t allowance, bool hard) noexcept;

// The process's mapped size (/proc/self/statm) through a descriptor opened
// once: a script helper reads it for each page after its seccomp filter has
// taken away open() (ADR 0042).
class AddressSpaceGauge {
 public:
  AddressSpaceGauge() noexcept;
  ~AddressSpaceGauge();
  AddressSpaceGauge(const AddressSpaceGauge&) = delete;
  AddressSpaceGauge& operator=(const AddressSpaceGauge&) = delete;
  // Bytes mapped now; 0 when the file could not be read.
  [[nodiscard]] std::uint64_t bytes() const noexcept;

 private:
  int fd_ = -1;
};
void cap_address_space(std::uint64_t allowance, bool hard, const AddressSpaceGauge& now) noexcept;

// The wire form, exposed for the tests: what a worker sends and how the
// parent reads it back. `replay_record` treats the record as hostile.
// `key_rounds`: the password key-derivation rounds the worker took from its
// copy of the budget, which the parent then takes from the scan's.
[[nodiscard]] std::vector<std::uint8_t> serialise_unpack(const ArtifactTree& tree, ArtifactId root,
                                                         const Status& status, std::uint64_t key_rounds = 0);
[[nodiscard]] Status replay_record(UnpackContext& ctx, ByteView record);

}  // namespace sluice::core
