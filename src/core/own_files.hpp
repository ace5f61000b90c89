#pragma once
// Where Sluice finds the files it installs beside its programs: its own
// shared library (libsluice-pdf.so, ADR 0031) and its own helper programs
// (sluice-script-helper, ADR 0042). They are on no search path: the copy
// installed for the running program (<program dir>/../<libdir>/sluice), else,
// for a program inside the build tree, the build tree's. Never a directory the
// user happens to be in, never $PATH.
#include <string>
#include <string_view>
#include <vector>

namespace sluice::core {

// The places `name` may be, best first (whether or not anything is there).
[[nodiscard]] std::vector<std::string> own_file_candidates(std::string_view name);

// The first candidate for `name` that is an executable file, or "" when none is.
[[nodiscard]] std::string find_own_program(std::string_view name);

}  // namespace sluice::core
