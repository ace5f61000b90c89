#pragma once
// One ZIP member, as the directory-level glue resolved it, and the code that
// turns it into a child artifact: names, decryption, decompression, checks.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/unpacker.hpp"
#include "formats/zip/parser.hpp"

namespace sluice::formats::zip {

struct Member {
  std::string locator;          // "member[3]" or "local@1234"
  std::uint64_t header_offset = 0;
  std::uint64_t data_offset = 0;
  std::uint64_t csize = 0;
  std::uint64_t usize = 0;
  std::uint32_t crc = 0;
  std::uint16_t method = 0;
  std::uint16_t flags = 0;
  std::uint16_t mtime = 0;
  std::uint16_t made_by = 0;
  std::uint32_t external_attr = 0;
  bool has_external = false;  // local-only members have no attributes
  ByteView name;              // raw bytes, the central name when there is one
  ByteView local_name;        // raw local name when it differs
  ByteView comment;
  ExtraInfo extra;
  bool local_only = false;
  bool skip_decode = false;  // its data overlaps a range already decoded
  bool zip64 = false;
  bool alias = false;  // the local header's reading of the previous central entry
};

// Everything shared across the members of one archive while they are emitted.
struct EmitState {
  std::span<const std::string> passwords;
  // Candidates from the enclosing message (ctx.password_candidates()), fetched
  // at the first encrypted member only: most ZIPs never need them.
  bool harvest = false;
  std::optional<std::vector<std::string>> harvested;
  std::unordered_set<std::string> seen_names;  // lower-cased: Windows is case-insensitive
  // Archives use one password for all members: the one that worked is tried
  // first, and after a few members that no candidate opens the rest are not
  // tried (each AES try is 1,000 PBKDF2 rounds; 10,000 members would not end).
  std::string known_good;
  std::uint32_t hopeless = 0;
  // Streams already decoded, so a member whose compressed bytes, method, CRC
  // and size equal an earlier one's (the same zeros stored under 16 names, a
  // nested bomb's multiplier) views that output instead of decoding it again.
  struct Decoded {
    ByteView compressed;
    std::uint16_t method;
    std::uint32_t crc;
    std::uint64_t usize;
    bool checked;
    ByteView output;
    bool prefix;
    std::string locator;
  };
  std::vector<Decoded> decoded;
};

// Emits one member (or records why it could not) with all its per-member anomalies.
void emit_member(core::UnpackContext& ctx, const Member& m, EmitState& state);
[[nodiscard]] bool is_directory(const Member& m);

}  // namespace sluice::formats::zip
