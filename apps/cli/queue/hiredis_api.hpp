#pragma once
// hiredis, opened by the first queue command rather than by every `sluice`
// start (src/core/dynamic_library.hpp, docs/adr/0030). Each member has the
// type of the function the headers declare.
#include <hiredis/hiredis.h>

#include <memory>

#include "core/dynamic_library.hpp"
#include "sluice/result.hpp"

namespace sluice::queue {

struct HiredisApi {
  decltype(&::redisConnectWithTimeout) connect_tcp = nullptr;
  decltype(&::redisConnectUnixWithTimeout) connect_unix = nullptr;
  decltype(&::redisConnectFd) connect_fd = nullptr;
  decltype(&::redisSetTimeout) set_timeout = nullptr;
  decltype(&::redisEnableKeepAlive) enable_keep_alive = nullptr;
  decltype(&::redisFree) free_context = nullptr;
  decltype(&::redisCommandArgv) command_argv = nullptr;
  decltype(&::redisAppendCommandArgv) append_command_argv = nullptr;
  decltype(&::redisGetReply) get_reply = nullptr;
  decltype(&::freeReplyObject) free_reply = nullptr;
  // The reply parser on its own (fuzz/queue_reply_harness.cpp).
  decltype(&::redisReaderCreate) reader_create = nullptr;
  decltype(&::redisReaderFeed) reader_feed = nullptr;
  decltype(&::redisReaderGetReply) reader_get_reply = nullptr;
  decltype(&::redisReaderFree) reader_free = nullptr;

  core::DynamicLibrary lib;  // kept open while the table is in use

  explicit HiredisApi(core::DynamicLibrary l) : lib(std::move(l)) {}
  [[nodiscard]] static Result<std::shared_ptr<const HiredisApi>> load();
};

}  // namespace sluice::queue
