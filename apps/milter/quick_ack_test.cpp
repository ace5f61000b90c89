#include "quick_ack.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <gtest/gtest.h>
#include <thread>

namespace {

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Segments the sender has sent and the receiver not yet acknowledged.
unsigned unacked(int sender) {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (getsockopt(sender, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return ~0U;
  return info.tcpi_unacked;
}

bool acked_within(int sender, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (unacked(sender) != 0) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

// Postfix's side of a milter connection (Nagle on) and the milter's side, on
// loopback, after a few commands and answers: the exchange Linux treats as
// interactive, where it delays the ACK of what it receives.
struct Conversation {
  Fd listener{socket(AF_INET, SOCK_STREAM, 0)};
  Fd mta{socket(AF_INET, SOCK_STREAM, 0)};
  Fd milter{-1};

  Conversation() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    EXPECT_EQ(bind(listener.fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(listen(listener.fd, 1), 0);
    EXPECT_EQ(getsockname(listener.fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
    EXPECT_EQ(connect(mta.fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    milter.fd = accept(listener.fd, nullptr, nullptr);
    EXPECT_GE(milter.fd, 0);
    for (int i = 0; i < 4; ++i) command_and_answer();
  }

  void command_and_answer() {
    char c = 'c';
    ASSERT_EQ(write(mta.fd, &c, 1), 1);
    ASSERT_EQ(read(milter.fd, &c, 1), 1);
    ASSERT_EQ(write(milter.fd, &c, 1), 1);
    ASSERT_EQ(read(mta.fd, &c, 1), 1);
    ASSERT_TRUE(acked_within(mta.fd, std::chrono::seconds(2)));
  }
};

TEST(MilterQuickAck, AnUnansweredCommandIsAcknowledgedAtOnce) {
  Conversation conv;
  // The premise, with a plain read: the command is read and its ACK is held back.
  char c = 'h';
  ASSERT_EQ(write(conv.mta.fd, &c, 1), 1);
  ASSERT_EQ(read(conv.milter.fd, &c, 1), 1);
  EXPECT_EQ(unacked(conv.mta.fd), 1U) << "this kernel acknowledged at once without being asked";
  ASSERT_EQ(write(conv.milter.fd, &c, 1), 1);
  ASSERT_EQ(read(conv.mta.fd, &c, 1), 1);
  ASSERT_TRUE(acked_within(conv.mta.fd, std::chrono::seconds(2)));
  conv.command_and_answer();

  // Through libmilter's read: acknowledged well inside Linux's 40 ms delayed-ACK minimum.
  for (int i = 0; i < 3; ++i) {
    c = 'h';
    ASSERT_EQ(write(conv.mta.fd, &c, 1), 1);
    char got = 0;
    ASSERT_EQ(sluice_milter_read(conv.milter.fd, &got, 1), 1);
    EXPECT_EQ(got, 'h');
    EXPECT_TRUE(acked_within(conv.mta.fd, std::chrono::milliseconds(20))) << "command " << i;
    conv.command_and_answer();
  }
}

TEST(MilterQuickAck, UnixSocketsAndEndOfFileReadAsBefore) {
  int pair[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  Fd a(pair[0]), b(pair[1]);
  ASSERT_EQ(write(a.fd, "milter", 6), 6);
  char buf[16] = {};
  errno = 1234;
  EXPECT_EQ(sluice_milter_read(b.fd, buf, sizeof buf), 6);
  EXPECT_EQ(std::string_view(buf, 6), "milter");
  EXPECT_EQ(errno, 1234) << "the failed TCP option leaked its errno";
  ::close(a.fd);
  a.fd = -1;
  EXPECT_EQ(sluice_milter_read(b.fd, buf, sizeof buf), 0);
  EXPECT_EQ(sluice_milter_read(-1, buf, sizeof buf), -1);
  EXPECT_EQ(errno, EBADF);
}

}  // namespace
