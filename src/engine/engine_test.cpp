// The worklist, dedup and limits, driven by a synthetic "split" container:
// bytes "S:<a>|<b>|..." become children <a>, <b> ... (each may itself be a
// split container), so nesting, repetition and fan-out are easy to build.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <string>

#include "core/sniff.hpp"
#include "engine/engine_factory.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

class SplitUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "split"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }
  Status unpack(core::UnpackContext& ctx) const override {
    const std::string_view s = ctx.bytes().chars();
    if (!s.starts_with("S:")) return fail(Errc::malformed, 0, "not a split container");
    // Children are the '|'-separated fields at nesting level 0 of [...] brackets.
    std::size_t start = 2, depth = 0, index = 0;
    for (std::size_t i = 2; i <= s.size(); ++i) {
      const char c = i < s.size() ? s[i] : '|';
      if (c == '[') ++depth;
      if (c == ']' && depth > 0) --depth;
      if (c == '|' && depth == 0) {
        std::string_view field = s.substr(start, i - start);
        if (field.size() >= 2 && field.front() == '[' && field.back() == ']') {
          field = field.substr(1, field.size() - 2);
        }
        const auto off = static_cast<std::uint64_t>(field.data() - s.data());
        const ByteView child = field == "*" ? ctx.bytes() : *ctx.bytes().subview(off, field.size());
        const std::string locator = "member[" + std::to_string(index) + "]";
        std::string name = ctx.clean_name("m" + std::to_string(index));
        ++index;
        if (!ctx.emit(child, locator, {{"split", std::move(name)}})) {
          break;
        }
        start = i + 1;
      }
    }
    return {};
  }

 private:
  static constexpr std::array kTypes{FileType::text};
};

Engine split_engine(Limits limits = {}) {
  auto cfg = default_config();
  EXPECT_TRUE(cfg.has_value());
  cfg->limits = limits;
  core::Registry reg;
  reg.add(std::make_unique<SplitUnpacker>());
  analysis::Detectors detectors;
  EXPECT_TRUE(analysis::register_all(detectors, *cfg));
  return EngineFactory::make(std::move(*cfg), std::move(reg), std::move(detectors));
}

bool limit_hit(const ScanResult& r, LimitKind k) {
  for (const auto& h : r.tree.limits_hit) {
    if (h.kind == k) return true;
  }
  return false;
}

TEST(Engine, WorklistIsBreadthFirstAndDeterministic) {
  const std::string in = "S:[S:aa|bb]|cc";
  const ScanResult r = split_engine().scan(ByteView::of(in), "x");
  ASSERT_EQ(r.tree.size(), 5u);
  // Children of the root get ids 1,2 before grandchildren 3,4.
  EXPECT_EQ(r.tree[1].bytes.chars(), "S:aa|bb");
  EXPECT_EQ(r.tree[2].bytes.chars(), "cc");
  EXPECT_EQ(r.tree[3].bytes.chars(), "aa");
  EXPECT_EQ(r.tree[3].depth, 2u);
  EXPECT_EQ(r.tree.evidence_path(4), "file \"x\" \u203a member[0] \"m0\" \u203a member[1] \"m1\"");
  const ScanResult again = split_engine().scan(ByteView::of(in), "x");
  for (std::size_t i = 0; i < r.tree.size(); ++i) {
    EXPECT_EQ(r.tree[static_cast<ArtifactId>(i)].hashes.sha256,
              again.tree[static_cast<ArtifactId>(i)].hashes.sha256);
  }
}

TEST(Engine, IdenticalContentIsUnpackedOnce) {
  // The same inner container three times: its children appear once.
  const std::string in = "S:[S:xx|yy]|[S:xx|yy]|[S:xx|yy]";
  const ScanResult r = split_engine().scan(ByteView::of(in), "x");
  ASSERT_EQ(r.tree.size(), 6u);  // root, 3 inner, 2 grandchildren
  EXPECT_FALSE(r.tree[1].duplicate_of.has_value());
  EXPECT_EQ(r.tree[2].duplicate_of, ArtifactId{1});
  EXPECT_EQ(r.tree[3].duplicate_of, ArtifactId{1});
  EXPECT_TRUE(r.tree[2].children.empty());
  EXPECT_EQ(r.tree[2].type, FileType::text) << "duplicates are still typed";
}

TEST(Engine, SelfReferenceIsAFindingNotALoop) {
  // "*" emits the whole container again: a quine (droste.zip in miniature).
  const ScanResult r = split_engine().scan(ByteView::of(std::string("S:a|*")), "q");
  ASSERT_EQ(r.tree.size(), 3u);
  EXPECT_EQ(r.tree[2].duplicate_of, ArtifactId{0});
  EXPECT_TRUE(testing::has_finding(r, "container.self_reference"));
  const ScanResult plain = split_engine().scan(ByteView::of(std::string("S:a|b")), "q");
  EXPECT_FALSE(testing::has_finding(plain, "container.self_reference"));
}

TEST(Engine, DepthLimitStopsNestingAndIsReported) {
  std::string in = "leaf";
  for (int i = 0; i < 30; ++i) in = "S:[" + in + "]";
  Limits l;
  l.max_depth = 5;
  const ScanResult r = split_engine(l).scan(ByteView::of(in), "deep");
  EXPECT_TRUE(limit_hit(r, LimitKind::depth));
  EXPECT_TRUE(testing::has_finding(r, "limit.exceeded"));
  EXPECT_GE(r.verdict, Verdict::suspicious) << "a limit hit is never clean";
  std::uint32_t max_depth = 0;
  for (const auto& a : r.tree) max_depth = std::max(max_depth, a.depth);
  EXPECT_EQ(max_depth, 5u);
}

TEST(Engine, ChildrenAndArtifactLimits) {
  std::string in = "S:";
  for (int i = 0; i < 100; ++i) in += (i ? "|" : "") + std::to_string(i);
  Limits l;
  l.max_children = 10;
  ScanResult r = split_engine(l).scan(ByteView::of(in), "wide");
  EXPECT_EQ(r.tree[0].children.size(), 10u);
  EXPECT_TRUE(limit_hit(r, LimitKind::children));
  Limits l2;
  l2.max_artifacts = 7;
  r = split_engine(l2).scan(ByteView::of(in), "wide");
  EXPECT_EQ(r.tree.size(), 8u);  // root + 7
  EXPECT_TRUE(limit_hit(r, LimitKind::artifacts));
}

TEST(Engine, DeadlineEndsTheScanWithAFinding) {
  Limits l;
  l.deadline_ms = 0;
  const ScanResult r = split_engine(l).scan(ByteView::of(std::string("S:a|b")), "late");
  EXPECT_TRUE(limit_hit(r, LimitKind::deadline));
  EXPECT_GE(r.verdict, Verdict::suspicious);
}

TEST(Engine, UnpackErrorBecomesAFinding) {
  // Text that is not a split container: the unpacker refuses it.
  const ScanResult r = split_engine().scan(ByteView::of(std::string("plain words")), "t");
  EXPECT_TRUE(testing::has_finding(r, "unpack.error"));
}

TEST(Engine, LongNamesAreCutAndReported) {
  Limits l;
  l.max_name_length = 1;
  const ScanResult r = split_engine(l).scan(ByteView::of(std::string("S:a|b")), "n");
  EXPECT_TRUE(limit_hit(r, LimitKind::name_length));
  EXPECT_EQ(r.tree[1].names.front().value, "m");
}

TEST(Engine, UnknownFormatNameIsAnError) {
  auto cfg = default_config();
  ASSERT_TRUE(cfg.has_value());
  auto e = Engine::create(*cfg, {"no-such-format"});
  ASSERT_FALSE(e.has_value());
  EXPECT_NE(e.error().what.find("no-such-format"), std::string::npos);
}

TEST(Engine, OwnedInputIsKeptAlive) {
  auto bytes = testing::read_file(testing::fixture("gzip/hello.exe.gz"));
  const ScanResult r = testing::default_engine().scan(std::move(bytes), "hello.exe.gz");
  ASSERT_GE(r.tree.size(), 2u);
  EXPECT_EQ(r.tree[0].type, FileType::gzip);
  EXPECT_EQ(r.tree[0].bytes.size(), 5824u);
}

// A MIME part is sniffed once, by the unpacker that checks it against its
// declared type (UnpackContext::sniffed_on); the type it keeps must be the one
// the engine's own sniff of the same bytes gives, for every artifact of every
// mail fixture.
TEST(Engine, ATypeSniffedByTheUnpackerIsTheOneTheEngineWouldHaveSniffed) {
  const Engine e = testing::default_engine();
  std::size_t taken = 0;
  std::size_t artifacts = 0;
  for (const char* dir : {"mail", "campaigns", "lies"}) {
    for (const auto& entry : std::filesystem::directory_iterator(testing::fixture(dir))) {
      if (entry.path().extension() != ".eml") continue;
      const auto bytes = testing::read_file(entry.path());
      const ScanResult r = e.scan(ByteView(bytes.data(), bytes.size()), entry.path().filename().string());
      for (std::size_t i = 1; i < r.tree.size(); ++i) {
        const Artifact& a = r.tree[static_cast<ArtifactId>(i)];
        ++artifacts;
        if (a.sniffed) ++taken;
        EXPECT_EQ(a.type, core::sniff(a.bytes)) << entry.path().filename() << " artifact " << i << " " << a.locator;
      }
    }
  }
  EXPECT_GT(artifacts, 100u);
  EXPECT_GT(taken, 50u) << "MIME parts should carry the unpacker's sniff";
}

}  // namespace
}  // namespace sluice
