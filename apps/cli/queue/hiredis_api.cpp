#include "hiredis_api.hpp"

#include "deferred_libraries.hpp"

namespace sluice::queue {

Result<std::shared_ptr<const HiredisApi>> HiredisApi::load() {
  return core::load_table<HiredisApi>(deferred::k_hiredis, [](HiredisApi& api, core::Binder& b) {
    b(api.connect_tcp, "redisConnectWithTimeout");
    b(api.connect_unix, "redisConnectUnixWithTimeout");
    b(api.connect_fd, "redisConnectFd");
    b(api.set_timeout, "redisSetTimeout");
    b(api.enable_keep_alive, "redisEnableKeepAlive");
    b(api.free_context, "redisFree");
    b(api.command_argv, "redisCommandArgv");
    b(api.append_command_argv, "redisAppendCommandArgv");
    b(api.get_reply, "redisGetReply");
    b(api.free_reply, "freeReplyObject");
    b(api.reader_create, "redisReaderCreate");
    b(api.reader_feed, "redisReaderFeed");
    b(api.reader_get_reply, "redisReaderGetReply");
    b(api.reader_free, "redisReaderFree");
  });
}

}  // namespace sluice::queue
