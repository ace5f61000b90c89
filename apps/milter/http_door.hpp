#pragma once
// The HTTP door: POST /v1/scan (raw bytes in, the CLI's JSON report out),
// GET /metrics (Prometheus text), GET /healthz. Same process, same scanner,
// same deadline and pool limits as the milter.
#include <memory>
#include <string>
#include <thread>

#include "daemon.hpp"

namespace httplib {
class Server;
}

namespace sluice::milter {

class HttpDoor {
 public:
  // Binds `listen` ("127.0.0.1:7358", "[::1]:7358") and serves on its own threads.
  static Result<std::unique_ptr<HttpDoor>> start(Daemon& daemon, const HttpSettings& settings);
  ~HttpDoor();
  HttpDoor(const HttpDoor&) = delete;
  HttpDoor& operator=(const HttpDoor&) = delete;

 private:
  explicit HttpDoor(std::unique_ptr<httplib::Server> server);
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace sluice::milter
