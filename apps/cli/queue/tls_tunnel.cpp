#include "tls_tunnel.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <span>
#include <system_error>
#include <utility>

namespace sluice::queue {
namespace {

using Clock = std::chrono::steady_clock;

// Enough to hold a large reply while hiredis is busy, small enough that a stalled reader
// applies back-pressure to the server instead of growing memory.
constexpr std::size_t kBufferSize = 256 * 1024;
// One TLS record; also keeps every SSL_write retry at least as long as the attempt it repeats.
constexpr std::size_t kRecordSize = 16 * 1024;

std::string endpoint(const std::string& host, int port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string errno_text(int e) { return std::system_category().message(e); }

// The first reason OpenSSL queued (the root cause; later entries only add context), or
// `fallback` when it queued none, as for a bare EOF.
std::string openssl_reason(const std::string& fallback) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return fallback;
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

bool is_ip_literal(const std::string& name) {
  unsigned char addr[sizeof(in6_addr)];
  return inet_pton(AF_INET, name.c_str(), addr) == 1 || inet_pton(AF_INET6, name.c_str(), addr) == 1;
}

// Waits for `events` on fd until the deadline; false when it passed. POLLERR/POLLHUP count as
// ready so that the following call reports the real error.
bool wait_until(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, INT_MAX)));
    if (r > 0) return true;
    if (r == 0 || errno != EINTR) return false;
  }
}

// A remote server that resets the connection must cost us an error, not the process: OpenSSL's
// socket BIO uses write(), which raises SIGPIPE. Blocks it for the scope and swallows one that
// this scope caused, as libpq does.
class SigpipeBlock {
 public:
  SigpipeBlock() noexcept {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlock() {
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      const timespec now{0, 0};
      while (sigtimedwait(&pipe_, nullptr, &now) < 0 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_{};
  sigset_t old_{};
  bool was_pending_ = false;
};

// Mirrors what hiredis does for its own TCP connections (redisEnableKeepAlive), which cannot be
// applied to the socketpair: a silently vanished server is noticed instead of waited on forever.
void tune_socket(int fd) {
  const int one = 1, idle = 15, interval = 5, count = 3;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

// Returns the connected, non-blocking socket, or -1 with `err` set (ETIMEDOUT when out of time).
int connect_one(const addrinfo& ai, Clock::time_point deadline, int& err) {
  const int fd = ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
  if (fd < 0) {
    err = errno;
    return -1;
  }
  int so_error = 0;
  if (::connect(fd, ai.ai_addr, ai.ai_addrlen) != 0) {
    if (errno != EINPROGRESS && errno != EINTR) {
      so_error = errno;
    } else if (!wait_until(fd, POLLOUT, deadline)) {
      so_error = ETIMEDOUT;
    } else {
      socklen_t len = sizeof so_error;
      if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) so_error = errno;
    }
  }
  if (so_error != 0) {
    err = so_error;
    ::close(fd);
    return -1;
  }
  tune_socket(fd);
  return fd;
}

Result<int> connect_tcp(const std::string& host, int port, Clock::time_point deadline,
                        const std::string& where) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* list = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list); rc != 0) {
    return fail(Errc::io, 0, "cannot resolve " + where + ": " + gai_strerror(rc));
  }
  int err = ECONNREFUSED;
  int fd = -1;
  for (const addrinfo* ai = list; ai != nullptr && fd < 0 && err != ETIMEDOUT; ai = ai->ai_next) {
    fd = connect_one(*ai, deadline, err);
  }
  ::freeaddrinfo(list);
  if (fd >= 0) return fd;
  if (err == ETIMEDOUT) return fail(Errc::io, 0, "timed out connecting to " + where);
  return fail(Errc::io, 0, "cannot connect to " + where + ": " + errno_text(err));
}

// OpenSSL's default would prompt on the terminal for an encrypted key, hanging a daemon.
int refuse_passphrase(char*, int, int, void*) { return 0; }

Status load_client_certificate(SSL_CTX* ctx, const TlsSettings& tls, const std::string& where) {
  if (tls.cert_file.empty()) {
    if (tls.key_file.empty()) return {};
    return fail(Errc::invalid_argument, 0, "a TLS key file was given for " + where + " without a certificate file");
  }
  // An empty key_file means the key sits in the certificate's PEM file.
  const std::string& key = tls.key_file.empty() ? tls.cert_file : tls.key_file;
  SSL_CTX_set_default_passwd_cb(ctx, refuse_passphrase);
  if (SSL_CTX_use_certificate_chain_file(ctx, tls.cert_file.c_str()) != 1) {
    return fail(Errc::invalid_argument, 0,
                "cannot load the TLS client certificate " + tls.cert_file + " for " + where + ": " +
                    openssl_reason("unreadable"));
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return fail(Errc::invalid_argument, 0,
                "cannot use the TLS private key " + key + " for " + where + ": " + openssl_reason("unreadable"));
  }
  return {};
}

Status configure_context(SSL_CTX* ctx, const TlsSettings& tls, const std::string& where) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // The pump hands SSL_write whatever is buffered, from a buffer that is compacted between calls.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (tls.verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    const int ok = tls.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                                       : SSL_CTX_load_verify_locations(ctx, tls.ca_file.c_str(), nullptr);
    if (ok != 1) {
      const std::string what = tls.ca_file.empty() ? "the system's CA certificates" : "the CA file " + tls.ca_file;
      return fail(Errc::invalid_argument, 0,
                  "cannot load " + what + " to verify " + where + ": " + openssl_reason("unreadable"));
    }
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  return load_client_certificate(ctx, tls, where);
}

Status configure_session(SSL* ssl, int fd, const std::string& host, const TlsSettings& tls,
                         const std::string& where) {
  if (SSL_set_fd(ssl, fd) != 1) {
    return fail(Errc::io, 0, "cannot attach TLS to the socket for " + where + ": " + openssl_reason("unknown"));
  }
  const std::string& name = tls.server_name.empty() ? host : tls.server_name;
  const bool ip = is_ip_literal(name);
  // RFC 6066 forbids an IP address as SNI.
  if (!ip && !name.empty() && SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) {
    return fail(Errc::invalid_argument, 0, "cannot send " + name + " as the TLS server name for " + where);
  }
  if (!tls.verify) return {};
  // A DNS name must match a dNSName SAN; an address literal must match an iPAddress SAN.
  const int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str())
                    : SSL_set1_host(ssl, name.c_str());
  if (ok != 1) {
    return fail(Errc::invalid_argument, 0, "cannot check the TLS certificate of " + where + " against " + name);
  }
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return {};
}

std::unexpected<Error> handshake_failure(SSL* ssl, int ssl_error, int saved_errno, const std::string& where) {
  // With verification off the result may hold a complaint that did not cause this failure.
  const long verdict = SSL_get_verify_result(ssl);
  if ((SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) != 0 && verdict != X509_V_OK) {
    ERR_clear_error();
    return fail(Errc::invalid_argument, 0,
                "the TLS certificate of " + where + " was rejected: " + X509_verify_cert_error_string(verdict));
  }
  // OpenSSL queues no reason for a plain socket error or EOF.
  const std::string fallback = ssl_error != SSL_ERROR_SYSCALL ? "unknown reason"
                               : saved_errno != 0            ? errno_text(saved_errno)
                                                             : "the server closed the connection";
  return fail(Errc::io, 0, "the TLS handshake with " + where + " failed: " + openssl_reason(fallback));
}

Status handshake(SSL* ssl, int fd, Clock::time_point deadline, const std::string& where) {
  const SigpipeBlock no_sigpipe;
  for (;;) {
    ERR_clear_error();
    errno = 0;
    const int r = SSL_connect(ssl);
    const int saved_errno = errno;
    if (r == 1) return {};
    const int e = SSL_get_error(ssl, r);
    const short wanted = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
    if (wanted == 0) return handshake_failure(ssl, e, saved_errno, where);
    if (!wait_until(fd, wanted, deadline)) return fail(Errc::io, 0, "timed out in the TLS handshake with " + where);
  }
}

// A fixed-capacity byte queue: bytes are appended at the end and consumed from the front.
class Buffer {
 public:
  bool allocate() noexcept {
    data_.reset(new (std::nothrow) char[kBufferSize]);
    return data_ != nullptr;
  }
  [[nodiscard]] bool empty() const noexcept { return begin_ == end_; }
  [[nodiscard]] bool full() const noexcept { return end_ - begin_ == kBufferSize; }
  [[nodiscard]] std::span<const char> data() const noexcept { return {data_.get() + begin_, end_ - begin_}; }
  // Compacts only when the tail runs short, so large transfers do not memmove on every read.
  std::span<char> space() noexcept {
    if (begin_ > 0 && kBufferSize - end_ < kBufferSize / 4) {
      std::memmove(data_.get(), data_.get() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    return {data_.get() + end_, kBufferSize - end_};
  }
  void produced(std::size_t n) noexcept { end_ += n; }
  void consumed(std::size_t n) noexcept {
    begin_ += n;
    if (begin_ == end_) clear();
  }
  void clear() noexcept { begin_ = end_ = 0; }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

// Relays bytes between hiredis's socketpair and the TLS session. Each step tries every transfer
// until it would block; only when a whole step moved nothing does it sleep in poll(), and then on
// exactly the events that would let a blocked transfer continue. That covers what poll() cannot
// see (bytes already decrypted inside SSL, waiting for room in to_local_) without ever spinning.
class Pump {
 public:
  Pump(SSL* ssl, int tcp, int local, int wake) noexcept : ssl_(ssl), tcp_(tcp), local_(local), wake_(wake) {}
  void run() noexcept;

 private:
  bool step() noexcept;
  bool tls_to_buffer() noexcept;
  bool buffer_to_local() noexcept;
  bool local_to_buffer() noexcept;
  bool buffer_to_tls() noexcept;
  bool end_of_replies() noexcept;
  bool wait(int timeout_ms) noexcept;
  [[nodiscard]] bool finished() const noexcept;
  void tls_down() noexcept;
  void local_gone() noexcept;
  // Which poll event lets a blocked SSL call continue; a renegotiation or key update can make
  // SSL_read need to write and SSL_write need to read.
  static short wanted(int ssl_error) noexcept { return ssl_error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN; }

  SSL* ssl_;
  int tcp_, local_, wake_;
  Buffer to_local_;  // decrypted replies on their way to hiredis
  Buffer to_tls_;    // commands from hiredis on their way to the server
  short read_wants_ = POLLIN;
  short write_wants_ = POLLOUT;
  bool tls_up_ = true;       // the session still carries data both ways
  bool local_in_ = true;     // hiredis may still send
  bool local_out_ = true;    // hiredis may still receive
  bool clean_close_ = true;  // OpenSSL forbids SSL_shutdown after a fatal error
};

void Pump::run() noexcept {
  if (!to_local_.allocate() || !to_tls_.allocate()) {
    ::shutdown(local_, SHUT_RDWR);  // hiredis sees EOF and reconnects
    return;
  }
  for (;;) {
    // After progress, poll without sleeping: it still notices the stop request on a busy link.
    const bool moved = step();
    if (finished() || !wait(moved ? 0 : -1)) break;
  }
  if (tls_up_ && clean_close_) {
    ERR_clear_error();
    SSL_shutdown(ssl_);  // best effort close_notify; the socket is non-blocking
  }
}

bool Pump::step() noexcept {
  bool moved = tls_to_buffer();
  moved = buffer_to_local() || moved;
  moved = local_to_buffer() || moved;
  moved = buffer_to_tls() || moved;
  return end_of_replies() || moved;
}

bool Pump::tls_to_buffer() noexcept {
  bool moved = false;
  while (tls_up_ && local_out_ && !to_local_.full()) {
    const std::span<char> room = to_local_.space();
    ERR_clear_error();
    const int n = SSL_read(ssl_, room.data(), static_cast<int>(std::min(room.size(), kBufferSize)));
    if (n > 0) {
      to_local_.produced(static_cast<std::size_t>(n));
      moved = true;
      continue;
    }
    const int e = SSL_get_error(ssl_, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      read_wants_ = wanted(e);
      return moved;
    }
    clean_close_ = e == SSL_ERROR_ZERO_RETURN;
    tls_down();
    return true;
  }
  return moved;
}

bool Pump::buffer_to_local() noexcept {
  bool moved = false;
  while (local_out_ && !to_local_.empty()) {
    const std::span<const char> bytes = to_local_.data();
    const ssize_t n = ::send(local_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      to_local_.consumed(static_cast<std::size_t>(n));
      moved = true;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return moved;
    } else {
      local_gone();
      return true;
    }
  }
  return moved;
}

// Once the server is gone hiredis's writes are still read and dropped, so that hiredis reaches
// its read, sees the EOF and reports it, instead of blocking on a full socket or dying of SIGPIPE.
bool Pump::local_to_buffer() noexcept {
  bool moved = false;
  while (local_in_ && (!tls_up_ || !to_tls_.full())) {
    const std::span<char> room = to_tls_.space();
    const ssize_t n = ::recv(local_, room.data(), room.size(), MSG_DONTWAIT);
    if (n > 0) {
      to_tls_.produced(static_cast<std::size_t>(n));
      if (!tls_up_) to_tls_.clear();
      moved = true;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return moved;
    } else {
      local_gone();  // hiredis never half-closes: EOF means redisFree
      return true;
    }
  }
  return moved;
}

bool Pump::buffer_to_tls() noexcept {
  bool moved = false;
  while (tls_up_ && !to_tls_.empty()) {
    const std::span<const char> bytes = to_tls_.data();
    ERR_clear_error();
    const int n = SSL_write(ssl_, bytes.data(), static_cast<int>(std::min(bytes.size(), kRecordSize)));
    if (n > 0) {
      to_tls_.consumed(static_cast<std::size_t>(n));
      moved = true;
      continue;
    }
    const int e = SSL_get_error(ssl_, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      write_wants_ = wanted(e);
      return moved;
    }
    clean_close_ = false;
    tls_down();
    return true;
  }
  return moved;
}

// When the server is gone and every reply it sent has been delivered, hiredis gets EOF.
bool Pump::end_of_replies() noexcept {
  if (tls_up_ || !local_out_ || !to_local_.empty()) return false;
  ::shutdown(local_, SHUT_WR);
  local_out_ = false;
  return true;
}

void Pump::tls_down() noexcept {
  tls_up_ = false;
  to_tls_.clear();
  ::shutdown(tcp_, SHUT_RDWR);
}

void Pump::local_gone() noexcept {
  local_in_ = false;
  local_out_ = false;
  to_local_.clear();
}

// Nothing is left to do once hiredis has gone and its last commands have reached the server
// (or cannot). While the server is gone but hiredis is not, the loop keeps reading and dropping
// what hiredis sends, until it closes its end or the destructor asks us to stop.
bool Pump::finished() const noexcept { return !local_in_ && !local_out_ && (!tls_up_ || to_tls_.empty()); }

bool Pump::wait(int timeout_ms) noexcept {
  const bool room_for_replies = local_out_ && !to_local_.full();
  const short local_events = static_cast<short>((local_in_ && (!tls_up_ || !to_tls_.full()) ? POLLIN : 0) |
                                                (local_out_ && !to_local_.empty() ? POLLOUT : 0));
  const short tcp_events =
      tls_up_ ? static_cast<short>((room_for_replies ? read_wants_ : 0) | (!to_tls_.empty() ? write_wants_ : 0)) : 0;
  // A descriptor with no wanted events is left out: POLLHUP is reported regardless and would
  // wake us for nothing until the buffer that blocks it drains.
  pollfd fds[3] = {{wake_, POLLIN, 0},
                   {local_events != 0 ? local_ : -1, local_events, 0},
                   {tcp_events != 0 ? tcp_ : -1, tcp_events, 0}};
  for (;;) {
    const int r = ::poll(fds, 3, timeout_ms);
    if (r >= 0) return (fds[0].revents & POLLIN) == 0;
    if (errno != EINTR) return false;
  }
}

void close_fd(int& fd) noexcept {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

Result<std::unique_ptr<TlsTunnel>> TlsTunnel::open(const std::string& host, int port, const TlsSettings& tls,
                                                   std::chrono::milliseconds timeout) {
  const std::string where = endpoint(host, port);
  if (port < 1 || port > 65535) return fail(Errc::invalid_argument, 0, "the port of " + where + " is out of range");
  const auto deadline = Clock::now() + timeout;
  // Built first so that its destructor releases whatever a failing step leaves behind.
  std::unique_ptr<TlsTunnel> t(new (std::nothrow) TlsTunnel());
  if (!t) return fail(Errc::io, 0, "out of memory opening a TLS connection to " + where);
  ERR_clear_error();
  t->ctx_ = SSL_CTX_new(TLS_client_method());
  if (t->ctx_ == nullptr) {
    return fail(Errc::io, 0, "cannot set up TLS for " + where + ": " + openssl_reason("out of memory"));
  }
  if (auto s = configure_context(t->ctx_, tls, where); !s) return std::unexpected(std::move(s.error()));
  auto fd = connect_tcp(host, port, deadline, where);
  if (!fd) return std::unexpected(std::move(fd.error()));
  t->tcp_ = *fd;
  t->ssl_ = SSL_new(t->ctx_);
  if (t->ssl_ == nullptr) {
    return fail(Errc::io, 0, "cannot set up TLS for " + where + ": " + openssl_reason("out of memory"));
  }
  if (auto s = configure_session(t->ssl_, t->tcp_, host, tls, where); !s) {
    return std::unexpected(std::move(s.error()));
  }
  if (auto s = handshake(t->ssl_, t->tcp_, deadline, where); !s) return std::unexpected(std::move(s.error()));

  // hiredis's end stays blocking: redisConnectFd builds a blocking context on it.
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    return fail(Errc::io, 0, "cannot create the local end of the TLS tunnel to " + where + ": " + errno_text(errno));
  }
  t->outer_ = pair[0];
  t->inner_ = pair[1];
  t->wake_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (t->wake_ < 0 || ::fcntl(t->inner_, F_SETFL, O_NONBLOCK) != 0) {
    return fail(Errc::io, 0, "cannot set up the TLS tunnel to " + where + ": " + errno_text(errno));
  }
  try {
    t->thread_ = std::thread(&TlsTunnel::pump, t.get());
  } catch (const std::system_error& e) {
    return fail(Errc::io, 0, "cannot start the TLS tunnel thread for " + where + ": " + e.what());
  }
  return t;
}

TlsTunnel::~TlsTunnel() {
  if (thread_.joinable()) {
    const std::uint64_t one = 1;
    while (::write(wake_, &one, sizeof one) < 0 && errno == EINTR) {
    }
    thread_.join();
  }
  SSL_free(ssl_);  // SSL_set_fd's BIO does not own the socket, so it is closed below
  SSL_CTX_free(ctx_);
  close_fd(tcp_);
  close_fd(inner_);
  close_fd(outer_);
  close_fd(wake_);
}

int TlsTunnel::release_local_fd() noexcept { return std::exchange(outer_, -1); }

void TlsTunnel::pump() {
  // SSL_write on a reset connection raises SIGPIPE; on this thread it only ever becomes EPIPE.
  // A pending SIGPIPE dies with the thread.
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  Pump(ssl_, tcp_, inner_, wake_).run();
}

}  // namespace sluice::queue
