#pragma once
// The little-endian primitives of the records a worker process sends its
// parent: the RAR 5 unpack record (core/isolate, ADR 0006) and the whole scan
// result of a sandboxed scan worker (isolation/result_wire, ADR 0011). Writers
// trust their input; readers treat every byte as hostile (bounded strings,
// checked enums, nothing used before the whole record parsed).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/reader.hpp"
#include "sluice/artifact.hpp"
#include "sluice/result.hpp"

namespace sluice::core::wire {

inline constexpr std::uint32_t kMaxString = 1u << 20;

void put_u8(std::vector<std::uint8_t>& o, std::uint8_t v);
void put_u32(std::vector<std::uint8_t>& o, std::uint32_t v);
void put_u64(std::vector<std::uint8_t>& o, std::uint64_t v);
// Cut at kMaxString: a reader refuses longer ones.
void put_str(std::vector<std::uint8_t>& o, std::string_view s);
// skip_limits: leave out limit.exceeded, which the parent's limit_hit adds again.
void put_anomalies(std::vector<std::uint8_t>& o, const std::vector<Anomaly>& list, bool skip_limits);
void put_meta(std::vector<std::uint8_t>& o, const std::vector<Meta>& list);

// Valid UTF-8 whatever was sent (bad bytes become U+FFFD).
[[nodiscard]] Result<std::string> get_str(Reader& r);
[[nodiscard]] Status get_anomalies(Reader& r, std::vector<Anomaly>& out);
[[nodiscard]] Status get_meta(Reader& r, std::vector<Meta>& out);

// The whole buffer to or from a descriptor (pipe, socket, memfd, file),
// retrying EINTR. False on end of file or an error, with errno left as the
// failing call set it (0 for end of file).
[[nodiscard]] bool write_all(int fd, const std::uint8_t* data, std::size_t size);
[[nodiscard]] bool read_all(int fd, std::uint8_t* data, std::size_t size);
// write_all for a socket to a child process: a child that died must not take
// this process with it, so EPIPE instead of SIGPIPE (MSG_NOSIGNAL).
[[nodiscard]] bool send_all(int fd, const std::uint8_t* data, std::size_t size);

}  // namespace sluice::core::wire
