#pragma once
// Remcos RAT configuration: an RCDATA resource named SETTINGS holding
// [key length L][L key bytes][RC4(key) ciphertext]. The plaintext is a list of
// fields split by a separator that changed across builder generations; field 0
// is the C2 list. Layout sources are cited in README.md.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "families/family.hpp"
#include "sluice/result.hpp"

namespace sluice::families::remcos {

// The RC4 plaintext of a SETTINGS resource, as much of it as `budget` allows.
// Fails on an empty resource, a key length of 0, or a key longer than what follows.
[[nodiscard]] Result<std::vector<std::uint8_t>> decrypt_settings(ByteView resource, DecodeBudget& budget);

// The configuration in the first separator generation that yields at least three
// fields and one well-formed C2 endpoint; nothing for anything else (the benign
// program with its own SETTINGS resource decrypts to noise and stops here).
[[nodiscard]] std::optional<FamilyConfig> parse_config(ByteView plain, const Limits& limits);

// The Remcos strings present in `file` (ASCII or UTF-16LE), each once.
[[nodiscard]] std::vector<std::string> find_markers(ByteView file);

// The Family entry point: every SETTINGS resource, then the known strings.
[[nodiscard]] FamilyResult examine(const PeSubject& pe, const Limits& limits, DecodeBudget& budget);

}  // namespace sluice::families::remcos
