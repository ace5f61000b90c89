#pragma once
// Password candidates for encrypted attachments, taken from the message that
// carried them. Campaigns mail "the password is 2020" next to an encrypted ZIP
// precisely because gateways cannot open it; the same text opens it for us.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/artifact.hpp"

namespace sluice::core {

struct PasswordHarvest {
  std::size_t max_candidates = 256;
  std::size_t min_token = 3;         // a bare word shorter than this is noise ("a", "to")
  std::size_t min_keyworded = 1;     // after "Password:", whatever follows is the password ("sa")
  std::size_t max_token = 64;
};

// From one text (subject, plain or HTML body): first the words that follow a
// password keyword in any of several languages ("Password: x", "pwd - x",
// "пароль: x", "le mot de passe est x"), then every other plausible token.
[[nodiscard]] std::vector<std::string> harvest_passwords(std::string_view text,
                                                         const PasswordHarvest& opts = {});

// The sample-sharing passwords tried after everything the message offers.
[[nodiscard]] std::span<const std::string_view> default_passwords() noexcept;

// For artifact `id`: candidates from every enclosing message (subject meta and
// the decoded text/HTML parts beside it), from the artifact's own names, then
// the usual sample-sharing passwords. Ordered best first, deduplicated.
[[nodiscard]] std::vector<std::string> password_candidates(const ArtifactTree& tree, ArtifactId id,
                                                           const PasswordHarvest& opts = {});

}  // namespace sluice::core
