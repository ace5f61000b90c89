#pragma once
// One connection to the queue's Redis through hiredis (Debian libhiredis-dev),
// that outlives Redis restarts: a command that meets a dropped connection, a
// timeout or a server still loading its AOF waits (100 ms doubling to 5 s,
// each wait logged) and is sent again on a new connection, for as long as it
// takes or until the program is asked to stop. Commands are therefore sent
// at least once; the queue's protocol (docs/scale-out.md) makes every one of
// them safe to repeat.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hiredis_api.hpp"
#include "redis_url.hpp"
#include "sluice/result.hpp"
#include "tls_tunnel.hpp"

namespace sluice::queue {

// A reply, or one element of one; shares the hiredis reply it points into, so
// a job's bytes are read where hiredis put them, never copied.
class Reply {
 public:
  enum class Kind : std::uint8_t { string, array, integer, nil, status, error };
  Reply() = default;
  // Takes ownership of a reply hiredis made (redisCommand, redisGetReply, a
  // redisReader): freed with the last Reply that shares it.
  [[nodiscard]] static Reply adopt(void* hiredis_reply, const HiredisApi& api);
  [[nodiscard]] Kind kind() const noexcept;
  [[nodiscard]] bool is_error() const noexcept { return kind() == Kind::error; }
  [[nodiscard]] bool is_nil() const noexcept { return kind() == Kind::nil; }
  [[nodiscard]] std::string_view str() const noexcept;  // string, status, error
  [[nodiscard]] long long integer() const noexcept;
  [[nodiscard]] std::size_t size() const noexcept;      // array elements
  [[nodiscard]] Reply operator[](std::size_t i) const noexcept;  // nil past the end

 private:
  Reply(std::shared_ptr<const redisReply> owner, const redisReply* node) : owner_(std::move(owner)), node_(node) {}
  std::shared_ptr<const redisReply> owner_;
  const redisReply* node_ = nullptr;
};

struct ClientOptions {
  RedisEndpoint endpoint;
  TlsSettings tls;
  std::chrono::milliseconds connect_timeout{2000};
  // A reply slower than this is a lost connection; blocking reads (XREADGROUP
  // BLOCK) stay well below it.
  std::chrono::milliseconds io_timeout{15000};
  std::string client_name;  // CLIENT SETNAME, so `CLIENT LIST` shows who is who
  std::function<void(const std::string&)> log;  // one line per event; default stderr
  const std::atomic<bool>* stop = nullptr;      // set: give up waiting, return an error
};

class RedisClient {
 public:
  explicit RedisClient(ClientOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // The reply, error replies (-ERR …) included: the caller judges those.
  // Fails when asked to stop, or when retrying cannot help (AUTH refused).
  [[nodiscard]] Result<Reply> call(std::span<const std::string_view> argv);
  [[nodiscard]] Result<Reply> call(std::initializer_list<std::string_view> argv) {
    return call(std::span<const std::string_view>(argv.begin(), argv.size()));
  }
  // Several commands in one write, their replies in one read (Redis runs them
  // in order, back to back): what a batch of results costs is then one round
  // trip. On a lost connection the whole batch is sent again, so every
  // command in it must be safe to repeat.
  [[nodiscard]] Result<std::vector<Reply>> pipeline(std::span<const std::vector<std::string_view>> commands);
  // Connects now (with the same patience), so a program can report a wrong
  // URL or password before it starts work.
  [[nodiscard]] Status connect();

  [[nodiscard]] std::uint64_t reconnects() const noexcept { return reconnects_; }
  [[nodiscard]] const RedisEndpoint& endpoint() const noexcept { return options_.endpoint; }

 private:
  enum class Attempt : std::uint8_t { ok, retry, fatal };
  Attempt open_once(std::string& why);
  Attempt send_once(std::span<const std::string_view> argv, Reply& out, std::string& why);
  Attempt pipeline_once(std::span<const std::vector<std::string_view>> commands, std::vector<Reply>& out,
                        std::string& why);
  void drop();
  bool wait_before_retry(const std::string& why);
  void log(const std::string& line) const;

  ClientOptions options_;
  std::shared_ptr<const HiredisApi> api_;  // loaded by the first connection
  redisContext* ctx_ = nullptr;
  std::unique_ptr<TlsTunnel> tunnel_;
  std::chrono::milliseconds backoff_{0};
  std::uint64_t reconnects_ = 0;
  bool ever_connected_ = false;
};

// Splits "a b" style replies' errors: "LOADING", "NOGROUP", "BUSYGROUP" …
[[nodiscard]] std::string_view error_code(const Reply& r) noexcept;

}  // namespace sluice::queue
