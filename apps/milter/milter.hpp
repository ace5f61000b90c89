#pragma once
// The libmilter side: registers the callbacks and runs smfi_main() on the
// calling thread until smfi_stop() or a listener failure.
#include <string>

#include "daemon.hpp"

namespace sluice::milter {

// Returns smfi_main()'s status (MI_SUCCESS on an orderly stop) or an error
// when the socket cannot be set up.
[[nodiscard]] Status run_milter(Daemon& daemon, const std::string& listen);
void stop_milter();

}  // namespace sluice::milter
