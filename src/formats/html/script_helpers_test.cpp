// Long-lived script helpers (docs/adr/0026): a helper serves page after page;
// what it makes arrives as a forked reader's record would; a helper that
// crashes, hangs past the deadline or lies is killed, reported, and replaced;
// a helper is retired after kMaxRuns pages; the helper program (ADR 0042)
// runs real pages in a process started afresh and locked down.
#include "formats/html/script_helpers.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/own_files.hpp"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <string>
#include <thread>

namespace sluice::formats::html {
namespace {

struct Page {
  explicit Page(std::string_view text, Limits l = {})
      : limits(l), budget(limits, core::Budget::Clock::now()), data(text.begin(), text.end()) {
    root = tree.add_root(ByteView(data.data(), data.size()), "file", {Name{"mail", "page.html"}});
    tree.at(root).type = FileType::html;
  }
  core::UnpackContext ctx() { return core::UnpackContext(tree, root, budget); }
  bool has(std::string_view id) const {
    for (const Artifact& a : tree) {
      for (const Anomaly& an : a.anomalies) {
        if (an.id == id) return true;
      }
    }
    return false;
  }
  std::string child_text(std::size_t i) const {
    const Artifact& c = tree[tree[root].children.at(i)];
    return std::string(c.bytes.chars());
  }

  Limits limits;
  core::Budget budget;
  std::vector<std::uint8_t> data;
  ArtifactTree tree;
  ArtifactId root = kNoArtifact;
};

// What a page's run makes: a child holding the page upper-cased, its own
// pid as meta (so reuse shows), and the budget it was handed.
constexpr MetaKey<std::int64_t> kTestPid{"test.pid", "the process that ran the page"};
constexpr MetaKey<std::int64_t> kTestDecodedBefore{"test.decoded_before", "the budget the run was handed"};
constexpr MetaKey<std::string> kTestName{"test.name", "the page's name"};

void echo(core::UnpackContext& w, const PageClock&) {
  std::string up(w.bytes().chars());
  for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  w.meta(kTestPid, static_cast<std::int64_t>(::getpid()));
  w.meta(kTestDecodedBefore, static_cast<std::int64_t>(w.budget().decoded()));
  w.meta(kTestName, w.name());
  (void)w.emit_owned(std::vector<std::uint8_t>(up.begin(), up.end()), "smuggled", {Name{"html", "out.txt"}});
}

std::int64_t meta_int(const Artifact& a, std::string_view key) {
  for (const Meta& m : a.meta) {
    if (m.key == key) return std::get<std::int64_t>(m.value);
  }
  return -1;
}

// The hook runs in the helper after each answer is sent, before the next
// page: the second page sees one call, the third two (the count lives in the
// helper's memory, as the ready-made interpreter does).
TEST(ScriptHelpers, BetweenPagesRunsInTheHelperAfterEachAnswer) {
  static std::int64_t between_calls = 0;  // the helper's copy is the one that counts
  constexpr MetaKey<std::int64_t> kCalls{"test.between_calls", "hook calls the helper made before this page"};
  const ScriptHelpers helpers([&](core::UnpackContext& w, const PageClock&) { w.meta(kCalls, between_calls); },
                              [] { ++between_calls; });
  for (int i = 0; i < 3; ++i) {
    Page p("<script>x</script>");
    auto ctx = p.ctx();
    ASSERT_TRUE(helpers.run(ctx, {}));
    EXPECT_EQ(meta_int(p.tree[p.root], "test.between_calls"), i);
  }
  EXPECT_EQ(between_calls, 0) << "the hook ran in this process";
  EXPECT_EQ(helpers.started(), 1u);
}

TEST(ScriptHelpers, OneHelperServesPageAfterPage) {
  const ScriptHelpers helpers(echo);
  std::int64_t first_pid = 0;
  for (int i = 0; i < 5; ++i) {
    Page p("<script>page " + std::to_string(i) + "</script>");
    p.budget.charge_decoded(1000 + static_cast<std::uint64_t>(i));
    auto ctx = p.ctx();
    ASSERT_TRUE(helpers.run(ctx, {}));
    ASSERT_EQ(p.tree[p.root].children.size(), 1u);
    EXPECT_EQ(p.child_text(0), "<SCRIPT>PAGE " + std::to_string(i) + "</SCRIPT>");
    EXPECT_EQ(meta_int(p.tree[p.root], "test.decoded_before"), 1000 + i) << "the scan's budget travels";
    const std::int64_t pid = meta_int(p.tree[p.root], "test.pid");
    EXPECT_NE(pid, ::getpid());
    if (i == 0) first_pid = pid;
    EXPECT_EQ(pid, first_pid) << "the same helper";
    EXPECT_FALSE(p.has("isolation.worker_failed"));
  }
  EXPECT_EQ(helpers.started(), 1u);
}

TEST(ScriptHelpers, ACrashIsReportedAndTheNextPageGetsANewHelper) {
  const ScriptHelpers helpers([](core::UnpackContext& w, const PageClock&) {
    if (w.bytes().chars().find("crash") != std::string_view::npos) std::abort();
    echo(w, {});
  });
  {
    Page ok("fine");
    auto ctx = ok.ctx();
    ASSERT_TRUE(helpers.run(ctx, {}));
  }
  Page bad("crash");
  auto ctx = bad.ctx();
  const Status st = helpers.run(ctx, {});
  ASSERT_FALSE(st);
  EXPECT_TRUE(bad.has("isolation.worker_failed"));
  EXPECT_NE(st.error().what.find("signal " + std::to_string(SIGABRT)), std::string::npos) << st.error().what;
  EXPECT_TRUE(bad.tree[bad.root].children.empty()) << "nothing of a dead helper is used";
  Page after("again");
  auto ctx2 = after.ctx();
  ASSERT_TRUE(helpers.run(ctx2, {}));
  EXPECT_EQ(after.child_text(0), "AGAIN");
  EXPECT_EQ(helpers.started(), 2u);
}

TEST(ScriptHelpers, AHelperPastTheDeadlineIsKilledAndTheLimitReported) {
  const ScriptHelpers helpers([](core::UnpackContext& w, const PageClock&) {
    if (w.bytes().chars() == "hang") {
      for (;;) ::pause();
    }
    echo(w, {});
  });
  Limits l;
  l.deadline_ms = 300;
  Page p("hang", l);
  auto ctx = p.ctx();
  const auto t0 = std::chrono::steady_clock::now();
  const Status st = helpers.run(ctx, {});
  EXPECT_FALSE(st);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  ASSERT_EQ(p.tree.limits_hit.size(), 1u);
  EXPECT_EQ(p.tree.limits_hit[0].kind, LimitKind::deadline);
  Page next("next");
  auto ctx2 = next.ctx();
  ASSERT_TRUE(helpers.run(ctx2, {}));
  EXPECT_EQ(helpers.started(), 2u);
}

TEST(ScriptHelpers, HelpersAreRetiredAfterTheirRuns) {
  const ScriptHelpers helpers(echo);
  for (unsigned i = 0; i < ScriptHelpers::kMaxRuns + 1; ++i) {
    Page p("x");
    auto ctx = p.ctx();
    ASSERT_TRUE(helpers.run(ctx, {}));
  }
  EXPECT_EQ(helpers.started(), 2u);
}

TEST(ScriptHelpers, ThreadsGetHelpersOfTheirOwn) {
  const ScriptHelpers helpers(echo);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        Page p("t" + std::to_string(t) + " p" + std::to_string(i));
        auto ctx = p.ctx();
        if (helpers.run(ctx, {}) && p.child_text(0) == "T" + std::to_string(t) + " P" + std::to_string(i)) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 80);
  EXPECT_LE(helpers.started(), 4u);
}

// The helper program, as the engine finds it from inside the build tree.
std::string helper_program() { return core::find_own_program(kScriptHelperProgram); }

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// This process's children running `exe` (by /proc/<pid>/stat's parent field).
std::vector<pid_t> children_running(std::string_view exe) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = slurp(e.path().string() + "/stat");
    const std::size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 1));
    std::string state;
    long ppid = 0;
    rest >> state >> ppid;
    if (ppid != ::getpid()) continue;
    const std::filesystem::path target = std::filesystem::read_symlink(e.path() / "exe", ec);
    if (!ec && target.filename() == exe) out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

// A page that saves a file through a Blob and a download link, as smuggling
// pages do; the payload is a harmless string.
constexpr std::string_view kSavingPage = R"(<html><body><script>
var b = new Blob(['harmless payload'], {type: 'application/octet-stream'});
var a = document.createElement('a');
a.href = URL.createObjectURL(b); a.download = 'Invoice.img'; a.click();
</script></body></html>)";

// The program runs the real page runner, page after page, in one process
// that is not a copy of this one: only TZ of the environment, the seccomp filter loaded,
// and no descriptor but stdio, its socket and its /proc/self/statm.
TEST(ScriptHelpers, TheHelperProgramRunsPagesInAFreshLockedDownProcess) {
  const std::string program = helper_program();
  ASSERT_FALSE(program.empty()) << "sluice-script-helper is built beside the tests (ninja sluice_script_helper)";
  // The runner would run only in forked copies of this process; there are none.
  const ScriptHelpers helpers([](core::UnpackContext&, const PageClock&) { std::abort(); }, {}, program);
  ASSERT_TRUE(helpers.spawned());
  for (int i = 0; i < 3; ++i) {
    Page p(kSavingPage);
    auto ctx = p.ctx();
    ASSERT_TRUE(helpers.run(ctx, {}));
    EXPECT_FALSE(p.has("isolation.worker_failed"));
    ASSERT_EQ(p.tree[p.root].children.size(), 1u) << "page " << i;
    EXPECT_EQ(p.child_text(0), "harmless payload");
    const Artifact& saved = p.tree[p.tree[p.root].children[0]];
    ASSERT_FALSE(saved.names.empty());
    EXPECT_EQ(saved.names[0].value, "Invoice.img");
  }
  EXPECT_EQ(helpers.started(), 1u);
  const std::vector<pid_t> pids = children_running(kScriptHelperProgram);
  ASSERT_EQ(pids.size(), 1u);
  const std::string proc = "/proc/" + std::to_string(pids[0]);
  const std::string env = slurp(proc + "/environ");
  EXPECT_TRUE(env.starts_with("TZ=") && env.find('\0') == env.size() - 1) << "the time zone and nothing else: " << env;
  EXPECT_NE(slurp(proc + "/status").find("Seccomp:\t2"), std::string::npos) << "the helper is not locked down";
  std::error_code ec;
  std::vector<std::string> fds;
  for (const auto& e : std::filesystem::directory_iterator(proc + "/fd", ec)) {
    fds.push_back(std::filesystem::read_symlink(e.path(), ec).string());
  }
  EXPECT_EQ(fds.size(), 5u) << "stdio, the socket and /proc/self/statm only";
}

// Pages show dates in local time: glibc read the zone before the filter, so
// converting one opens no file (which would kill the helper with SIGSYS).
TEST(ScriptHelpers, APageUsingLocalTimeRunsInTheLockedDownHelper) {
  const std::string program = helper_program();
  ASSERT_FALSE(program.empty());
  const ScriptHelpers helpers([](core::UnpackContext&, const PageClock&) { std::abort(); }, {}, program);
  Page p(R"(<html><body><script>
var d = new Date(2020, 4, 1, 12, 30);
document.write('<p>' + d.toString() + '|' + d.getTimezoneOffset() + '|' + d.getHours() + '|' +
               d.toLocaleString() + '|' + new Date().toLocaleDateString() + '</p>');
</script></body></html>)");
  auto ctx = p.ctx();
  ASSERT_TRUE(helpers.run(ctx, {}));
  EXPECT_FALSE(p.has("isolation.worker_failed"));
  ASSERT_EQ(p.tree[p.root].children.size(), 1u);
  EXPECT_NE(p.child_text(0).find("|12|"), std::string::npos) << p.child_text(0);
}

// Something else at the program's path: one that ends at once, and one that
// echoes the request back as if it were a record. Both are reported, nothing
// they sent is used, and the scan goes on.
TEST(ScriptHelpers, AProgramThatIsNoHelperIsReportedNotTrusted) {
  for (const char* impostor : {"/bin/true", "/bin/cat"}) {
    ASSERT_EQ(::access(impostor, X_OK), 0) << impostor;
    const ScriptHelpers helpers([](core::UnpackContext&, const PageClock&) { std::abort(); }, {}, impostor);
    Page p(kSavingPage);
    auto ctx = p.ctx();
    const Status st = helpers.run(ctx, {});
    EXPECT_FALSE(st) << impostor;
    EXPECT_TRUE(p.has("isolation.worker_failed")) << impostor;
    EXPECT_TRUE(p.tree[p.root].children.empty()) << impostor;
  }
}

}  // namespace
}  // namespace sluice::formats::html
