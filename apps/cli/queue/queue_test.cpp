// The queue's URL and settings parsing; the queue itself is tested against a
// real Redis from outside (tests/scaleout/scaleout_test.py).
#include <gtest/gtest.h>

#include "hiredis_api.hpp"
#include "queue_settings.hpp"
#include "redis_client.hpp"
#include "redis_url.hpp"

namespace sluice::queue {
namespace {

// hiredis is opened by the first connection (docs/adr/0030): every function
// the client calls binds, and a reply its own parser makes is read and freed
// through the table.
TEST(HiredisApi, LoadsAndParsesAReply) {
  auto api = HiredisApi::load();
  ASSERT_TRUE(api) << api.error().what;
  const HiredisApi& h = **api;
  redisReader* reader = h.reader_create();
  ASSERT_NE(reader, nullptr);
  const std::string_view resp = "*2\r\n$3\r\njob\r\n:42\r\n";
  ASSERT_EQ(h.reader_feed(reader, resp.data(), resp.size()), REDIS_OK);
  void* raw = nullptr;
  ASSERT_EQ(h.reader_get_reply(reader, &raw), REDIS_OK);
  h.reader_free(reader);
  const Reply r = Reply::adopt(raw, h);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].str(), "job");
  EXPECT_EQ(r[1].integer(), 42);
}

TEST(RedisUrl, HostPortDatabaseAndPassword) {
  auto ep = parse_redis_url("redis://alice:s%40cret@cache.example.org:6380/3");
  ASSERT_TRUE(ep) << ep.error().what;
  EXPECT_EQ(ep->host, "cache.example.org");
  EXPECT_EQ(ep->port, 6380);
  EXPECT_EQ(ep->db, 3);
  EXPECT_EQ(ep->user, "alice");
  EXPECT_EQ(ep->password, "s@cret");
  EXPECT_FALSE(ep->tls);
  EXPECT_EQ(ep->describe(), "cache.example.org:6380");  // never the password
}

TEST(RedisUrl, PasswordWithoutUserAndDefaults) {
  auto ep = parse_redis_url("redis://:pw@127.0.0.1");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->user, "");
  EXPECT_EQ(ep->password, "pw");
  EXPECT_EQ(ep->port, 6379);
  EXPECT_EQ(ep->db, 0);
  auto bare = parse_redis_url("redis://secret@127.0.0.1");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->user, "");
  EXPECT_EQ(bare->password, "secret");
}

TEST(RedisUrl, TlsIpv6AndUnixSockets) {
  auto tls = parse_redis_url("rediss://[::1]:6390/1");
  ASSERT_TRUE(tls);
  EXPECT_TRUE(tls->tls);
  EXPECT_EQ(tls->host, "::1");
  EXPECT_EQ(tls->port, 6390);
  EXPECT_EQ(tls->describe(), "rediss://[::1]:6390");
  auto unix_ep = parse_redis_url("unix:///run/redis/redis.sock?db=2&password=x%26y");
  ASSERT_TRUE(unix_ep);
  EXPECT_EQ(unix_ep->unix_path, "/run/redis/redis.sock");
  EXPECT_EQ(unix_ep->db, 2);
  EXPECT_EQ(unix_ep->password, "x&y");
}

TEST(RedisUrl, MistakesAreErrorsThatKeepThePasswordOut) {
  for (const char* url : {"http://127.0.0.1", "redis://", "redis://host:0", "redis://host:99999",
                          "redis://host:6379/x", "redis://[::1", "unix://relative.sock", "redis://u:p%4@host",
                          "redis://host?db=1&colour=blue"}) {
    auto ep = parse_redis_url(url);
    EXPECT_FALSE(ep) << url;
    if (!ep) {
      EXPECT_EQ(ep.error().what.find("p%4"), std::string::npos);
    }
  }
}

TEST(QueueSettings, QueueTableAndEngineTablesTogether) {
  auto c = parse_queue_config(R"(
[queue]
redis = "redis://10.0.0.5:6379/1"
stream = "mail:jobs"
max_attempts = 5
claim_idle_ms = 5000
inline_max_bytes = 1024
tls_verify = false

[limits]
deadline_ms = 12000
)", "test.toml");
  ASSERT_TRUE(c) << c.error().what;
  EXPECT_EQ(c->queue.redis, "redis://10.0.0.5:6379/1");
  EXPECT_EQ(c->queue.stream, "mail:jobs");
  EXPECT_EQ(c->queue.results, "sluice:results");
  EXPECT_EQ(c->queue.max_attempts, 5u);
  EXPECT_EQ(c->queue.claim_idle_ms, 5000u);
  EXPECT_EQ(c->queue.inline_max_bytes, 1024u);
  EXPECT_FALSE(c->queue.tls.verify);
  EXPECT_EQ(c->engine.limits.deadline_ms, 12000u);
}

TEST(QueueSettings, TyposAndNonsenseAreErrors) {
  EXPECT_FALSE(parse_queue_config("[queue]\nmax_attempt = 3\n", "t"));
  EXPECT_FALSE(parse_queue_config("[queue]\nmax_attempts = 0\n", "t"));
  EXPECT_FALSE(parse_queue_config("[queue]\nclaim_idle_ms = 10\n", "t"));
  EXPECT_FALSE(parse_queue_config("[queue]\nresults = \"sluice:jobs\"\n", "t"));
  EXPECT_FALSE(parse_queue_config("[queue]\nstream = \"\"\n", "t"));
  EXPECT_FALSE(parse_queue_config("[qeue]\nstream = \"x\"\n", "t"));  // not the engine's either
  auto defaults = parse_queue_config("", "t");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->queue.stream, "sluice:jobs");
  EXPECT_EQ(defaults->queue.max_attempts, 3u);
}

}  // namespace
}  // namespace sluice::queue
