#include "campaigns/postgres_server_test_support.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <thread>

namespace sluice::campaigns::testing {
namespace {

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

std::string find_bin() {
  namespace fs = std::filesystem;
  for (int v = 20; v >= 11; --v) {
    const fs::path p = "/usr/lib/postgresql/" + std::to_string(v) + "/bin";
    if (fs::exists(p / "initdb") && fs::exists(p / "pg_ctl")) return p.string();
  }
  return {};
}

}  // namespace

std::string PostgresServer::run(const std::string& cmd, int* status) const {
  const std::string full = as_user_.empty() ? cmd : "runuser -u " + as_user_ + " -- " + cmd;
  std::string out;
  FILE* p = ::popen((full + " 2>&1").c_str(), "r");
  if (p == nullptr) {
    if (status) *status = -1;
    return "popen failed";
  }
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int rc = ::pclose(p);
  if (status) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

PostgresServer::PostgresServer() {
  bin_ = find_bin();
  if (bin_.empty()) {
    problem_ = "PostgreSQL server binaries not found (Debian package postgresql)";
    return;
  }
  char tmpl[] = "/tmp/sluice-pg-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    problem_ = "mkdtemp failed";
    return;
  }
  dir_ = tmpl;
  if (::geteuid() == 0) {
    as_user_ = "postgres";
    int st = 0;
    run("true", &st);
    if (st != 0) {
      problem_ = "running as root needs the postgres user (Debian package postgresql)";
      return;
    }
    ::chmod(dir_.c_str(), 0755);
    std::string chown = "chown postgres " + dir_;
    if (std::system(chown.c_str()) != 0) {
      problem_ = "cannot chown " + dir_;
      return;
    }
  }
  int st = 0;
  const std::string out = run(bin_ + "/initdb -D " + dir_ + "/data -U sluice -A trust --no-sync -E UTF8 --locale=C", &st);
  if (st != 0) {
    problem_ = "initdb failed: " + out;
    return;
  }
  for (int attempt = 0; attempt < 5 && !started_; ++attempt) {
    port_ = free_port();
    const std::string opts = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) + " -k " + dir_ +
                             " -c fsync=off -c full_page_writes=off -c max_connections=40";
    run(bin_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/log -w -t 60 -o \"" + opts + "\" start", &st);
    started_ = st == 0;
  }
  if (!started_) problem_ = "pg_ctl start failed: " + run("cat " + dir_ + "/log");
}

PostgresServer::~PostgresServer() {
  if (started_) run(bin_ + "/pg_ctl -D " + dir_ + "/data -m immediate -w -t 30 stop");
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string PostgresServer::create_database(const std::string& name) {
  int st = 0;
  run(bin_ + "/createdb -h 127.0.0.1 -p " + std::to_string(port_) + " -U sluice " + name, &st);
  if (st != 0) return {};
  return "postgresql://sluice@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

}  // namespace sluice::campaigns::testing
