// A scan in a sandboxed worker (WorkerPool) must conclude exactly what the
// same engine concludes in process: same verdict, score, findings on the same
// artifacts, same tree (types, names, hashes, sizes). Run over the campaign
// fixtures, real ham, and the RAR 5 archives that ADR 0006 forks for in process.
#include <gtest/gtest.h>

#include <set>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "sluice/worker_pool.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> representative_inputs() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(testing::fixture("campaigns"))) {
    if (e.path().extension() == ".eml") out.push_back(e.path());
  }
  // Every charset fixture: a converter a worker could not load would show as
  // mime.unknown_charset there and not in process (CharsetPreload). NTFS and
  // exFAT volumes: The Sleuth Kit is opened before the workers fork (ADR 0030).
  for (const auto& e : fs::directory_iterator(testing::fixture("mail/text"))) {
    if (e.path().filename().string().starts_with("cs_")) out.push_back(e.path());
  }
  for (const char* rel : {"vhd", "iso", "zip", "7z", "pe", "lnk", "ntfs"}) {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(testing::fixture(rel))) {
      if (e.is_regular_file() && n < 3 && e.file_size() < (8u << 20)) {
        out.push_back(e.path());
        ++n;
      }
    }
  }
  const auto corpora = testing::corpora();
  if (!corpora.empty()) {
    for (const char* rar : {"rar5-solid.rar", "rar5-subdirs.rar", "rar5-psw.rar", "rar5-symlink-win.rar",
                            "rar5-dups.rar", "rar5-times.rar", "rar3-comment-plain.rar"}) {
      out.push_back(corpora / "archives/rarfile" / rar);
    }
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(corpora / "ham/spamassassin-corpus/hard-ham-1")) {
      if (n++ < 25) out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string describe(const ScanResult& r) {
  std::string s = std::string(to_string(r.verdict)) + " score " + std::to_string(r.score) + "\n";
  for (const Finding& f : r.findings) {
    s += "  finding " + f.id + " on " + (f.artifact == kNoArtifact ? "-" : r.tree.evidence_path(f.artifact)) +
         " score " + std::to_string(f.score) + " : " + f.message + "\n";
  }
  for (const Artifact& a : r.tree) {
    s += "  artifact " + std::to_string(a.id) + " parent " + std::to_string(a.parent) + " " +
         std::string(to_string(a.type)) + " " + std::to_string(a.bytes.size()) + " " +
         to_hex(a.hashes.sha256) + " " + r.tree.segment(a.id) + (a.truncated ? " truncated" : "") + " anomalies " +
         std::to_string(a.anomalies.size()) + " meta " + std::to_string(a.meta.size()) + "\n";
  }
  for (const LimitHit& h : r.tree.limits_hit) s += "  limit " + std::string(to_string(h.kind)) + " " + h.detail + "\n";
  return s;
}

TEST(WorkerPoolParity, SameConclusionsAsInProcess) {
  const auto inputs = representative_inputs();
  ASSERT_GE(inputs.size(), 20u);
  auto pool = WorkerPool::create(testing::default_engine(), {.workers = 2});
  ASSERT_TRUE(pool) << pool.error().what;
  const Engine& engine = (*pool)->engine();
  std::size_t rar5 = 0, known = 0;
#if defined(__SANITIZE_ADDRESS__)
  // Known gap, ASan builds only: libarchive's 7z and solid-RAR 3 error paths
  // make a system call under the ASan runtime that the filter kills (SIGSYS);
  // release builds agree (this test). Listed by name until the call is found.
  const std::set<std::string> sanitizer_gap = {"hello.7z", "rar3-comment-plain.rar"};
#else
  const std::set<std::string> sanitizer_gap;
#endif
  for (const fs::path& p : inputs) {
    SCOPED_TRACE(p.string());
    const auto bytes = testing::read_file(p);
    const ByteView view(bytes.data(), bytes.size());
    const ScanResult here = engine.scan(view, p.filename().string());
    const ScanResult there = (*pool)->scan(view, p.filename().string());
    if (sanitizer_gap.contains(p.filename().string()) && there.verdict == Verdict::error) {
      EXPECT_TRUE(testing::has_finding(there, "engine.worker_crashed"));
      ++known;
      continue;
    }
    EXPECT_EQ(describe(here), describe(there));
    EXPECT_EQ(there.input, p.filename().string());
    if (p.filename().string().starts_with("rar5") && there.tree[0].type == FileType::rar) ++rar5;
  }
  if (!testing::corpora().empty()) {
    EXPECT_GE(rar5, 5u);
  }
  const auto stats = (*pool)->stats();
  EXPECT_EQ(stats.scans, inputs.size());
  EXPECT_EQ(stats.failures, known);
  EXPECT_EQ(stats.respawns, known);
}

// A batch comes back in order with what each input gets alone, and costs one
// request round per batch (the pool counts a scan per input either way).
TEST(WorkerPoolParity, BatchesGiveWhatEachInputGetsAlone) {
  const auto inputs = representative_inputs();
  ASSERT_GE(inputs.size(), 20u);
  auto pool = WorkerPool::create(testing::default_engine(), {.workers = 1});
  ASSERT_TRUE(pool) << pool.error().what;
  const Engine& engine = (*pool)->engine();
  std::vector<std::vector<std::uint8_t>> bytes;
  for (const fs::path& p : inputs) bytes.push_back(testing::read_file(p));
  for (std::size_t at = 0; at < inputs.size(); at += 7) {
    std::vector<WorkerPool::BatchInput> batch;
    for (std::size_t i = at; i < std::min(inputs.size(), at + 7); ++i) {
      batch.push_back({ByteView(bytes[i].data(), bytes[i].size()), inputs[i].filename().string(), {}});
    }
    const std::vector<ScanResult> there = (*pool)->scan_batch(batch);
    ASSERT_EQ(there.size(), batch.size());
    for (std::size_t k = 0; k < batch.size(); ++k) {
      SCOPED_TRACE(batch[k].name);
      const ScanResult here = engine.scan(batch[k].input, batch[k].name);
      if (there[k].verdict == Verdict::error && testing::has_finding(there[k], "engine.worker_crashed")) {
        continue;  // the ASan-only gap of SameConclusionsAsInProcess
      }
      EXPECT_EQ(describe(here), describe(there[k]));
      EXPECT_EQ(there[k].input, batch[k].name);
    }
  }
  EXPECT_EQ((*pool)->stats().scans, inputs.size());
  EXPECT_TRUE((*pool)->scan_batch({}).empty());
}

// Requests that would not fit in the socket's buffer together (long names)
// are scanned one by one: the same results, nothing stuck.
TEST(WorkerPoolParity, ABatchWithLongNamesStillGetsEveryResult) {
  auto pool = WorkerPool::create(testing::default_engine(), {.workers = 1});
  ASSERT_TRUE(pool) << pool.error().what;
  const auto mail = testing::read_file(testing::fixture("campaigns/iso_as_pdf.eml"));
  std::vector<WorkerPool::BatchInput> batch;
  for (int i = 0; i < 24; ++i) {
    batch.push_back({ByteView(mail.data(), mail.size()), std::string(4000, 'a') + std::to_string(i), {}});
  }
  const ScanResult alone = (*pool)->engine().scan(batch[0].input, "alone");
  const std::vector<ScanResult> r = (*pool)->scan_batch(batch);
  ASSERT_EQ(r.size(), batch.size());
  for (std::size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(r[i].verdict, alone.verdict);
    EXPECT_EQ(r[i].input, batch[i].name);
  }
  EXPECT_EQ((*pool)->stats().failures, 0u);
}

// Many threads, fewer workers: every caller gets its own input's result.
TEST(WorkerPoolParity, ManyThreadsShareTheWorkers) {
  auto pool = WorkerPool::create(testing::default_engine(), {.workers = 2});
  ASSERT_TRUE(pool) << pool.error().what;
  std::vector<std::vector<std::uint8_t>> inputs;
  for (const auto& e : fs::directory_iterator(testing::fixture("campaigns"))) {
    if (e.path().extension() == ".eml") inputs.push_back(testing::read_file(e.path()));
  }
  ASSERT_GE(inputs.size(), 4u);
  std::vector<std::string> got(inputs.size()), want(inputs.size());
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      threads.emplace_back([&, i] {
        const ByteView v(inputs[i].data(), inputs[i].size());
        got[i] = describe((*pool)->scan(v, "m" + std::to_string(i)));
      });
    }
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    want[i] = describe((*pool)->engine().scan(ByteView(inputs[i].data(), inputs[i].size()), "m" + std::to_string(i)));
    EXPECT_EQ(got[i], want[i]) << i;
  }
}

// try_scan is the back-pressure: it never waits longer than asked.
TEST(WorkerPoolParity, TryScanGetsAResultWhenAWorkerIsFree) {
  auto pool = WorkerPool::create(testing::default_engine(), {.workers = 1});
  ASSERT_TRUE(pool) << pool.error().what;
  const auto bytes = testing::read_file(testing::fixture("campaigns/benign_zip_docs.eml"));
  auto r = (*pool)->try_scan(ByteView(bytes.data(), bytes.size()), "x.eml", std::chrono::milliseconds(0));
  ASSERT_TRUE(r.has_value());
  EXPECT_NE(r->verdict, Verdict::error) << describe(*r) << (r->error ? r->error->what : "");
}

// An input written into a SealedInput reaches the worker as it is: the same
// conclusions as the pool's own copy gives, and no byte copied on the way.
TEST(WorkerPoolParity, SealedInputsAreScannedWithoutACopy) {
  auto pool = WorkerPool::create(testing::default_engine(), {.workers = 1});
  ASSERT_TRUE(pool) << pool.error().what;
  std::uint64_t total = 0;
  for (const char* name : {"campaigns/iso_as_pdf.eml", "campaigns/sba_icon_img.eml", "campaigns/benign_zip_docs.eml"}) {
    SCOPED_TRACE(name);
    const auto bytes = testing::read_file(testing::fixture(name));
    const ByteView view(bytes.data(), bytes.size());
    // Appended in pieces, as the milter receives a message.
    auto in = SealedInput::create();
    ASSERT_TRUE(in) << in.error().what;
    for (std::uint64_t at = 0; at < view.size(); at += 65536) ASSERT_TRUE(in->append(view.clamp(at, 65536)));
    ASSERT_TRUE(in->seal());
    EXPECT_EQ(in->size(), bytes.size());
    EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), in->bytes().data()));
    const auto before = (*pool)->stats().bytes_copied;
    const ScanResult sealed = (*pool)->scan(*in, name);
    EXPECT_EQ((*pool)->stats().bytes_copied, before) << "a sealed input is not copied";
    EXPECT_EQ(sealed.tree[0].bytes.data(), in->bytes().data()) << "the root views the caller's mapping";
    const ScanResult copied = (*pool)->scan(view, name);
    EXPECT_EQ((*pool)->stats().bytes_copied, before + bytes.size());
    EXPECT_EQ(describe(sealed), describe(copied));
    EXPECT_NE(sealed.verdict, Verdict::error);
    total += bytes.size();
  }
  EXPECT_EQ((*pool)->stats().bytes_copied, total);
}

TEST(WorkerPoolParity, SealedInputsRefuseChangeAndUnsealedOnesAreNotScanned) {
  auto in = SealedInput::create();
  ASSERT_TRUE(in);
  ASSERT_TRUE(in->append(ByteView::of("From: a@b.c\n\nhi\n")));
  auto pool = WorkerPool::create(testing::default_engine(), {.workers = 1});
  ASSERT_TRUE(pool) << pool.error().what;
  const ScanResult early = (*pool)->scan(*in, "early.eml");
  EXPECT_EQ(early.verdict, Verdict::error);
  ASSERT_TRUE(in->seal());
  EXPECT_FALSE(in->append(ByteView::of("x")));
  // Sealed means sealed for every descriptor: a write through the fd fails too.
  EXPECT_LT(::write(in->fd(), "x", 1), 0);
  EXPECT_EQ(in->bytes().size(), 16u);
  const ScanResult r = (*pool)->scan(*in, "late.eml");
  EXPECT_NE(r.verdict, Verdict::error);
  // An empty input seals and scans too.
  auto empty = SealedInput::of(ByteView{});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->bytes().empty());
  EXPECT_EQ((*pool)->scan(*empty, "empty").tree.size(), 1u);
}

}  // namespace
}  // namespace sluice
