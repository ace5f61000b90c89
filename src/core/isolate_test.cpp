// The worker process that library-backed unpackers run in (ADR 0006): what a
// healthy worker produces arrives intact; a worker that dies, exits, hangs or
// lies ends in a finding, and its output is not used.
#include "core/isolate.hpp"
#include "meta/archive.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

namespace sluice::core {
namespace {

struct Harness {
  explicit Harness(std::string_view input, Limits l = {})
      : limits(l), budget(limits, Budget::Clock::now()), data(input.begin(), input.end()) {
    root = tree.add_root(ByteView(data.data(), data.size()), "file", {Name{"mail", "input.rar"}});
    tree.at(root).type = FileType::rar;
  }
  UnpackContext ctx() { return UnpackContext(tree, root, budget); }
  bool has(std::string_view id) const {
    for (const Artifact& a : tree) {
      for (const Anomaly& an : a.anomalies) {
        if (an.id == id) return true;
      }
    }
    return false;
  }

  Limits limits;
  Budget budget;
  std::vector<std::uint8_t> data;
  ArtifactTree tree;
  ArtifactId root = kNoArtifact;
};

// A stand-in for a library reader: two members, an anomaly on each level,
// typed meta, a limit hit and an error status: every field the record carries.
Status rich_unpack(UnpackContext& c) {
  c.meta(meta::archive::format, std::string("RAR5"));
  c.meta(meta::archive::entries, std::int64_t{2});
  c.anomaly("archive.corrupt", Severity::low, 7, "header damaged");
  auto a = c.emit_owned({'M', 'Z', 0, 1}, "entry[0]", {Name{"archive", "invoice.pdf.exe"}});
  if (!a) return {};
  c.meta_on(*a, meta::archive::encrypted, true);
  c.anomaly_on(*a, "archive.path_traversal", Severity::medium, 0, "../x");
  auto b = c.emit_owned(std::vector<std::uint8_t>(100'000, 'z'), "entry[1]", {Name{"archive", "big.bin"}}, true);
  if (!b) return {};
  c.limit_hit(LimitKind::artifact_bytes, "stopped at 100000 bytes");
  return fail(Errc::malformed, 12, "archive data damaged: " + c.name());
}

TEST(Isolate, HealthyWorkerResultArrivesIntact) {
  Harness h("Rar!\x1A\x07\x01\x00 pretend");
  auto ctx = h.ctx();
  const Status st = unpack_isolated(ctx, rich_unpack);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, Errc::malformed);
  EXPECT_EQ(st.error().what, "archive data damaged: input.rar") << "the worker sees the parent's name";
  const Artifact& root = h.tree[h.root];
  ASSERT_EQ(root.children.size(), 2u);
  EXPECT_EQ(root.meta_string("archive.format"), "RAR5");
  const Artifact& exe = h.tree[root.children[0]];
  EXPECT_EQ(exe.display_name(), "invoice.pdf.exe");
  EXPECT_EQ(exe.locator, "entry[0]");
  EXPECT_EQ(exe.bytes.size(), 4u);
  EXPECT_TRUE(exe.meta_flag("archive.encrypted"));
  ASSERT_EQ(exe.anomalies.size(), 1u);
  EXPECT_EQ(exe.anomalies[0].id, "archive.path_traversal");
  const Artifact& big = h.tree[root.children[1]];
  EXPECT_EQ(big.bytes.size(), 100'000u);
  EXPECT_TRUE(big.truncated);
  // The limit is replayed once (not doubled by the worker's own anomaly).
  ASSERT_EQ(h.tree.limits_hit.size(), 1u);
  EXPECT_EQ(h.tree.limits_hit[0].kind, LimitKind::artifact_bytes);
  EXPECT_EQ(std::count_if(root.anomalies.begin(), root.anomalies.end(),
                          [](const Anomaly& a) { return a.id == "limit.exceeded"; }),
            1);
  EXPECT_TRUE(h.has("archive.corrupt"));
  EXPECT_FALSE(h.has("isolation.worker_failed"));
  // Decoded bytes are charged to the parent's budget, not just the worker's copy
  // (with each artifact's overhead: about 1 KiB, its names and locator).
  EXPECT_GE(h.budget.decoded(), 100'004u + 2 * 1024);
  EXPECT_LT(h.budget.decoded(), 100'004u + 2 * 1024 + 256);
}

TEST(Isolate, CrashingWorkerIsAFindingAndNothingIsUsed) {
  Harness h("x");
  auto ctx = h.ctx();
  const Status st = unpack_isolated(ctx, [](UnpackContext& c) -> Status {
    (void)c.emit_owned({1, 2, 3}, "entry[0]", {Name{"archive", "a.exe"}});
    std::abort();
  });
  ASSERT_FALSE(st.has_value());
  EXPECT_TRUE(h.has("isolation.worker_failed"));
  EXPECT_TRUE(h.tree[h.root].children.empty());
}

TEST(Isolate, LibraryExitIsAFinding) {
  // What libarchive's RAR 5 reader does on a failed allocation: exit().
  Harness h("x");
  auto ctx = h.ctx();
  const Status st = unpack_isolated(ctx, [](UnpackContext&) -> Status { std::exit(1); });
  ASSERT_FALSE(st.has_value());
  ASSERT_TRUE(h.has("isolation.worker_failed"));
  EXPECT_NE(h.tree[h.root].anomalies.front().message.find("exit status 1"), std::string::npos);
}

TEST(Isolate, HangingWorkerIsStoppedAtTheDeadline) {
  Limits l;
  l.deadline_ms = 300;
  Harness h("x", l);
  auto ctx = h.ctx();
  const Status st = unpack_isolated(ctx, [](UnpackContext&) -> Status {
    for (;;) ::pause();
  });
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, Errc::limit);
  ASSERT_EQ(h.tree.limits_hit.size(), 1u);
  EXPECT_EQ(h.tree.limits_hit[0].kind, LimitKind::deadline);
}

TEST(Isolate, RecordsThatLieAreRefusedNotTrusted) {
  // Build a real record in-process, then cut and corrupt it: the parent must
  // refuse each bad form without reading out of bounds.
  Harness src("x");
  auto sctx = src.ctx();
  const Status st = rich_unpack(sctx);
  const std::vector<std::uint8_t> record = serialise_unpack(src.tree, src.root, st);
  {
    Harness h("x");
    auto ctx = h.ctx();
    const Status replayed = replay_record(ctx, ByteView(record.data(), record.size()));
    ASSERT_FALSE(replayed.has_value());
    EXPECT_EQ(replayed.error().code, Errc::malformed) << "the worker's own status, replayed";
    EXPECT_EQ(h.tree[h.root].children.size(), 2u);
  }
  for (std::size_t n = 0; n < record.size(); n += 97) {
    Harness h("x");
    auto ctx = h.ctx();
    const Status replayed = replay_record(ctx, ByteView(record.data(), n));
    EXPECT_FALSE(replayed.has_value()) << "prefix " << n;
    EXPECT_TRUE(h.tree[h.root].children.empty()) << "nothing replayed from a cut record, prefix " << n;
  }
  for (std::size_t at = 0; at < 200 && at < record.size(); ++at) {
    std::vector<std::uint8_t> bad = record;
    bad[at] ^= 0xFF;
    Harness h("x");
    auto ctx = h.ctx();
    (void)replay_record(ctx, ByteView(bad.data(), bad.size()));
  }
}

TEST(Isolate, FuzzSeedsAreValidRecords) {
  // fuzz/seeds/isolate is written by tests/fixtures/make_isolate_seeds.py from
  // the format description; each seed must replay, or the fuzzer starts from noise.
  const std::filesystem::path dir = std::filesystem::path(SLUICE_SOURCE_DIR) / "fuzz/seeds/isolate";
  const std::map<std::string, std::size_t> children = {
      {"empty_ok", 0}, {"two_children", 2}, {"limit_and_error", 1}, {"password_search", 0}};
  for (const auto& [name, want] : children) {
    SCOPED_TRACE(name);
    std::ifstream f(dir / name, std::ios::binary);
    ASSERT_TRUE(f) << "missing seed";
    const std::vector<std::uint8_t> rec((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    Harness h("x");
    auto ctx = h.ctx();
    const Status st = replay_record(ctx, ByteView(rec.data(), rec.size()));
    EXPECT_EQ(h.tree[h.root].children.size(), want);
    if (name == "limit_and_error") {
      ASSERT_FALSE(st.has_value());
      EXPECT_EQ(st.error().what, "archive data damaged");
      EXPECT_EQ(h.tree.limits_hit.size(), 1u);
    } else {
      EXPECT_TRUE(st.has_value());
    }
    EXPECT_EQ(h.budget.key_rounds(), name == "password_search" ? 32u * 2 * (1u << 15) : 0u);
  }
}

// max_key_derivation_rounds bounds a whole message: the rounds a forked
// reader spent on its copy of the budget are the scan's, so the next
// encrypted archive of the message starts where this one stopped. A record
// that claims more than is left takes only what is left.
TEST(Isolate, KeyRoundsSpentInTheWorkerAreTheScans) {
  Limits l;
  l.max_key_derivation_rounds = 100'000;
  Harness h("x", l);
  ASSERT_TRUE(h.budget.take_key_rounds(10'000));
  auto ctx = h.ctx();
  const Status st = unpack_isolated(ctx, [](UnpackContext& c) -> Status {
    if (!c.budget().take_key_rounds(60'000)) return fail(Errc::limit, 0, "no rounds left in the worker");
    return {};
  });
  ASSERT_TRUE(st.has_value()) << st.error().what;
  EXPECT_EQ(h.budget.key_rounds(), 70'000u);
  EXPECT_FALSE(h.budget.take_key_rounds(40'000)) << "only 30,000 are left for the message";

  Harness src("x");
  auto sctx = src.ctx();
  const std::vector<std::uint8_t> lying = serialise_unpack(src.tree, src.root, {}, ~std::uint64_t{0});
  Harness g("x", l);
  auto gctx = g.ctx();
  EXPECT_TRUE(replay_record(gctx, ByteView(lying.data(), lying.size())).has_value());
  EXPECT_EQ(g.budget.key_rounds(), l.max_key_derivation_rounds);
}

}  // namespace
}  // namespace sluice::core
