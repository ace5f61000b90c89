#include "http_door.hpp"

#include <httplib.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "sluice/report.hpp"

namespace sluice::milter {

namespace {

struct HostPort {
  std::string host;
  int port = 0;
};

std::optional<HostPort> split(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  const char* first = listen.data() + colon + 1;
  const char* last = listen.data() + listen.size();
  const auto [p, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || p != last || port <= 0 || port > 65535) return std::nullopt;
  return HostPort{host, port};
}

void json_error(httplib::Response& res, int status, const std::string& what) {
  res.status = status;
  res.set_content(nlohmann::json{{"error", what}}.dump() + "\n", "application/json");
}

void serve_scan(Daemon& daemon, const httplib::Request& req, httplib::Response& res) {
  const auto settings = daemon.settings();
  std::string name = req.has_param("name") ? req.get_param_value("name") : "upload";
  // ?in_flight=1: a gateway scanning mail as it arrives (not stored mail), so
  // a page's scripts see now, not the message's own fields (docs/adr/0043).
  ScanOptions options;
  if (req.has_param("in_flight")) {
    const std::string v = req.get_param_value("in_flight");
    if (v != "0" && v != "1") return json_error(res, 400, "in_flight must be 0 or 1");
    options.in_flight = v == "1";
  }
  auto bytes = bytes_of(ByteView::of(req.body));
  if (!bytes) return json_error(res, 500, "cannot hold the upload for scanning: " + bytes.error().what);
  const ScanOutcome outcome = daemon.scanner().scan(*bytes, std::move(name), settings->deadline(), options);
  daemon.metrics().http_scan();
  switch (outcome.status) {
    case ScanStatus::busy:
      daemon.metrics().busy();
      res.set_header("Retry-After", "1");
      return json_error(res, 503, "every scan worker is busy");
    case ScanStatus::timeout:
      daemon.metrics().timeout();
      daemon.metrics().error();
      return json_error(res, 504, "the scan ran past the deadline");
    case ScanStatus::done:
      break;
  }
  daemon.metrics().scan(outcome.result->elapsed, (*bytes)->size());
  res.set_content(report::to_json(*outcome.result, false) + "\n", "application/json");
}

}  // namespace

Result<std::unique_ptr<HttpDoor>> HttpDoor::start(Daemon& daemon, const HttpSettings& settings) {
  const auto hp = split(settings.listen);
  if (!hp) return fail(Errc::invalid_argument, 0, "http.listen '" + settings.listen + "' is not host:port");
  auto server = std::make_unique<httplib::Server>();
  server->set_payload_max_length(settings.max_body_bytes);
  server->set_read_timeout(30, 0);
  server->set_write_timeout(30, 0);
  server->Post("/v1/scan", [&daemon](const httplib::Request& req, httplib::Response& res) { serve_scan(daemon, req, res); });
  server->Get("/metrics", [&daemon](const httplib::Request&, httplib::Response& res) {
    res.set_content(daemon.metrics().render(daemon.scanner().stats()), "text/plain; version=0.0.4");
  });
  server->Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
  if (!server->bind_to_port(hp->host.c_str(), hp->port)) {
    return fail(Errc::io, 0, "cannot listen for HTTP on " + settings.listen);
  }
  auto door = std::unique_ptr<HttpDoor>(new HttpDoor(std::move(server)));
  door->thread_ = std::thread([s = door->server_.get()] { s->listen_after_bind(); });
  return door;
}

HttpDoor::HttpDoor(std::unique_ptr<httplib::Server> server) : server_(std::move(server)) {}

HttpDoor::~HttpDoor() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace sluice::milter
