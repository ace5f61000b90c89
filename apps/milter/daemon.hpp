#pragma once
// What every libmilter thread, the HTTP door and the signal loop share: the
// current settings (replaced whole by SIGHUP), the scanner, the metrics, the
// count of messages in flight (for SIGTERM's drain) and the log.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "campaigns/recorder.hpp"
#include "metrics.hpp"
#include "scanner.hpp"
#include "settings.hpp"

namespace sluice::milter {

class Daemon {
 public:
  // `listen_override`: --listen, which outlives reloads.
  Daemon(std::shared_ptr<const Settings> settings, std::unique_ptr<Scanner> scanner, std::string config_path,
         std::string listen_override);

  [[nodiscard]] std::shared_ptr<const Settings> settings() const;
  [[nodiscard]] Scanner& scanner() noexcept { return *scanner_; }
  [[nodiscard]] Metrics& metrics() noexcept { return metrics_; }
  [[nodiscard]] campaigns::Recorder& campaigns() noexcept { return campaigns_; }
  // Opens the campaign store the settings name, logging (not failing) when it cannot.
  void open_campaigns();

  // SIGHUP: a new engine and new settings, or the old ones and a log line why not.
  void reload();

  void message_started();
  void message_finished();
  // Waits until no message is between MAIL FROM and its answer, at most `limit`.
  bool drain(std::chrono::milliseconds limit);

  // One line to stderr; lines from many threads never interleave.
  void log(std::string_view line);

 private:
  mutable std::mutex settings_mutex_;
  std::shared_ptr<const Settings> settings_;
  std::unique_ptr<Scanner> scanner_;
  Metrics metrics_;
  campaigns::Recorder campaigns_;
  std::string config_path_;
  std::string listen_override_;

  std::mutex flight_mutex_;
  std::condition_variable flight_cv_;
  unsigned in_flight_ = 0;

  std::mutex log_mutex_;
};

// Loads the settings a daemon runs with: the file, then --listen on top.
[[nodiscard]] Result<Settings> load_effective(const std::string& config_path, const std::string& listen_override);

// Writes <dir>/<scan_id>.eml and <dir>/<scan_id>.json, mode 0600, refusing to
// replace anything already there.
[[nodiscard]] Status write_quarantine(const std::string& dir, const std::string& scan_id,
                                      std::string_view message, std::string_view report_json);

}  // namespace sluice::milter
