#include "daemon.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

namespace sluice::milter {

namespace {

Status write_new(const std::string& path, std::string_view data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return fail(Errc::io, 0, path + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return fail(Errc::io, 0, path + ": " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return fail(Errc::io, 0, path + ": " + std::strerror(errno));
  return {};
}

}  // namespace

Result<Settings> load_effective(const std::string& config_path, const std::string& listen_override) {
  auto s = load_settings(config_path);
  if (s && !listen_override.empty()) s->milter.listen = listen_override;
  return s;
}

Daemon::Daemon(std::shared_ptr<const Settings> settings, std::unique_ptr<Scanner> scanner, std::string config_path,
               std::string listen_override)
    : settings_(std::move(settings)),
      scanner_(std::move(scanner)),
      config_path_(std::move(config_path)),
      listen_override_(std::move(listen_override)) {}

void Daemon::open_campaigns() {
  const auto s = settings();
  if (auto st = campaigns_.configure(s->engine); !st) {
    metrics_.campaign_error();
    log(nlohmann::json{{"event", "campaign_store_failed"}, {"error", st.error().what},
                       {"note", "scanning goes on; recording is retried every minute"}}.dump());
  }
}

std::shared_ptr<const Settings> Daemon::settings() const {
  std::lock_guard lock(settings_mutex_);
  return settings_;
}

void Daemon::reload() {
  auto next = load_effective(config_path_, listen_override_);
  if (next) {
    // The engine (YARA rules, icon references) is built before anything is
    // replaced: a rule that does not compile leaves the old engine running.
    if (auto s = scanner_->reconfigure(next->engine); !s) next = std::unexpected(s.error());
  }
  if (!next) {
    metrics_.reload(false);
    log(nlohmann::json{{"event", "reload_failed"}, {"config", config_path_}, {"error", next.error().what},
                       {"note", "the previous configuration keeps running"}}.dump());
    return;
  }
  const auto old = settings();
  std::string note;
  if (next->milter.listen != old->milter.listen || next->http.listen != old->http.listen ||
      next->effective_workers() != old->effective_workers() || next->effective_max_queued() != old->effective_max_queued()) {
    note = "listen addresses and pool size change only on restart";
  }
  {
    std::lock_guard lock(settings_mutex_);
    settings_ = std::make_shared<const Settings>(std::move(*next));
  }
  metrics_.reload(true);
  open_campaigns();
  nlohmann::json j{{"event", "reloaded"}, {"config", config_path_}};
  if (!note.empty()) j["note"] = note;
  log(j.dump());
}

void Daemon::message_started() {
  std::lock_guard lock(flight_mutex_);
  ++in_flight_;
}

void Daemon::message_finished() {
  {
    std::lock_guard lock(flight_mutex_);
    if (in_flight_ > 0) --in_flight_;
  }
  flight_cv_.notify_all();
}

bool Daemon::drain(std::chrono::milliseconds limit) {
  std::unique_lock lock(flight_mutex_);
  return flight_cv_.wait_for(lock, limit, [&] { return in_flight_ == 0; });
}

void Daemon::log(std::string_view line) {
  std::lock_guard lock(log_mutex_);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fputc('\n', stderr);
  std::fflush(stderr);
}

Status write_quarantine(const std::string& dir, const std::string& scan_id, std::string_view message,
                        std::string_view report_json) {
  if (auto s = write_new(dir + "/" + scan_id + ".eml", message); !s) return s;
  return write_new(dir + "/" + scan_id + ".json", report_json);
}

}  // namespace sluice::milter
