#pragma once
// From the settings and the command line to a client: the URL, the password
// file, TLS, and the names under which this process shows in CLIENT LIST.
#include <signal.h>

#include <atomic>
#include <string>

#include "commands.hpp"
#include "queue_settings.hpp"
#include "redis_client.hpp"

namespace sluice::queue {

// What each command starts from: the config with the command line's
// overrides, and a client whose log lines say "sluice <program>: ".
struct Opened {
  QueueConfig cfg;
  ClientOptions client;
};
[[nodiscard]] Result<Opened> open_queue(const QueueArgs& args, const std::string& program,
                                        const std::atomic<bool>* stop);

// SIGTERM and SIGINT blocked in this thread and the threads it starts, for
// sigtimedwait: a stop request is then a value, never a handler.
[[nodiscard]] sigset_t block_stop_signals();

[[nodiscard]] Result<ClientOptions> client_options(const QueueSettings& q, const std::string& client_name,
                                                   const std::atomic<bool>* stop);

// Creates the consumer group (and the stream) unless they exist; reading
// starts at the first job ever submitted, so jobs queued before any worker
// started are not skipped.
[[nodiscard]] Status ensure_group(RedisClient& redis, const QueueSettings& q);

// "host-pid", unique enough among the machines of one queue.
[[nodiscard]] std::string process_name();

}  // namespace sluice::queue
