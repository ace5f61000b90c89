#include "settings.hpp"

#include <gtest/gtest.h>

namespace sluice::milter {
namespace {

TEST(MilterSettings, DefaultsAreTheDocumentedOnes) {
  auto s = parse_settings("", "empty");
  ASSERT_TRUE(s) << s.error().what;
  EXPECT_EQ(s->milter.listen, "inet:7357@127.0.0.1");
  EXPECT_EQ(s->milter.on_malicious, Action::reject);
  EXPECT_EQ(s->milter.on_suspicious, Action::tag);
  EXPECT_EQ(s->milter.on_error, Action::tempfail);
  EXPECT_EQ(s->milter.on_busy, Action::tempfail);
  EXPECT_FALSE(s->milter.skip_authenticated);
  EXPECT_TRUE(s->milter.isolate);
  EXPECT_TRUE(s->http.listen.empty());
  EXPECT_EQ(s->effective_max_queued(), s->effective_workers());
  EXPECT_EQ(s->deadline().count(), Limits{}.deadline_ms);
}

TEST(MilterSettings, EngineTablesReachTheEngineConfig) {
  auto s = parse_settings(
      "[milter]\non_malicious = \"quarantine\"\nworkers = 3\nmax_queued = 0\n"
      "sender_allow = [\"Scanner@Example.org\", \"@lab.example.org\"]\n"
      "[http]\nlisten = \"127.0.0.1:7358\"\n"
      "[limits]\ndeadline_ms = 1234\n[policy]\nsuspicious_at = 25\n",
      "t.toml");
  ASSERT_TRUE(s) << s.error().what;
  EXPECT_EQ(s->milter.on_malicious, Action::quarantine);
  EXPECT_EQ(s->effective_workers(), 3u);
  EXPECT_EQ(s->effective_max_queued(), 0u);
  EXPECT_EQ(s->http.listen, "127.0.0.1:7358");
  EXPECT_EQ(s->engine.limits.deadline_ms, 1234u);
  EXPECT_EQ(s->engine.policy.suspicious_at, 25);
  EXPECT_TRUE(address_listed("<scanner@example.ORG>", s->milter.sender_allow));
  EXPECT_TRUE(address_listed("anyone@lab.example.org", s->milter.sender_allow));
  EXPECT_FALSE(address_listed("anyone@evil-lab.example.org.attacker", s->milter.sender_allow));
  EXPECT_FALSE(address_listed("anyone@xlab.example.org", s->milter.sender_allow));
}

TEST(MilterSettings, UnixSocketAccessIsOctalModeAndGroup) {
  auto d = parse_settings("", "empty");
  ASSERT_TRUE(d) << d.error().what;
  EXPECT_EQ(d->milter.socket_mode, 0660u);
  EXPECT_TRUE(d->milter.socket_group.empty());
  auto s = parse_settings("[milter]\nsocket_mode = \"0640\"\nsocket_group = \"postfix\"\n", "t.toml");
  ASSERT_TRUE(s) << s.error().what;
  EXPECT_EQ(s->milter.socket_mode, 0640u);
  EXPECT_EQ(s->milter.socket_group, "postfix");
  auto t = parse_settings("[milter]\nsocket_mode = 0o600\n", "t.toml");
  ASSERT_TRUE(t) << t.error().what;
  EXPECT_EQ(t->milter.socket_mode, 0600u);
  EXPECT_NE(describe(*s).find("socket_mode = '0640'"), std::string::npos) << describe(*s);
}

TEST(MilterSettings, MistakesAreErrorsNamingTheKey) {
  const std::pair<const char*, const char*> bad[] = {
      {"[milter]\non_busy = \"drop\"\n", "milter.on_busy"},
      {"[milter]\non_clean = \"reject\"\n", "milter.on_clean"},
      {"[milter]\nworkerz = 2\n", "workerz"},
      {"[miltr]\n", "miltr"},
      {"[milter]\nreject_text = \"a\\nb\"\n", "one line"},
      {"[milter]\nsender_allow = [\"nobody\"]\n", "sender_allow"},
      {"[http]\nlisten = \"7358\"\n", "http.listen"},
      {"[limits]\nmax_depht = 3\n", "max_depht"},
      {"[milter\n", "line 1"},
      {"[milter]\nsocket_mode = \"0668\"\n", "milter.socket_mode"},
      {"[milter]\nsocket_mode = \"1777\"\n", "milter.socket_mode"},
      {"[milter]\nsocket_mode = \"\"\n", "milter.socket_mode"},
      {"[milter]\nsocket_mode = 0o1000\n", "milter.socket_mode"},
  };
  for (const auto& [text, needle] : bad) {
    auto s = parse_settings(text, "bad.toml");
    ASSERT_FALSE(s) << text;
    EXPECT_NE(s.error().what.find(needle), std::string::npos) << s.error().what;
  }
}

TEST(MilterSettings, DescribeRoundTrips) {
  auto s = parse_settings("[milter]\non_suspicious = \"quarantine\"\nrecipient_allow = [\"abuse@example.org\"]\n", "t");
  ASSERT_TRUE(s);
  // --check-config prints TOML that loads back to the same settings.
  auto again = parse_settings(describe(*s), "described");
  ASSERT_TRUE(again) << again.error().what << "\n" << describe(*s);
  EXPECT_EQ(describe(*again).substr(describe(*again).find('\n')), describe(*s).substr(describe(*s).find('\n')));
}

}  // namespace
}  // namespace sluice::milter
