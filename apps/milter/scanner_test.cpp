#include "scanner.hpp"

#include <gtest/gtest.h>

#include <future>
#include <string>
#include <thread>

#include "sluice/policy.hpp"

namespace sluice::milter {
namespace {

Bytes text_bytes(std::string_view text) {
  auto b = milter::bytes_of(ByteView::of(text));
  EXPECT_TRUE(b) << b.error().what;
  return *b;
}

// A message whose scan takes long (100,000 MIME parts, all opened): what a
// worker is busy with while the tests look at the pool from outside.
Bytes many_parts() {
  std::string m = "From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n";
  for (int i = 0; i < 100'000; ++i) m += "--b\r\nContent-Type: text/plain\r\n\r\npart " + std::to_string(i) + "\r\n";
  m += "--b--\r\n";
  return text_bytes(m);
}

Config slow_config() {
  auto c = default_config();
  EXPECT_TRUE(c);
  c->limits.max_children = 200'000;
  c->limits.max_artifacts = 200'000;
  return *c;
}

Bytes small() {
  const std::string m = "From: a@example.org\r\nSubject: hi\r\n\r\nhello\r\n";
  return text_bytes(m);
}

void wait_in_use(const Scanner& s, unsigned n) {
  while (s.stats().in_use != n) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

TEST(EnginePool, ScansAndReportsStats) {
  auto pool = EnginePool::create(slow_config(), 2, 3);
  ASSERT_TRUE(pool);
  const ScanOutcome o = (*pool)->scan(small(), "small", std::chrono::seconds(60), {});
  ASSERT_EQ(o.status, ScanStatus::done);
  EXPECT_EQ(o.result->verdict, Verdict::clean);
  const PoolStats st = (*pool)->stats();
  EXPECT_EQ(st.workers, 2u);
  EXPECT_EQ(st.capacity, 5u);
  EXPECT_EQ(st.in_use, 0u);
}

TEST(EnginePool, SaturatedPoolAnswersBusyAtOnce) {
  auto pool = EnginePool::create(slow_config(), 1, 0);
  ASSERT_TRUE(pool);
  Scanner& s = **pool;
  auto slow = std::async(std::launch::async, [&] { return s.scan(many_parts(), "slow", std::chrono::minutes(5), {}); });
  wait_in_use(s, 1);
  EXPECT_EQ(s.scan(small(), "second", std::chrono::minutes(5), {}).status, ScanStatus::busy);
  EXPECT_EQ(slow.get().status, ScanStatus::done);
  wait_in_use(s, 0);
  EXPECT_EQ(s.scan(small(), "third", std::chrono::minutes(5), {}).status, ScanStatus::done);
}

TEST(EnginePool, WaitEndsAtTheGivenTimeAndTheWorkerFinishesAlone) {
  auto pool = EnginePool::create(slow_config(), 1, 1);
  ASSERT_TRUE(pool);
  Scanner& s = **pool;
  EXPECT_EQ(s.scan(many_parts(), "slow", std::chrono::milliseconds(1), {}).status, ScanStatus::timeout);
  // The abandoned scan still holds its worker until it ends, then frees it.
  wait_in_use(s, 0);
  EXPECT_EQ(s.scan(small(), "after", std::chrono::minutes(5), {}).status, ScanStatus::done);
}

TEST(EnginePool, ReconfigureKeepsTheOldEngineOnError) {
  auto pool = EnginePool::create(slow_config(), 1, 0);
  ASSERT_TRUE(pool);
  Config broken = slow_config();
  broken.yara.rule_dirs = {"/nonexistent/sluice-rules"};
  EXPECT_FALSE((*pool)->reconfigure(broken));
  const ScanOutcome before = (*pool)->scan(small(), "still", std::chrono::minutes(5), {});
  ASSERT_EQ(before.status, ScanStatus::done);
  EXPECT_EQ(before.result->verdict, Verdict::clean);

  Config strict = slow_config();
  strict.policy.suspicious_at = 0;  // everything with any score is suspicious now
  strict.policy.malicious_at = 0;
  ASSERT_TRUE((*pool)->reconfigure(strict));
  const ScanOutcome after = (*pool)->scan(small(), "now", std::chrono::minutes(5), {});
  ASSERT_EQ(after.status, ScanStatus::done);
  EXPECT_NE(after.result->verdict, Verdict::clean);
}


// The daemon's default: the same answers from sandboxed worker processes.
TEST(IsolatedPool, SameAnswerAsInProcessAndStatsSayIsolated) {
  auto here = EnginePool::create(slow_config(), 1, 0, false);
  auto there = EnginePool::create(slow_config(), 2, 0, true);
  ASSERT_TRUE(here);
  ASSERT_TRUE(there) << there.error().what;
  const std::string lure =
      "From: a@example.org\r\nSubject: invoice\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
      "Please see the invoice.\r\n--b\r\nContent-Type: application/octet-stream; name=\"Invoice.pdf.exe\"\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA==\r\n--b--\r\n";
  for (const Bytes& b : {small(), text_bytes(lure)}) {
    const ScanOutcome a = (*here)->scan(b, "m.eml", std::chrono::minutes(1), {});
    const ScanOutcome z = (*there)->scan(b, "m.eml", std::chrono::minutes(1), {});
    ASSERT_EQ(a.status, ScanStatus::done);
    ASSERT_EQ(z.status, ScanStatus::done);
    EXPECT_EQ(z.result->verdict, a.result->verdict);
    EXPECT_EQ(z.result->score, a.result->score);
    ASSERT_EQ(z.result->findings.size(), a.result->findings.size());
    for (std::size_t i = 0; i < a.result->findings.size(); ++i) {
      EXPECT_EQ(z.result->findings[i].id, a.result->findings[i].id);
    }
  }
  EXPECT_NE((*here)->scan(text_bytes(lure), "m.eml", std::chrono::minutes(1), {}).result->verdict, Verdict::clean);
  const PoolStats st = (*there)->stats();
  EXPECT_TRUE(st.isolated);
  EXPECT_FALSE((*here)->stats().isolated);
  EXPECT_EQ(st.worker_failures, 0u);
}

// A message in the mail flow arrives now: its page reads the scan's time, in
// process and in a sandboxed worker alike, whatever its own Received field
// says (Postfix shows a milter none of its own: the newest is the sender's).
// The same bytes sent without the option read that field (docs/adr/0043).
TEST(IsolatedPool, AMessageInFlightIsReadNowWhateverItsFieldsSay) {
  const std::string page_mail =
      "Received: from sender.example by mx.sender.example; Thu, 21 May 2020 10:00:00 +0000\r\n"
      "From: a@example.org\r\nSubject: clock\r\nMIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n"
      "<html><body><script>document.write('<p>' + Date.now() + '</p>');</script></body></html>\r\n";
  const auto clock_from = [](const ScanOutcome& o) {
    std::string from;
    if (o.status != ScanStatus::done) return from;
    for (const auto& a : o.result->tree) {
      if (a.type == FileType::html) from = a.meta_string("html.clock_from");
    }
    return from;
  };
  ScanOptions in_flight;
  in_flight.in_flight = true;
  for (const bool isolate : {false, true}) {
    auto pool = EnginePool::create(slow_config(), 1, 0, isolate);
    ASSERT_TRUE(pool) << pool.error().what;
    EXPECT_EQ(clock_from((*pool)->scan(text_bytes(page_mail), "m.eml", std::chrono::minutes(1), in_flight)), "scan")
        << "isolate " << isolate;
    EXPECT_EQ(clock_from((*pool)->scan(text_bytes(page_mail), "m.eml", std::chrono::minutes(1), {})), "received")
        << "isolate " << isolate;
  }
}

// A reload builds new workers; the old ones serve until then and the new
// configuration answers afterwards.
TEST(IsolatedPool, ReconfigureSwapsTheWorkers) {
  auto pool = EnginePool::create(slow_config(), 1, 0, true);
  ASSERT_TRUE(pool) << pool.error().what;
  Config strict = slow_config();
  strict.policy.suspicious_at = 0;
  strict.policy.malicious_at = 0;
  ASSERT_TRUE((*pool)->reconfigure(strict));
  const ScanOutcome after = (*pool)->scan(small(), "now", std::chrono::minutes(1), {});
  ASSERT_EQ(after.status, ScanStatus::done);
  EXPECT_NE(after.result->verdict, Verdict::clean);
}

#if defined(SLUICE_FAULT_INJECTION_BUILD)
// A message that crashes its worker is that message's error; the next one is
// scanned by the replacement (the daemon's on_error answers the first).
TEST(IsolatedPool, ACrashIsOneMessagesErrorAndTheNextIsScanned) {
  Config c = slow_config();
  c.limits.deadline_ms = 2000;
  auto pool = EnginePool::create(c, 1, 0, true);
  ASSERT_TRUE(pool) << pool.error().what;
  const ScanOutcome crashed = (*pool)->scan(text_bytes("ITSF SLUICE-FAULT:segv\n"), "crash", std::chrono::minutes(1), {});
  ASSERT_EQ(crashed.status, ScanStatus::done);
  EXPECT_EQ(crashed.result->verdict, Verdict::error);
  bool named = false;
  for (const Finding& f : crashed.result->findings) named = named || f.id == "engine.worker_crashed";
  EXPECT_TRUE(named);
  const ScanOutcome next = (*pool)->scan(small(), "next", std::chrono::minutes(1), {});
  ASSERT_EQ(next.status, ScanStatus::done);
  EXPECT_EQ(next.result->verdict, Verdict::clean);
  const PoolStats st = (*pool)->stats();
  EXPECT_EQ(st.worker_failures, 1u);
  EXPECT_EQ(st.worker_respawns, 1u);
}
#endif

}  // namespace
}  // namespace sluice::milter
