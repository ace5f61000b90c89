#pragma once
// The libmilter side: registers the callbacks and opens the listening socket
// (open_milter, before the daemon calls itself started or answers /healthz,
// so "healthy" means Postfix can connect), then runs smfi_main() on the
// calling thread until smfi_stop() or a listener failure (serve_milter).
#include <string>

#include "daemon.hpp"

namespace sluice::milter {

// An error when the address is unusable, the socket cannot be opened or a unix
// socket's mode or group (settings.socket_mode, socket_group) cannot be set.
[[nodiscard]] Status open_milter(Daemon& daemon, const MilterSettings& settings);
// smfi_main()'s status: success on an orderly stop.
[[nodiscard]] Status serve_milter(const std::string& listen);
void stop_milter();

}  // namespace sluice::milter
