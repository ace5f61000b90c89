#pragma once
// Where the queue's Redis is: the URL forms redis-cli and the Redis clients
// accept, so an admin can paste the same string everywhere.
//   redis://[[user]:password@]host[:port][/db]   (IPv6 hosts in brackets)
//   rediss://…                                   the same over TLS
//   unix:///path/to/redis.sock[?db=N]            (also ?password= / ?user=)
// A password in the URL is the usual trade-off; `[queue] password_file` keeps
// it out of process listings and shell history.
#include <string>
#include <string_view>

#include "sluice/result.hpp"

namespace sluice::queue {

struct RedisEndpoint {
  std::string host;       // empty for a unix socket
  int port = 6379;
  std::string unix_path;  // set for unix://
  bool tls = false;
  std::string user;       // Redis 6 ACL user; empty: the default user
  std::string password;   // empty: no AUTH
  int db = 0;

  // "127.0.0.1:6379", "unix:/run/redis.sock", "rediss://cache:6380" for logs;
  // never the password.
  [[nodiscard]] std::string describe() const;
};

[[nodiscard]] Result<RedisEndpoint> parse_redis_url(std::string_view url);

}  // namespace sluice::queue
