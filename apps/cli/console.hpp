#pragma once
// How the subcommands answer: results on stdout, one-line errors on stderr,
// exit status 0 or 2 (as `sluice scan`'s errors-only status).
#include <string>

namespace sluice::cli {

inline constexpr int kCommandOk = 0;
inline constexpr int kCommandError = 2;

// "sluice: <what>" on stderr; returns kCommandError.
int command_error(const std::string& what);
void print_out(const std::string& text);

}  // namespace sluice::cli
