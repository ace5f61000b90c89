#pragma once
#include <string>

#include "sluice/engine.hpp"

namespace sluice::cli {

// Writes every unpacked artifact of `r` under `dir`/<NNNN>-<input name>/ as
// <id>-<name>. Names are the attacker's: they are reduced to a safe character
// set, can never contain a path separator or "..", are prefixed with the
// artifact id so two can never collide, and files are created with O_EXCL and
// O_NOFOLLOW (a planted symlink cannot redirect a write) and without execute bits.
// Returns an error message, or empty on success.
[[nodiscard]] std::string extract(const ScanResult& r, const std::string& dir, std::size_t index);

// Exposed for tests.
[[nodiscard]] std::string safe_file_name(std::string_view hostile, std::size_t max_len = 96);

}  // namespace sluice::cli
