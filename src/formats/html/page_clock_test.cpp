// Which time a page's scripts see (ADR 0043): the receiving site's Received
// stamp on the outermost message, else its Date, never after the scan, and
// the scan's own time for a page that came in no message.
#include "formats/html/page_clock.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <utility>

#include "core/budget.hpp"

namespace sluice::formats::html {
namespace {

constexpr std::int64_t kScan = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
constexpr std::int64_t kMay21 = 1'590'055'200'000;  // 2020-05-21T10:00:00Z

struct Page {
  ArtifactTree tree;
  Limits limits;
  core::Budget budget{limits, core::Budget::Clock::now()};
  ArtifactId page = kNoArtifact;
  // An artifact under `parent` (the root when none) with these header fields
  // as meta (key, value), as the MIME reader records them.
  ArtifactId message(std::initializer_list<std::pair<const char*, const char*>> fields,
                     ArtifactId parent = kNoArtifact) {
    const ArtifactId m = parent == kNoArtifact ? tree.add_root(ByteView::of("msg"), "message", {})
                                               : tree.add_child(parent, ByteView::of("msg"), "part[2]", {});
    for (const auto& [k, v] : fields) tree.at(m).meta.push_back({k, std::string(v)});
    return m;
  }
  PageClock clock(std::int64_t scan = kScan) {
    core::UnpackContext ctx(tree, page, budget);
    return page_clock(ctx, scan);
  }
};

TEST(PageClock, AMessagesNewestReceivedStampIsWhenItsPageIsRead) {
  Page p;
  // Newest first, as the MIME reader records them; the first has no date.
  const ArtifactId m = p.message({{"mail.received", "from a by b with LMTP"},
                                  {"mail.received", "from mx.example by mail.example (Postfix) with ESMTP id 4F1A;"
                                                    "\r\n\tThu, 21 May 2020 19:00:00 +0900 (KST)"},
                                  {"mail.received", "from x by y; Wed, 20 May 2020 01:00:00 +0000"},
                                  {"mail.date", "Tue, 19 May 2020 01:00:00 +0000"}});
  p.page = p.tree.add_child(m, ByteView::of("<script>"), "part[1]", {});
  const PageClock c = p.clock();
  EXPECT_EQ(c.start_ms, kMay21);
  EXPECT_EQ(c.from, ClockFrom::received);
}

TEST(PageClock, WithoutAReceivedStampTheDateFieldServes) {
  Page p;
  const ArtifactId m =
      p.message({{"mail.received", "from a by b; not a date"}, {"mail.date", "Thu, 21 May 2020 06:00:00 -0400"}});
  const ArtifactId zip = p.tree.add_child(m, ByteView::of("PK"), "part[2]", {});
  p.page = p.tree.add_child(zip, ByteView::of("<script>"), "member[0]", {});
  const PageClock c = p.clock();
  EXPECT_EQ(c.start_ms, kMay21);
  EXPECT_EQ(c.from, ClockFrom::date);
}

TEST(PageClock, AForwardedMessageIsReadWhenTheOuterOneArrives) {
  Page p;
  const ArtifactId outer = p.message({{"mail.date", "Thu, 21 May 2020 10:00:00 +0000"}});
  const ArtifactId inner = p.message({{"mail.received", "from a by b; Mon, 1 Jan 2001 00:00:00 +0000"}}, outer);
  p.page = p.tree.add_child(inner, ByteView::of("<script>"), "part[1]", {});
  EXPECT_EQ(p.clock().start_ms, kMay21);
}

TEST(PageClock, AStampFromTheFutureAMessageInFlightOrNoMessageGiveTheScansTime) {
  Page future;
  const ArtifactId m = future.message({{"mail.received", "from a by b; Fri, 1 Jan 2100 00:00:00 +0000"}});
  future.page = future.tree.add_child(m, ByteView::of("<script>"), "part[1]", {});
  PageClock c = future.clock();
  EXPECT_EQ(c.start_ms, kScan);
  EXPECT_EQ(c.from, ClockFrom::scan);

  Page arriving;
  const ArtifactId now = arriving.message({{"mail.received", "from a by b; Thu, 21 May 2020 10:00:00 +0000"}});
  arriving.page = arriving.tree.add_child(now, ByteView::of("<script>"), "part[1]", {});
  arriving.budget.set_in_flight(true);  // the milter's: ScanOptions::in_flight
  c = arriving.clock();
  EXPECT_EQ(c.start_ms, kScan);
  EXPECT_EQ(c.from, ClockFrom::scan);

  Page bare;
  bare.page = bare.tree.add_root(ByteView::of("<script>"), "file", {});
  c = bare.clock();
  EXPECT_EQ(c.start_ms, kScan);
  EXPECT_EQ(c.from, ClockFrom::scan);
}

}  // namespace
}  // namespace sluice::formats::html
