// Faults inside a sandboxed worker (SLUICE_FAULT_INJECTION builds only): the
// faulty input gets verdict `error` with the finding that names how its worker
// ended; the messages around it get their normal verdicts; the pool replaces
// the worker and goes on.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "sluice/worker_pool.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;

#if defined(SLUICE_SANITIZED)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

std::vector<std::uint8_t> fault(std::string_view action) {
  const std::string s = "ITSF SLUICE-FAULT:" + std::string(action) + "\n";
  return {s.begin(), s.end()};
}

Config fault_config() {
  Config c = *default_config();
  c.limits.deadline_ms = 1000;
  c.limits.max_worker_memory_bytes = 1ull << 30;
  c.limits.max_virtual_bytes = 1ull << 30;
  return c;
}

std::unique_ptr<WorkerPool> make_pool(Config c, unsigned workers = 2) {
  auto engine = Engine::create(std::move(c));
  EXPECT_TRUE(engine);
  auto pool = WorkerPool::create(std::move(*engine), {.workers = workers, .grace = std::chrono::milliseconds(500)});
  EXPECT_TRUE(pool) << (pool ? "" : pool.error().what);
  return pool ? std::move(*pool) : nullptr;
}

const Finding* finding(const ScanResult& r, std::string_view id) {
  for (const Finding& f : r.findings) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

std::string evidence(const Finding& f, std::string_view key) {
  for (const auto& [k, v] : f.evidence) {
    if (k == key) return v;
  }
  return "<missing>";
}

struct Case {
  const char* action;
  const char* finding;
  int signal;  // expected in non-sanitized builds; 0: not checked
};

TEST(FaultPool, EachFaultIsAnErrorAndThePoolRecovers) {
  auto pool = make_pool(fault_config());
  ASSERT_TRUE(pool);
  const auto mail = testing::read_file(testing::fixture("campaigns/iso_as_pdf.eml"));
  const auto ham = testing::read_file(testing::fixture("campaigns/benign_zip_docs.eml"));
  const ScanResult mail_here = pool->engine().scan(ByteView(mail.data(), mail.size()), "mail.eml");
  const ScanResult ham_here = pool->engine().scan(ByteView(ham.data(), ham.size()), "ham.eml");
  ASSERT_NE(mail_here.verdict, Verdict::clean);
  ASSERT_EQ(ham_here.verdict, Verdict::clean);

  std::vector<Case> cases = {
      {"segv", "engine.worker_crashed", SIGSEGV},
      {"open", "engine.worker_crashed", SIGSYS},
      {"exec", "engine.worker_crashed", SIGSYS},
      {"hang", "engine.worker_timeout", 0},
      {"exit", "engine.worker_crashed", 0},
  };
  // Under ASan no RLIMIT_AS is set (its shadow needs terabytes of address
  // space), so an unbounded allocation would exhaust the machine instead.
  if (!kSanitized) cases.push_back({"alloc", "engine.worker_oom", 0});

  std::uint64_t failures = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.action);
    const auto bad = fault(c.action);
    const ScanResult r = pool->scan(ByteView(bad.data(), bad.size()), std::string("fault-") + c.action);
    EXPECT_EQ(r.verdict, Verdict::error);
    EXPECT_FALSE(r.error.has_value());
    const Finding* f = finding(r, c.finding);
    ASSERT_NE(f, nullptr) << (r.findings.empty() ? "no finding" : r.findings[0].id + ": " + r.findings[0].message);
    EXPECT_EQ(evidence(*f, "sha256"), testing::sha256_hex(bad));
    EXPECT_EQ(to_hex(r.tree[0].hashes.sha256), testing::sha256_hex(bad));
    if (c.signal != 0 && !kSanitized) {
      const std::string want = std::to_string(c.signal) + " ";
      EXPECT_EQ(evidence(*f, "signal").substr(0, want.size()), want) << evidence(*f, "signal");
    }
    ++failures;

    // The next messages, on whichever worker, are judged as in process.
    const ScanResult m = pool->scan(ByteView(mail.data(), mail.size()), "mail.eml");
    const ScanResult h = pool->scan(ByteView(ham.data(), ham.size()), "ham.eml");
    EXPECT_EQ(m.verdict, mail_here.verdict);
    EXPECT_EQ(m.findings.size(), mail_here.findings.size());
    EXPECT_EQ(h.verdict, Verdict::clean);
  }
  const auto stats = pool->stats();
  EXPECT_EQ(stats.failures, failures);
  EXPECT_EQ(stats.respawns, failures);
  EXPECT_EQ(stats.spawns, 2 + failures);
}

// A fault inside a batch is blamed on its input alone: the inputs before and
// after it in the same batch get their normal verdicts (scanned again one by
// one once the worker is gone), and the batch keeps its order.
TEST(FaultPool, AFaultInABatchIsBlamedOnItsInputAlone) {
  auto pool = make_pool(fault_config(), 1);
  ASSERT_TRUE(pool);
  const auto mail = testing::read_file(testing::fixture("campaigns/iso_as_pdf.eml"));
  const auto ham = testing::read_file(testing::fixture("campaigns/benign_zip_docs.eml"));
  const ScanResult mail_here = pool->engine().scan(ByteView(mail.data(), mail.size()), "mail.eml");
  for (const Case& c : std::vector<Case>{{"segv", "engine.worker_crashed", SIGSEGV},
                                         {"hang", "engine.worker_timeout", 0},
                                         {"exit", "engine.worker_crashed", 0}}) {
    SCOPED_TRACE(c.action);
    const auto bad = fault(c.action);
    const std::vector<WorkerPool::BatchInput> batch = {
        {ByteView(mail.data(), mail.size()), "mail.eml", {}},
        {ByteView(ham.data(), ham.size()), "ham.eml", {}},
        {ByteView(bad.data(), bad.size()), "bad", {}},
        {ByteView(ham.data(), ham.size()), "ham-2.eml", {}},
        {ByteView(mail.data(), mail.size()), "mail-2.eml", {}},
    };
    const std::vector<ScanResult> r = pool->scan_batch(batch);
    ASSERT_EQ(r.size(), batch.size());
    EXPECT_EQ(r[0].verdict, mail_here.verdict);
    EXPECT_EQ(r[0].findings.size(), mail_here.findings.size());
    EXPECT_EQ(r[1].verdict, Verdict::clean);
    EXPECT_EQ(r[2].verdict, Verdict::error);
    EXPECT_NE(finding(r[2], c.finding), nullptr) << (r[2].findings.empty() ? "none" : r[2].findings[0].id);
    EXPECT_EQ(r[3].verdict, Verdict::clean);
    EXPECT_EQ(r[4].verdict, mail_here.verdict);
    for (std::size_t i = 0; i < r.size(); ++i) EXPECT_EQ(r[i].input, batch[i].name);
    // The pool goes on: the next batch is answered whole.
    const std::vector<ScanResult> after = pool->scan_batch(std::span(batch).first(2));
    ASSERT_EQ(after.size(), 2u);
    EXPECT_EQ(after[1].verdict, Verdict::clean);
  }
  EXPECT_EQ(pool->stats().failures, 3u);
}

// In process the fault format refuses to act: the test runner survives.
TEST(FaultPool, InProcessTheFaultFormatDoesNothing) {
  auto engine = Engine::create(fault_config());
  ASSERT_TRUE(engine);
  const auto bad = fault("segv");
  const ScanResult r = engine->scan(ByteView(bad.data(), bad.size()), "segv");
  EXPECT_EQ(r.tree[0].type, FileType::chm);
  EXPECT_TRUE(testing::has_anomaly(r.tree[0], "unpack.error"));
}

TEST(FaultPool, CrashDirKeepsTheInputWithoutOverwriting) {
  const fs::path dir = fs::temp_directory_path() / ("sluice-crash-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  Config c = fault_config();
  c.isolation.crash_dir = dir.string();
  auto pool = make_pool(c, 1);
  ASSERT_TRUE(pool);

  const auto segv = fault("segv");
  const ScanResult r = pool->scan(ByteView(segv.data(), segv.size()), "a");
  const Finding* f = finding(r, "engine.worker_crashed");
  ASSERT_NE(f, nullptr);
  const fs::path kept = dir / (testing::sha256_hex(segv) + ".input");
  EXPECT_EQ(evidence(*f, "kept_as"), kept.string());
  EXPECT_EQ(testing::read_file(kept), segv);
  struct stat st{};
  ASSERT_EQ(::stat(kept.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // A file already there under that name is never replaced.
  const auto open = fault("open");
  const fs::path other = dir / (testing::sha256_hex(open) + ".input");
  { std::ofstream(other) << "placed first"; }
  const ScanResult r2 = pool->scan(ByteView(open.data(), open.size()), "b");
  ASSERT_NE(finding(r2, "engine.worker_crashed"), nullptr);
  const auto still = testing::read_file(other);
  EXPECT_EQ(std::string(still.begin(), still.end()), "placed first");
  fs::remove_all(dir);
}

// While the only worker spins on a hostile input, try_scan reports busy
// instead of queueing; once it is killed, scanning goes on.
TEST(FaultPool, TryScanReportsBusy) {
  auto pool = make_pool(fault_config(), 1);
  ASSERT_TRUE(pool);
  const auto hang = fault("hang");
  const auto ham = testing::read_file(testing::fixture("campaigns/benign_zip_docs.eml"));
  std::atomic<bool> done{false};
  ScanResult hung;
  std::jthread t([&] {
    hung = pool->scan(ByteView(hang.data(), hang.size()), "hang");
    done = true;
  });
  bool saw_busy = false;
  while (!done && !saw_busy) {
    saw_busy = !pool->try_scan(ByteView(ham.data(), ham.size()), "ham", std::chrono::milliseconds(10));
  }
  t.join();
  EXPECT_TRUE(saw_busy);
  EXPECT_NE(finding(hung, "engine.worker_timeout"), nullptr);
  auto after = pool->try_scan(ByteView(ham.data(), ham.size()), "ham", std::chrono::seconds(30));
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->verdict, Verdict::clean);
}

}  // namespace
}  // namespace sluice
