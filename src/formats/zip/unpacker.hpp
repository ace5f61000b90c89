#pragma once
// The ZIP unpacker's one entry point beyond the registry: the password hook.
#include <span>
#include <string>

#include "core/unpacker.hpp"

namespace sluice::formats::zip {

// Unpacks the ZIP in `ctx`, trying `password_candidates` (first) and then
// default_passwords() on every encrypted member. The mail harvester calls this
// with the passwords it finds in a message body ("Password: covid2020"); the
// registered unpacker calls it with none.
[[nodiscard]] Status unpack_with_passwords(core::UnpackContext& ctx,
                                           std::span<const std::string> password_candidates);

}  // namespace sluice::formats::zip
