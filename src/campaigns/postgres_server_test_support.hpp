#pragma once
// A real PostgreSQL server for the store tests: initdb in a temp dir, started
// on a free loopback port with its socket in that dir, stopped and deleted
// with the object. PostgreSQL refuses to run as root, so as root the cluster
// belongs to the `postgres` user that Debian's package creates.
#include <string>

namespace sluice::campaigns::testing {

class PostgresServer {
 public:
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // Empty when the server runs; else why it could not be started.
  [[nodiscard]] const std::string& problem() const noexcept { return problem_; }
  // "postgresql://sluice@127.0.0.1:PORT/<db>" for a fresh database.
  [[nodiscard]] std::string create_database(const std::string& name);

 private:
  std::string run(const std::string& cmd, int* status = nullptr) const;
  std::string dir_, bin_, as_user_;
  int port_ = 0;
  bool started_ = false;
  std::string problem_;
};

}  // namespace sluice::campaigns::testing
