#pragma once
// Pure VHDX parsing ([MS-VHDX]): file identifier, the current header, region
// table, metadata and the payload part of the BAT. The unpacker assembles.
#include <cstdint>
#include <string>
#include <vector>

#include "formats/vhdx/layout.hpp"
#include "core/parsed.hpp"
#include "sluice/byte_view.hpp"
#include "sluice/limits.hpp"
#include "sluice/finding.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::vhdx {


struct Header {
  std::uint64_t offset = 0;
  std::uint64_t sequence = 0;
  Guid log_guid{};
  std::uint16_t log_version = 0;
  std::uint16_t version = 0;
  std::uint32_t log_length = 0;
  std::uint64_t log_offset = 0;
};

struct Image {
  std::string creator;  // file identifier's creator string
  Header header;        // the current one (highest valid sequence number)
  std::uint32_t block_size = 0;
  std::uint64_t virtual_size = 0;
  std::uint32_t logical_sector_size = 0;
  bool has_parent = false;
  std::uint64_t bat_offset = 0;
  std::vector<std::uint64_t> payload;  // one BAT entry per payload block, in disk order
};

// §2.2.2: the current header (the valid one with the higher sequence number);
// an error when neither is valid. Issues about the headers go to `issues`.
// The log is found through it before anything else is read (§2.3.3).
[[nodiscard]] Result<Header> current_header(ByteView file, std::vector<Anomaly>& issues);

// True when the header names a log that must be replayed before the file is
// read: a non-zero LogGuid and a non-zero LogLength (as qemu decides too).
[[nodiscard]] bool log_in_use(const Header& h) noexcept;

// The image as stored (the unpacker replays a pending log first and parses the
// result again). The payload entries read are bounded by the file's size.
[[nodiscard]] Result<Parsed<Image>> parse(ByteView file, const Limits& limits);

}  // namespace sluice::formats::vhdx
