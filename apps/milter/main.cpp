// sluice-milter: Sluice in the mail flow. Runs in the foreground, logs JSON
// lines to stderr. The only layer that catches exceptions (CLI11 usage errors).
//
// Signals: libmilter runs its own thread that sigwait()s SIGHUP, SIGTERM and
// SIGINT and stops the milter on any of them. SIGHUP must reload instead, so
// this main thread keeps the three unblocked with handlers while every other
// thread blocks them: Linux hands a process-directed signal to the thread
// group leader whenever it can take it, so the handler below sees them
// (docs/adr/0014-milter-daemon.md).
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "daemon.hpp"
#include "http_door.hpp"
#include "milter.hpp"
#include "sluice/engine.hpp"

namespace sluice::milter {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitConfig = 2;
constexpr char kMilterEnded = 'x';

// The write end of the self-pipe: the one thing a signal handler may touch.
int g_signal_pipe = -1;

extern "C" void on_signal(int signo) {
  const int saved = errno;
  const char c = static_cast<char>(signo);
  [[maybe_unused]] const ssize_t n = ::write(g_signal_pipe, &c, 1);
  errno = saved;
}

sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

int check_config(const std::string& config, const std::string& listen) {
  auto s = load_effective(config, listen);
  if (!s) {
    std::cerr << "sluice-milter: " << s.error().what << "\n";
    return kExitConfig;
  }
  // The engine is built too: YARA rules and icon folders fail here, not at start.
  if (auto e = Engine::create(s->engine); !e) {
    std::cerr << "sluice-milter: " << e.error().what << "\n";
    return kExitConfig;
  }
  std::cout << describe(*s);
  return kExitOk;
}

int run(const std::string& config, const std::string& listen) {
  auto loaded = load_effective(config, listen);
  if (!loaded) {
    std::cerr << "sluice-milter: " << loaded.error().what << "\n";
    return kExitConfig;
  }
  auto settings = std::make_shared<const Settings>(std::move(*loaded));

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    std::perror("sluice-milter: pipe");
    return kExitConfig;
  }
  g_signal_pipe = fds[1];
  // Every thread started from here on inherits the blocked set.
  const sigset_t signals = handled_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto pool = EnginePool::create(settings->engine, settings->effective_workers(), settings->effective_max_queued(),
                                 settings->milter.isolate);
  if (!pool) {
    std::cerr << "sluice-milter: " << pool.error().what << "\n";
    return kExitConfig;
  }
  Daemon daemon(settings, std::move(*pool), config, listen);
  daemon.open_campaigns();  // before the socket opens: a store that cannot open is logged, never fatal
  // Listening before /healthz answers: a supervisor (or a test) that sees the
  // daemon healthy can send mail at once.
  if (auto s = open_milter(daemon, settings->milter); !s) {
    std::cerr << "sluice-milter: " << s.error().what << "\n";
    return kExitConfig;
  }

  std::unique_ptr<HttpDoor> http;
  if (!settings->http.listen.empty()) {
    auto door = HttpDoor::start(daemon, settings->http);
    if (!door) {
      std::cerr << "sluice-milter: " << door.error().what << "\n";
      return kExitConfig;
    }
    http = std::move(*door);
  }

  std::atomic<bool> milter_failed = false;
  std::string milter_error;
  std::thread milter_thread([&] {
    if (auto s = serve_milter(settings->milter.listen); !s) {
      milter_error = s.error().what;
      milter_failed = true;
    }
    const char c = kMilterEnded;
    [[maybe_unused]] const ssize_t n = ::write(g_signal_pipe, &c, 1);
  });

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (const int s : {SIGHUP, SIGTERM, SIGINT}) sigaction(s, &sa, nullptr);
  pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);

  daemon.log(nlohmann::json{{"event", "started"}, {"version", std::string(version())},
                            {"listen", settings->milter.listen}, {"http", settings->http.listen},
                            {"workers", settings->effective_workers()}, {"isolate", settings->milter.isolate},
                            {"deadline_ms", settings->engine.limits.deadline_ms}}.dump());
  bool milter_running = true;
  for (;;) {
    char c = 0;
    const ssize_t n = ::read(fds[0], &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (c == SIGHUP) {
      daemon.reload();
      continue;
    }
    if (c == kMilterEnded) milter_running = false;
    break;
  }
  // SIGTERM or the listener ended: no new connections; messages already in
  // DATA get up to one deadline to receive their answer.
  if (milter_running) stop_milter();
  const auto deadline = daemon.settings()->deadline() + std::chrono::seconds(1);
  const bool drained = daemon.drain(deadline);
  daemon.log(nlohmann::json{{"event", "stopping"}, {"drained", drained},
                            {"error", milter_failed ? milter_error : std::string()}}.dump());
  const int code = milter_failed ? kExitConfig : kExitOk;
  if (!drained) std::_Exit(code);  // abandoned connections: do not wait on their threads
  milter_thread.join();
  http.reset();
  return code;
}

}  // namespace
}  // namespace sluice::milter

int main(int argc, char** argv) {
  CLI::App app{"sluice-milter: scans mail in Postfix or Sendmail through the milter protocol"};
  std::string config;
  std::string listen;
  bool check = false;
  bool show_version = false;
  app.add_option("-c,--config", config, "TOML file: [milter], [http] and the engine's [limits], [policy], [yara], [icons]");
  app.add_option("-l,--listen", listen, "milter socket in Postfix notation: inet:7357@127.0.0.1, unix:/run/sluice/milter.sock");
  app.add_flag("--check-config", check, "validate the configuration, print the effective settings, exit 0 (ok) or 2");
  app.add_flag("--version", show_version, "print the version");
  CLI11_PARSE(app, argc, argv);
  if (show_version) {
    std::cout << "sluice-milter " << sluice::version() << "\n";
    return 0;
  }
  if (check) return sluice::milter::check_config(config, listen);
  return sluice::milter::run(config, listen);
}
