// libmilter reads every MTA command through this function instead of read(2):
// apps/milter/CMakeLists.txt renames the symbol in a copy of Debian's
// libmilter.a. Postfix writes to its milter connection with Nagle's algorithm
// on, so a command that follows an unanswered one (an SMFIP_NR_* step) waits
// until the milter host ACKs the first, and Linux delays that ACK by 40 ms
// once the connection looks interactive. Asking for a quick ACK after each
// read sends it at once, so over TCP no step needs an answer either
// (docs/adr/0037). On a unix socket the option does not exist and the call
// fails harmlessly.
#include "quick_ack.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

extern "C" ssize_t sluice_milter_read(int fd, void* buf, size_t count) {
  const ssize_t got = ::read(fd, buf, count);
  if (got > 0) {
    const int saved = errno;
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    errno = saved;
  }
  return got;
}
