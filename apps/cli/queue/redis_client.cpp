#include "redis_client.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>
#include <vector>

namespace sluice::queue {
namespace {

constexpr auto kFirstBackoff = std::chrono::milliseconds(100);
constexpr auto kMaxBackoff = std::chrono::milliseconds(5000);

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// Replies a restarting or busy server gives that mean "ask again soon".
bool transient(std::string_view code) {
  return code == "LOADING" || code == "BUSY" || code == "MASTERDOWN" || code == "TRYAGAIN";
}

}  // namespace

Reply::Kind Reply::kind() const noexcept {
  if (node_ == nullptr) return Kind::nil;
  switch (node_->type) {
    case REDIS_REPLY_STRING: return Kind::string;
    case REDIS_REPLY_ARRAY: return Kind::array;
    case REDIS_REPLY_INTEGER: return Kind::integer;
    case REDIS_REPLY_STATUS: return Kind::status;
    case REDIS_REPLY_ERROR: return Kind::error;
    default: return Kind::nil;
  }
}

std::string_view Reply::str() const noexcept {
  if (node_ == nullptr || node_->str == nullptr) return {};
  return {node_->str, node_->len};
}

long long Reply::integer() const noexcept { return node_ != nullptr && node_->type == REDIS_REPLY_INTEGER ? node_->integer : 0; }

std::size_t Reply::size() const noexcept {
  return node_ != nullptr && node_->type == REDIS_REPLY_ARRAY ? node_->elements : 0;
}

Reply Reply::operator[](std::size_t i) const noexcept {
  if (i >= size()) return {};
  return Reply(owner_, node_->element[i]);
}

Reply Reply::adopt(void* hiredis_reply, const HiredisApi& api) {
  if (hiredis_reply == nullptr) return {};
  std::shared_ptr<const redisReply> owner(static_cast<redisReply*>(hiredis_reply),
                                          [free = api.free_reply](const redisReply* r) { free(const_cast<redisReply*>(r)); });
  const redisReply* node = owner.get();
  return Reply(std::move(owner), node);
}

std::string_view error_code(const Reply& r) noexcept {
  if (!r.is_error()) return {};
  const std::string_view s = r.str();
  return s.substr(0, s.find(' '));
}

RedisClient::RedisClient(ClientOptions options) : options_(std::move(options)) {}

RedisClient::~RedisClient() { drop(); }

void RedisClient::log(const std::string& line) const {
  if (options_.log) {
    options_.log(line);
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
}

void RedisClient::drop() {
  if (ctx_ != nullptr) api_->free_context(ctx_);
  ctx_ = nullptr;
  tunnel_.reset();
}

RedisClient::Attempt RedisClient::open_once(std::string& why) {
  drop();
  if (!api_) {
    auto api = HiredisApi::load();
    if (!api) {
      why = api.error().what;
      return Attempt::fatal;  // not installed: waiting will not install it
    }
    api_ = std::move(*api);
  }
  const RedisEndpoint& ep = options_.endpoint;
  const timeval tv = to_timeval(options_.connect_timeout);
  if (!ep.unix_path.empty()) {
    ctx_ = api_->connect_unix(ep.unix_path.c_str(), tv);
  } else if (ep.tls) {
    auto t = TlsTunnel::open(ep.host, ep.port, options_.tls, options_.connect_timeout);
    if (!t) {
      why = t.error().what;
      // A certificate that does not verify will not verify on the next try either.
      return t.error().code == Errc::invalid_argument ? Attempt::fatal : Attempt::retry;
    }
    tunnel_ = std::move(*t);
    ctx_ = api_->connect_fd(tunnel_->release_local_fd());
  } else {
    ctx_ = api_->connect_tcp(ep.host.c_str(), ep.port, tv);
  }
  if (ctx_ == nullptr) {
    why = "out of memory";
    return Attempt::retry;
  }
  if (ctx_->err != 0) {
    why = ctx_->errstr;
    drop();
    return Attempt::retry;
  }
  api_->set_timeout(ctx_, to_timeval(options_.io_timeout));
  if (ep.unix_path.empty() && !ep.tls) api_->enable_keep_alive(ctx_);
  // The hand-shake commands: AUTH, SELECT, CLIENT SETNAME.
  std::vector<std::vector<std::string_view>> hello;
  if (!ep.password.empty()) {
    if (ep.user.empty()) {
      hello.push_back({"AUTH", ep.password});
    } else {
      hello.push_back({"AUTH", ep.user, ep.password});
    }
  }
  const std::string db = std::to_string(ep.db);
  if (ep.db != 0) hello.push_back({"SELECT", db});
  if (!options_.client_name.empty()) hello.push_back({"CLIENT", "SETNAME", options_.client_name});
  for (const auto& argv : hello) {
    Reply r;
    if (Attempt a = send_once(argv, r, why); a != Attempt::ok) return a;
    if (r.is_error()) {
      why = std::string(argv[0]) + ": " + std::string(r.str());
      if (transient(error_code(r))) {
        drop();
        return Attempt::retry;
      }
      drop();
      return Attempt::fatal;
    }
  }
  return Attempt::ok;
}

RedisClient::Attempt RedisClient::send_once(std::span<const std::string_view> argv, Reply& out,
                                            std::string& why) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  ptrs.reserve(argv.size());
  lens.reserve(argv.size());
  for (std::string_view a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  void* raw = api_->command_argv(ctx_, static_cast<int>(argv.size()), ptrs.data(), lens.data());
  if (raw == nullptr) {
    why = ctx_->err != 0 ? std::string(ctx_->errstr) : std::string("no reply");
    if (why.empty()) why = "connection lost";
    drop();
    return Attempt::retry;
  }
  out = Reply::adopt(raw, *api_);
  return Attempt::ok;
}

RedisClient::Attempt RedisClient::pipeline_once(std::span<const std::vector<std::string_view>> commands,
                                                std::vector<Reply>& out, std::string& why) {
  out.clear();
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const auto& argv : commands) {
    ptrs.clear();
    lens.clear();
    for (std::string_view a : argv) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
    if (api_->append_command_argv(ctx_, static_cast<int>(argv.size()), ptrs.data(), lens.data()) != REDIS_OK) {
      why = ctx_->err != 0 ? std::string(ctx_->errstr) : std::string("out of memory");
      drop();
      return Attempt::retry;
    }
  }
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (api_->get_reply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
      why = ctx_->err != 0 ? std::string(ctx_->errstr) : std::string("connection lost");
      drop();
      return Attempt::retry;
    }
    out.push_back(Reply::adopt(raw, *api_));
  }
  return Attempt::ok;
}

Result<std::vector<Reply>> RedisClient::pipeline(std::span<const std::vector<std::string_view>> commands) {
  for (;;) {
    if (auto c = connect(); !c) return std::unexpected(c.error());
    std::vector<Reply> out;
    std::string why;
    if (pipeline_once(commands, out, why) == Attempt::ok) {
      const auto busy = std::find_if(out.begin(), out.end(), [](const Reply& r) { return transient(error_code(r)); });
      if (busy == out.end()) {
        backoff_ = std::chrono::milliseconds(0);
        return out;
      }
      why = std::string(busy->str());
    }
    if (!wait_before_retry(why)) return fail(Errc::io, 0, "stopped");
  }
}

bool RedisClient::wait_before_retry(const std::string& why) {
  backoff_ = backoff_.count() == 0 ? kFirstBackoff : std::min(backoff_ * 2, std::chrono::milliseconds(kMaxBackoff));
  log("redis " + options_.endpoint.describe() + ": " + why + "; retrying in " + std::to_string(backoff_.count()) + " ms");
  // Sleep in slices so a stop request is heard within 100 ms.
  const auto until = std::chrono::steady_clock::now() + backoff_;
  while (std::chrono::steady_clock::now() < until) {
    if (options_.stop != nullptr && options_.stop->load()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(100), until - std::chrono::steady_clock::now()));
  }
  return !(options_.stop != nullptr && options_.stop->load());
}

Status RedisClient::connect() {
  for (;;) {
    if (ctx_ != nullptr) return {};
    if (options_.stop != nullptr && options_.stop->load()) return fail(Errc::io, 0, "stopped");
    std::string why;
    switch (open_once(why)) {
      case Attempt::ok:
        if (ever_connected_) {
          ++reconnects_;
          log("redis " + options_.endpoint.describe() + ": connected again");
        }
        ever_connected_ = true;
        backoff_ = std::chrono::milliseconds(0);
        return {};
      case Attempt::fatal:
        return fail(Errc::invalid_argument, 0, "redis " + options_.endpoint.describe() + ": " + why);
      case Attempt::retry:
        if (!wait_before_retry(why)) return fail(Errc::io, 0, "stopped");
        break;
    }
  }
}

Result<Reply> RedisClient::call(std::span<const std::string_view> argv) {
  for (;;) {
    if (auto c = connect(); !c) return std::unexpected(c.error());
    Reply r;
    std::string why;
    if (send_once(argv, r, why) == Attempt::ok) {
      if (!transient(error_code(r))) {
        backoff_ = std::chrono::milliseconds(0);
        return r;
      }
      why = std::string(r.str());
    }
    if (!wait_before_retry(why)) return fail(Errc::io, 0, "stopped");
  }
}

}  // namespace sluice::queue
