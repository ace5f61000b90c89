// fuzz_queue_reply: what `sluice worker` and `sluice results` believe of a
// Redis reply (apps/cli/queue): RESP bytes through hiredis's reader, then the
// stream entries, job fields and result fields read from them. A shared Redis
// is not trusted to hold well-formed jobs: anyone who can XADD can write one.
// The first line is also read as a Redis URL.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "job.hpp"
#include "redis_client.hpp"
#include "redis_url.hpp"

namespace {

void walk(const sluice::queue::Reply& r, int depth) {
  if (depth > 4) return;
  for (const sluice::queue::Entry& e : sluice::queue::entries_of(r)) {
    auto job = sluice::queue::job_from_fields(e.fields);
    if (job) {
      volatile std::size_t n = job->data.size() + job->name.size() + job->path.size();
      (void)n;
    }
    (void)sluice::queue::field(e.fields, "report");
  }
  for (std::size_t i = 0; i < r.size() && i < 64; ++i) walk(r[i], depth + 1);
  (void)sluice::queue::error_code(r);
}

// hiredis 0.14 allocates an array's or a string's declared size before its
// bytes arrive (newer hiredis caps it): a lie there is Redis's own framing,
// which only the server writes. The attacker's bytes are field values inside
// well-framed entries, so declared sizes above 64 Ki are not explored.
bool framing_plausible(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); i = text.find('\n', i) == std::string_view::npos ? text.size() : text.find('\n', i) + 1) {
    if (text[i] != '*' && text[i] != '$') continue;
    std::size_t digits = 0;
    for (std::size_t j = i + 1; j < text.size() && text[j] >= '0' && text[j] <= '9'; ++j) ++digits;
    if (digits > 5) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)sluice::queue::parse_redis_url(text.substr(0, text.find('\n')));
  if (!framing_plausible(text)) return 0;
  // Loaded once per process: libFuzzer calls this function millions of times.
  static const std::shared_ptr<const sluice::queue::HiredisApi> api = [] {
    auto loaded = sluice::queue::HiredisApi::load();
    if (!loaded) std::abort();  // the harness cannot run without hiredis
    return *loaded;
  }();
  redisReader* reader = api->reader_create();
  if (reader == nullptr) return 0;
  reader->maxbuf = 0;
  if (api->reader_feed(reader, text.data(), text.size()) == REDIS_OK) {
    for (int replies = 0; replies < 64; ++replies) {
      void* raw = nullptr;
      if (api->reader_get_reply(reader, &raw) != REDIS_OK || raw == nullptr) break;
      walk(sluice::queue::Reply::adopt(raw, *api), 0);
    }
  }
  api->reader_free(reader);
  return 0;
}
