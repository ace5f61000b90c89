#pragma once
// VHDX log ([MS-VHDX] §2.3): find the active sequence of log entries and
// replay it onto a copy of the file, as Hyper-V and qemu do when they open a
// disk whose header names a log. Pure: the unpacker sizes and charges the copy.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "formats/vhdx/layout.hpp"
#include "sluice/byte_view.hpp"

namespace sluice::formats::vhdx {

struct LogDescriptor {
  bool zero = false;               // "zero": write zero_length zero bytes; else "desc"
  std::uint64_t file_offset = 0;   // where the write lands in the file
  std::uint64_t zero_length = 0;   // "zero" only
  std::uint64_t leading = 0;       // "desc": the sector's first 8 bytes (little-endian)
  std::uint32_t trailing = 0;      // "desc": the sector's last 4 bytes
  std::uint64_t data_at = 0;       // "desc": its data sector's offset inside the log
};

struct LogEntry {
  std::uint64_t offset = 0;  // inside the log
  std::uint32_t length = 0;
  std::uint32_t tail = 0;
  std::uint64_t sequence = 0;
  std::uint64_t flushed_file_offset = 0;
  std::uint64_t last_file_offset = 0;
  std::vector<LogDescriptor> descriptors;
};

struct LogScan {
  // The active sequence, tail (oldest) first; empty when there is none.
  std::vector<LogEntry> active;
  std::uint64_t valid_entries = 0;  // entries anywhere in the log that pass §2.3.1
  // Why there is no active sequence (empty when there is one).
  std::string why_none;
};

// `log` is the log region (LogOffset, LogLength of the current header);
// `guid` the header's LogGuid, which every entry must carry. Every entry
// header, descriptor and data sector is checked (signatures, sequence
// numbers, CRC-32C); entries may wrap around the end of the region. The work
// is bounded by the log size: each sector is validated at most once, the CRC
// bytes and chain steps are capped, and hitting a cap is a `why_none`.
[[nodiscard]] LogScan scan_log(ByteView log, const Guid& guid);

// The file size after replay: the file, every descriptor's target, and each
// entry's LastFileOffset (§2.3.3: the file is extended to it). Saturates.
[[nodiscard]] std::uint64_t replayed_size(std::uint64_t file_size, std::span<const LogEntry> active);

struct ReplayStats {
  std::uint64_t descriptors = 0;  // applied, fully or in part
  std::uint64_t written = 0;      // bytes written (zeros included)
  bool clipped = false;           // a write fell past `image` (cut by a limit) or `write_cap`
};

// Applies the descriptors of `active` in order to `image` (the file copy, as
// long as the caller's budget allowed). Writes past its end are dropped; the
// total bytes written stop at `write_cap`, so a sequence of huge zero
// descriptors costs no more than the caller allows.
ReplayStats replay_log(ByteView log, std::span<const LogEntry> active, std::span<std::uint8_t> image,
                       std::uint64_t write_cap);

}  // namespace sluice::formats::vhdx
