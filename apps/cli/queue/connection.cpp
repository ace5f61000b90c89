#include "connection.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace sluice::queue {

Result<Opened> open_queue(const QueueArgs& args, const std::string& program, const std::atomic<bool>* stop) {
  auto c = load_queue_config(args.config_file);
  if (!c) return std::unexpected(c.error());
  if (!args.redis.empty()) c->queue.redis = args.redis;
  if (!args.stream.empty()) c->queue.stream = args.stream;
  if (!args.group.empty()) c->queue.group = args.group;
  auto o = client_options(c->queue, "sluice-" + program + "-" + process_name(), stop);
  if (!o) return std::unexpected(o.error());
  o->log = [program](const std::string& l) { std::fprintf(stderr, "sluice %s: %s\n", program.c_str(), l.c_str()); };
  return Opened{std::move(*c), std::move(*o)};
}

sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

Result<ClientOptions> client_options(const QueueSettings& q, const std::string& client_name,
                                     const std::atomic<bool>* stop) {
  auto ep = parse_redis_url(q.redis);
  if (!ep) return std::unexpected(ep.error());
  if (!q.password_file.empty()) {
    std::ifstream in(q.password_file, std::ios::binary);
    if (!in) return fail(Errc::io, 0, q.password_file + ": cannot read the Redis password file");
    std::string pw;
    std::getline(in, pw);
    while (!pw.empty() && (pw.back() == '\r' || pw.back() == ' ')) pw.pop_back();
    ep->password = std::move(pw);
  }
  ClientOptions o;
  o.endpoint = std::move(*ep);
  o.tls = q.tls;
  o.connect_timeout = std::chrono::milliseconds(q.connect_timeout_ms);
  o.client_name = client_name;
  o.stop = stop;
  return o;
}

Status ensure_group(RedisClient& redis, const QueueSettings& q) {
  auto r = redis.call({"XGROUP", "CREATE", q.stream, q.group, "0", "MKSTREAM"});
  if (!r) return std::unexpected(r.error());
  if (r->is_error() && error_code(*r) != "BUSYGROUP") {
    return fail(Errc::io, 0, "XGROUP CREATE " + q.stream + " " + q.group + ": " + std::string(r->str()));
  }
  return {};
}

std::string process_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "host");
  std::string name = std::string(host) + "-" + std::to_string(::getpid());
  // CLIENT SETNAME refuses spaces; consumer names are shown in logs.
  for (char& c : name) {
    if (c == ' ' || c == '\n' || c == '\r') c = '_';
  }
  return name;
}

}  // namespace sluice::queue
