// toml++ as src/scoring/config.cpp builds it: header-only, no exceptions.
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

#include "queue_settings.hpp"

#include "core/files.hpp"

namespace sluice::queue {
namespace {

std::unexpected<Error> bad(std::string_view source, const std::string& what) {
  return fail(Errc::invalid_argument, 0, std::string(source) + ": " + what);
}

Status whole(const toml::node& n, const std::string& key, std::string_view source, std::uint64_t lo,
             std::uint64_t hi, std::uint64_t& out) {
  const auto v = n.value<std::int64_t>();
  if (!v || *v < 0 || static_cast<std::uint64_t>(*v) < lo || static_cast<std::uint64_t>(*v) > hi) {
    return bad(source, "queue." + key + " needs a whole number from " + std::to_string(lo) + " to " +
                           std::to_string(hi));
  }
  out = static_cast<std::uint64_t>(*v);
  return {};
}

Status text(const toml::node& n, const std::string& key, std::string_view source, std::string& out,
            bool allow_empty) {
  const auto v = n.value<std::string>();
  if (!v || (!allow_empty && v->empty())) return bad(source, "queue." + key + " needs a non-empty string");
  out = *v;
  return {};
}

Status apply_queue(const toml::table& t, QueueSettings& q, std::string_view source) {
  for (const auto& [key, node] : t) {
    const std::string k(key.str());
    Status s;
    if (k == "redis") {
      s = text(node, k, source, q.redis, false);
    } else if (k == "stream") {
      s = text(node, k, source, q.stream, false);
    } else if (k == "group") {
      s = text(node, k, source, q.group, false);
    } else if (k == "results") {
      s = text(node, k, source, q.results, false);
    } else if (k == "dead_letters") {
      s = text(node, k, source, q.dead_letters, false);
    } else if (k == "password_file") {
      s = text(node, k, source, q.password_file, true);
    } else if (k == "tls_ca_file") {
      s = text(node, k, source, q.tls.ca_file, true);
    } else if (k == "tls_cert_file") {
      s = text(node, k, source, q.tls.cert_file, true);
    } else if (k == "tls_key_file") {
      s = text(node, k, source, q.tls.key_file, true);
    } else if (k == "tls_server_name") {
      s = text(node, k, source, q.tls.server_name, true);
    } else if (k == "tls_verify") {
      const auto v = node.value<bool>();
      if (!v) return bad(source, "queue.tls_verify needs true or false");
      q.tls.verify = *v;
    } else if (k == "inline_max_bytes") {
      s = whole(node, k, source, 0, std::uint64_t{512} << 20, q.inline_max_bytes);
    } else if (k == "max_queued") {
      s = whole(node, k, source, 1, std::uint64_t{1} << 40, q.max_queued);
    } else if (k == "claim_idle_ms") {
      s = whole(node, k, source, 300, std::uint64_t{86400} * 1000, q.claim_idle_ms);
    } else if (k == "max_attempts") {
      std::uint64_t v = 0;
      s = whole(node, k, source, 1, 100, v);
      q.max_attempts = static_cast<unsigned>(v);
    } else if (k == "results_max_length") {
      s = whole(node, k, source, 1, std::uint64_t{1} << 40, q.results_max_length);
    } else if (k == "dead_letters_max_length") {
      s = whole(node, k, source, 1, std::uint64_t{1} << 40, q.dead_letters_max_length);
    } else if (k == "done_ttl_s") {
      s = whole(node, k, source, 1, std::uint64_t{3650} * 86400, q.done_ttl_s);
    } else if (k == "connect_timeout_ms") {
      s = whole(node, k, source, 10, 600000, q.connect_timeout_ms);
    } else {
      return bad(source, "unknown queue key '" + k + "'");
    }
    if (!s) return s;
  }
  if (q.stream == q.results || q.stream == q.dead_letters || q.results == q.dead_letters) {
    return bad(source, "queue.stream, queue.results and queue.dead_letters must be three different keys");
  }
  return {};
}

}  // namespace

Result<QueueConfig> parse_queue_config(std::string_view toml_text, std::string_view source) {
  toml::parse_result parsed = toml::parse(toml_text, source);
  if (!parsed) {
    const auto& e = parsed.error();
    return bad(source, "line " + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
  QueueConfig c;
  c.source = std::string(source);
  if (const toml::table* q = parsed.table()["queue"].as_table()) {
    if (auto s = apply_queue(*q, c.queue, source); !s) return std::unexpected(s.error());
  }
  // The rest is the engine's; apply_config rejects what it does not know.
  auto base = default_config();
  if (!base) return std::unexpected(base.error());
  auto engine = apply_config(std::move(*base), toml_text, source, {"queue"});
  if (!engine) return std::unexpected(engine.error());
  c.engine = std::move(*engine);
  return c;
}

Result<QueueConfig> load_queue_config(const std::string& path) {
  if (path.empty()) return parse_queue_config("", "built-in defaults");
  const auto text = core::read_whole_file(path);
  if (!text) return fail(Errc::io, 0, path + ": cannot read config file");
  return parse_queue_config(*text, path);
}

}  // namespace sluice::queue
