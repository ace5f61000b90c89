#pragma once
// Configuration fields arrive as raw bytes in whatever encoding the builder
// used: Remcos 3+ writes paths and names as UTF-16LE, older builds and the C2
// list as ANSI. These helpers turn one field into valid UTF-8 and classify hosts.
#include <cstddef>
#include <string>
#include <string_view>

#include "sluice/byte_view.hpp"

namespace sluice::families {

// True when the bytes cannot be a single-byte string but can be UTF-16LE: an
// even length with a control byte before the trailing NULs. (UTF-16 text made
// only of code units without a byte below 0x20, such as pure CJK, reads as
// bytes: a known gap, listed in README.md.)
[[nodiscard]] bool looks_utf16(ByteView raw);

// UTF-16LE when the bytes cannot be a single-byte string (looks_utf16), otherwise the bytes themselves;
// trailing NULs dropped, invalid sequences as U+FFFD, cut at `max_bytes`.
[[nodiscard]] std::string field_text(ByteView raw, std::size_t max_bytes);

// True for a dotted-quad IPv4 literal ("192.0.2.7"); hosts that are not are
// reported as domains.
[[nodiscard]] bool is_ipv4_literal(std::string_view host) noexcept;

// Characters a C2 host name or address can hold; rejects decrypted noise.
[[nodiscard]] bool plausible_host(std::string_view host) noexcept;

}  // namespace sluice::families
