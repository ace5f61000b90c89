#pragma once
// TLS to Redis for a hiredis that has none: Debian 12's hiredis 0.14 predates
// hiredis_ssl. The tunnel opens the TCP connection and the TLS session with
// OpenSSL (TLS 1.2+, the chain and the host name or IP verified), and hands
// hiredis the plaintext end of a socketpair; a thread moves bytes between the
// two. When the TLS side ends, the plaintext side is closed, so hiredis sees
// the connection drop and the client reconnects as for any other loss.
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "sluice/result.hpp"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace sluice::queue {

struct TlsSettings {
  std::string ca_file;      // PEM bundle to verify the server; empty: the system's default paths
  std::string cert_file;    // client certificate (PEM) for mutual TLS; empty: none
  std::string key_file;     // its private key (PEM)
  std::string server_name;  // name checked against the certificate and sent as SNI; empty: the host
  bool verify = true;       // false only for tests against a self-signed server without a CA file
};

class TlsTunnel {
 public:
  // Connects to host:port within `timeout`, completes the handshake and
  // starts the pump. A certificate that does not verify (or a missing CA or
  // key file) is Errc::invalid_argument: trying again will not help.
  static Result<std::unique_ptr<TlsTunnel>> open(const std::string& host, int port, const TlsSettings& tls,
                                                 std::chrono::milliseconds timeout);
  ~TlsTunnel();
  TlsTunnel(const TlsTunnel&) = delete;
  TlsTunnel& operator=(const TlsTunnel&) = delete;

  // The plaintext end for hiredis, which then owns it (redisFree closes it).
  // Once; -1 after that.
  int release_local_fd() noexcept;

 private:
  TlsTunnel() = default;
  void pump();

  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  int tcp_ = -1;
  int inner_ = -1;  // the pump's end of the socketpair
  int outer_ = -1;  // hiredis's end, until released
  int wake_ = -1;   // eventfd: the destructor stops the pump
  std::thread thread_;
};

}  // namespace sluice::queue
