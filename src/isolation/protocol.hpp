#pragma once
// What the pool and a scan worker say on their socket (ADR 0011). Requests
// are the parent's (trusted); results are the worker's (hostile: see
// result_wire.hpp). SOCK_STREAM, little-endian.
//
//   worker → parent, once locked down:  'R'
//   parent → worker:  "SLQ2" u64 offset u64 input_size u8 flags u16 root_type
//                     u32 name_len name bytes; the sealed memfd holding the
//                     input at `offset` rides on the first byte as SCM_RIGHTS
//                     (a batch's requests go in one send and share one memfd
//                     with every input: only the first carries it, the others
//                     say kSameInput)
//   worker → parent:  u64 record_size, record (isolation/result_wire)
#include <cstdint>
#include <string_view>

namespace sluice::isolation {

inline constexpr std::string_view kRequestMagic = "SLQ2";
inline constexpr std::size_t kRequestHeader = 4 + 8 + 8 + 1 + 2 + 4;
inline constexpr std::uint32_t kMaxRequestName = 4096;
inline constexpr std::uint8_t kReady = 'R';

// kSameInput: no memfd with this request; its input is in the one the
// previous request brought (the requests of a batch after the first).
// kMoreFollow: more requests of this batch follow (all but its last): the
// worker keeps the memfd mapped until the last one is scanned.
// kInFlight: ScanOptions::in_flight (the message is arriving now).
enum RequestFlags : std::uint8_t {
  kInputCut = 1,
  kHasRootType = 2,
  kSameInput = 4,
  kMoreFollow = 8,
  kInFlight = 16
};

// Exit statuses of a worker that ends on purpose.
inline constexpr int kExitOutOfMemory = 86;  // operator new failed under RLIMIT_AS
inline constexpr int kExitSetupFailed = 87;  // could not lock itself down: never scans
inline constexpr int kExitBadRequest = 88;

}  // namespace sluice::isolation
