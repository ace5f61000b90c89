// The campaign store, on both backends: grouping rules, merges that keep the
// older ID, retention, schema upgrades, and what a broken store does.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <tuple>

#include <gtest/gtest.h>

#include "campaigns/postgres_server_test_support.hpp"
#include "campaigns/store.hpp"
#include "test_support.hpp"

namespace sluice::campaigns {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kT0 = 1589968800;  // 2020-05-20T10:00:00Z
constexpr std::int64_t kDay = 86400;

MessageRecord message(std::string id, std::vector<Fingerprint> fps, Verdict v = Verdict::malicious) {
  MessageRecord m;
  m.facts.input = id + ".eml";
  m.facts.message_id = id;
  m.facts.from_domain = "sender.example";
  m.facts.recipient_domains = {"victim.example"};
  m.facts.subject = "subject of " + id;
  m.facts.verdict = v;
  m.facts.score = v == Verdict::malicious ? 120 : v == Verdict::suspicious ? 40 : 0;
  m.facts.findings = {"container.executable_in_image"};
  m.facts.evidence = "message › part[2]";
  std::sort(fps.begin(), fps.end(), [](const Fingerprint& a, const Fingerprint& b) {
    return std::tie(a.kind, a.value) < std::tie(b.kind, b.value);
  });
  m.fingerprints = std::move(fps);
  return m;
}

// One PostgreSQL server for the whole suite: starting one costs seconds.
testing::PostgresServer& postgres() {
  static testing::PostgresServer server;
  return server;
}

class StoreTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->name());
    for (char& c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    if (GetParam() == Dialect::sqlite) {
      dir_ = fs::temp_directory_path() / ("sluice-store-" + std::to_string(::getpid()) + "-" + name);
      fs::remove_all(dir_);
      fs::create_directories(dir_);
      where_ = (dir_ / "campaigns.db").string();
    } else {
      if (!postgres().problem().empty()) {
        SLUICE_SKIP_UNLESS_CI() << postgres().problem();
      }
      where_ = postgres().create_database("t" + std::to_string(++counter_) + "_" + std::to_string(::getpid()));
      ASSERT_FALSE(where_.empty()) << "createdb failed";
    }
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  Store open(StoreOptions o = {}) {
    auto s = Store::open(where_, o);
    EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().what);
    return std::move(*s);
  }
  static inline int counter_ = 0;
  fs::path dir_;
  std::string where_;
};

Assignment recorded(Store& s, const MessageRecord& m, std::int64_t at) {
  auto r = s.record(m, at);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().what);
  EXPECT_TRUE(r && r->has_value());
  return r && *r ? **r : Assignment{};
}

TEST_P(StoreTest, StrongLinksJoinAndWeakEvidenceNeedsTwoClasses) {
  Store s = open();
  const auto a = recorded(s, message("a", {{"payload", "aa"}, {"subject", "loan # approval"}}), kT0);
  EXPECT_TRUE(a.started);
  EXPECT_EQ(a.label, "C-1");
  EXPECT_EQ(a.size, 1);
  // Same payload hash: one campaign, and the result says what is shared with whom.
  const auto b = recorded(s, message("b", {{"payload", "aa"}}), kT0 + 60);
  EXPECT_EQ(b.label, "C-1");
  EXPECT_FALSE(b.started);
  EXPECT_EQ(b.size, 2);
  EXPECT_EQ(b.first_seen, kT0);
  EXPECT_EQ(b.last_seen, kT0 + 60);
  ASSERT_EQ(b.shared.size(), 1u);
  EXPECT_EQ(b.shared[0].kind, "payload");
  EXPECT_EQ(b.shared[0].link, "strong");
  EXPECT_EQ(b.shared[0].with, "a");
  // One weak class (the subject template; the brand never links) is not enough …
  const auto c = recorded(s, message("c", {{"subject", "loan # approval"}, {"brand", "SBA"}}), kT0 + 120);
  EXPECT_EQ(c.label, "C-2");
  EXPECT_TRUE(c.started);
  const auto d =
      recorded(s, message("d", {{"subject", "loan # approval"}, {"from_domain", "sba-loans.example"}}), kT0 + 180);
  EXPECT_EQ(d.label, "C-3");
  // … template plus infrastructure with one message is.
  const auto e =
      recorded(s, message("e", {{"subject", "loan # approval"}, {"from_domain", "sba-loans.example"}}), kT0 + 240);
  EXPECT_EQ(e.label, "C-3");
  EXPECT_EQ(e.size, 2);
  ASSERT_EQ(e.shared.size(), 2u);
  EXPECT_EQ(e.shared[0].with, "d");
  // Two waves that share only a brand lure stay apart.
  const auto f = recorded(s, message("f", {{"brand", "SBA"}, {"display_name", "sba"}, {"theme", "loan"}}), kT0 + 300);
  EXPECT_TRUE(f.started);
  EXPECT_EQ(f.label, "C-4");
}

// Fingerprint rows keep the campaign their message was recorded into (schema
// 4); a campaign merged since must answer for the one it is part of now.
TEST_P(StoreTest, AValueOnlyAMergedCampaignsMessageHoldsLeadsToTheCampaignNow) {
  Store s = open();
  EXPECT_EQ(recorded(s, message("a1", {{"c2", "a.invalid:1"}}), kT0).label, "C-1");
  EXPECT_EQ(recorded(s, message("b1", {{"payload", "bb"}, {"icon_imphash", "ib"}}), kT0 + 10).label, "C-2");
  EXPECT_EQ(recorded(s, message("ab", {{"c2", "a.invalid:1"}, {"mutex", "M"}}), kT0 + 20).label, "C-1");
  const auto bm = recorded(s, message("bm", {{"payload", "bb"}, {"mutex", "M"}}), kT0 + 30);
  EXPECT_EQ(bm.label, "C-1");
  EXPECT_EQ(bm.merged, std::vector<std::int64_t>{2});
  // Only b1, recorded into C-2, holds "ib".
  const auto b2 = recorded(s, message("b2", {{"icon_imphash", "ib"}}), kT0 + 40);
  EXPECT_EQ(b2.label, "C-1");
  EXPECT_TRUE(b2.merged.empty());
  EXPECT_EQ(b2.size, 5);
  ASSERT_EQ(b2.shared.size(), 1u);
  EXPECT_EQ(b2.shared.front().with, "b1");
}

TEST_P(StoreTest, LaterEvidenceMergesCampaignsIntoTheOlderId) {
  Store s = open();
  EXPECT_EQ(recorded(s, message("x1", {{"c2", "c2.example.invalid:2404"}}), kT0).label, "C-1");
  EXPECT_EQ(recorded(s, message("y1", {{"mutex", "Rmc-ABC123"}}), kT0 + 10).label, "C-2");
  EXPECT_EQ(recorded(s, message("y2", {{"mutex", "Rmc-ABC123"}}), kT0 + 20).label, "C-2");
  // One implant config holding both: the two were one campaign all along.
  const auto z = recorded(s, message("z", {{"c2", "c2.example.invalid:2404"}, {"mutex", "Rmc-ABC123"}}), kT0 + 30);
  EXPECT_EQ(z.label, "C-1");
  EXPECT_EQ(z.size, 4);
  EXPECT_EQ(z.merged, std::vector<std::int64_t>{2});
  // The ID a user saw yesterday still answers, with the campaign it is now part of.
  auto merged = s.summary("C-2");
  ASSERT_TRUE(merged) << merged.error().what;
  EXPECT_EQ(merged->label, "C-1");
  EXPECT_EQ(merged->size, 4);
  EXPECT_EQ(merged->merged, std::vector<std::int64_t>{2});
  auto rows = s.assignments();
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 4u);
  for (const auto& m : *rows) EXPECT_EQ(m.campaign, "C-1") << m.message_id;
  auto all = s.summaries();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 1u);
  // A third campaign merging later keeps pointing at the oldest.
  EXPECT_EQ(recorded(s, message("w1", {{"payload", "ww"}}), kT0 + 40).label, "C-3");
  const auto w2 = recorded(s, message("w2", {{"payload", "ww"}, {"mutex", "Rmc-ABC123"}}), kT0 + 50);
  EXPECT_EQ(w2.label, "C-1");
  EXPECT_EQ(w2.size, 6);
  auto again = s.summary("C-2");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->merged, (std::vector<std::int64_t>{2, 3}));
}

// The store keeps what placed each message (schema 6: value and message ids)
// and `assignments` reads it back as the result reported it; once the earlier
// message is forgotten, the fingerprint is still named, the message no longer.
TEST_P(StoreTest, AssignmentsSayWhatPlacedEachMessage) {
  Store s = open({.keep_days = 30});
  recorded(s, message("first", {{"c2", "c2.example.invalid:2404"}, {"payload", "p1"}}), kT0);
  const auto second = recorded(s, message("second", {{"c2", "c2.example.invalid:2404"}, {"payload", "p2"},
                                                     {"subject", "loan # approval"}}),
                               kT0 + 20 * kDay);
  const auto third = recorded(s, message("third", {{"payload", "p2"}, {"subject", "loan # approval"}}),
                              kT0 + 25 * kDay);
  ASSERT_EQ(second.shared.size(), 1u);
  ASSERT_EQ(third.shared.size(), 2u);
  auto rows = s.assignments();
  ASSERT_TRUE(rows) << rows.error().what;
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_TRUE((*rows)[0].shared.empty());
  const auto same = [](const std::vector<SharedFingerprint>& a, const std::vector<SharedFingerprint>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (std::tie(a[i].kind, a[i].value, a[i].link, a[i].with) !=
          std::tie(b[i].kind, b[i].value, b[i].link, b[i].with)) {
        return false;
      }
    }
    return true;
  };
  EXPECT_TRUE(same((*rows)[1].shared, second.shared));
  EXPECT_EQ((*rows)[1].shared[0].value, "c2.example.invalid:2404");
  EXPECT_EQ((*rows)[1].shared[0].with, "first");
  EXPECT_TRUE(same((*rows)[2].shared, third.shared));
  auto pruned = s.prune(kT0 + 45 * kDay);
  ASSERT_TRUE(pruned) << pruned.error().what;
  EXPECT_EQ(*pruned, 1);
  rows = s.assignments();
  ASSERT_TRUE(rows) << rows.error().what;
  ASSERT_EQ(rows->size(), 2u);
  ASSERT_EQ(rows->front().shared.size(), 1u);
  EXPECT_EQ(rows->front().shared[0].kind, "c2");
  EXPECT_EQ(rows->front().shared[0].link, "strong");
  EXPECT_EQ(rows->front().shared[0].with, "");
  EXPECT_TRUE(same(rows->back().shared, third.shared));
}

// Labels from the field (docs/model.md): a campaign's label covers its
// messages, merged ones and later ones too; a message's own label wins; the
// features stored at recording come back for training.
TEST_P(StoreTest, LabelsCoverACampaignAndAMessageOverridesIt) {
  Store s = open();
  MessageRecord first = message("x1", {{"c2", "c2.example.invalid:2404"}});
  first.facts.feature_version = "f1-test";
  first.facts.features = "class.executable=1;chain.executable_in_disk_image=1";
  recorded(s, first, kT0);
  recorded(s, message("y1", {{"mutex", "Rmc-ABC123"}}), kT0 + 10);
  auto none = s.labelled();
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  auto label = s.label_campaign("C-1", "malicious");
  ASSERT_TRUE(label) << label.error().what;
  EXPECT_EQ(*label, "C-1");
  // y1's campaign merges into C-1 and a later message joins: all labelled.
  recorded(s, message("z", {{"c2", "c2.example.invalid:2404"}, {"mutex", "Rmc-ABC123"}}), kT0 + 20);
  recorded(s, message("later", {{"mutex", "Rmc-ABC123"}}), kT0 + 30);
  auto rows = s.labelled();
  ASSERT_TRUE(rows) << rows.error().what;
  ASSERT_EQ(rows->size(), 4u);
  for (const auto& m : *rows) {
    EXPECT_TRUE(m.malicious) << m.input;
    EXPECT_EQ(m.campaign, "C-1");
  }
  EXPECT_EQ(rows->front().feature_version, "f1-test");
  EXPECT_EQ(rows->front().features, "class.executable=1;chain.executable_in_disk_image=1");
  ASSERT_TRUE(s.label_message(rows->back().id, "benign"));
  rows = s.labelled();
  ASSERT_TRUE(rows);
  EXPECT_FALSE(rows->back().malicious);
  EXPECT_TRUE(rows->front().malicious);
  // Clearing the campaign leaves only the message's own label.
  ASSERT_TRUE(s.label_campaign("C-2", ""));
  rows = s.labelled();
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().input, "later.eml");
  EXPECT_FALSE(s.label_campaign("C-1", "evil"));
  EXPECT_FALSE(s.label_message(999, "benign"));
  EXPECT_FALSE(s.label_campaign("C-99", "benign"));
}

TEST_P(StoreTest, WeakEvidenceHasATimeWindowStrongLinksDoNot) {
  Store s = open({.window_days = 14});
  const std::vector<Fingerprint> weak{{"body", "0123456789ab"}, {"sender_ip", "203.0.113.7"}};
  EXPECT_EQ(recorded(s, message("m1", weak), kT0).label, "C-1");
  EXPECT_EQ(recorded(s, message("m2", weak), kT0 + 13 * kDay).label, "C-1");
  // 20 days after m2: nothing weak links it any more.
  EXPECT_EQ(recorded(s, message("m3", weak), kT0 + 33 * kDay).label, "C-2");
  EXPECT_EQ(recorded(s, message("p1", {{"payload", "pp"}}), kT0).label, "C-3");
  EXPECT_EQ(recorded(s, message("p2", {{"payload", "pp"}}), kT0 + 300 * kDay).label, "C-3");
}

TEST_P(StoreTest, MailBelowTheMinimumVerdictIsNeverStored) {
  Store s = open({.min_verdict = Verdict::malicious});
  auto clean = s.record(message("ham", {{"payload", "aa"}}, Verdict::clean), kT0);
  ASSERT_TRUE(clean);
  EXPECT_FALSE(clean->has_value());
  auto doubtful = s.record(message("doubt", {{"payload", "aa"}}, Verdict::suspicious), kT0);
  ASSERT_TRUE(doubtful);
  EXPECT_FALSE(doubtful->has_value());
  EXPECT_EQ(recorded(s, message("bad", {{"payload", "aa"}}), kT0).size, 1);
  auto rows = s.assignments();
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().message_id, "bad");
}

TEST_P(StoreTest, SummaryCountsWhatTheCampaignShares) {
  Store s = open();
  for (int i = 0; i < 5; ++i) {
    auto m = message("s" + std::to_string(i), {{"c2", "c2.example.invalid:2404"},
                                                {"payload", "p" + std::to_string(i % 2)},
                                                {"brand", "CDC"},
                                                {"chain", "email>iso9660>pe-exe"}});
    m.facts.recipient_domains = {i < 3 ? "maker-a.co.kr" : "maker-b.co.kr"};
    recorded(s, m, kT0 + i * 1800);  // every half hour
  }
  auto c = s.summary("C-1");
  ASSERT_TRUE(c) << c.error().what;
  EXPECT_EQ(c->size, 5);
  EXPECT_EQ(c->first_seen, kT0);
  EXPECT_EQ(c->last_seen, kT0 + 4 * 1800);
  EXPECT_EQ(c->max_verdict, "malicious");
  EXPECT_EQ(c->bucket_seconds, 3600);
  ASSERT_EQ(c->timeline.size(), 3u);  // 10:00, 11:00, 12:00
  EXPECT_EQ(c->timeline[0].start, kT0);
  EXPECT_EQ(c->timeline[0].messages, 2);
  EXPECT_EQ(c->timeline[1].messages, 2);
  EXPECT_EQ(c->timeline[2].messages, 1);
  ASSERT_EQ(c->recipient_domains.size(), 2u);
  EXPECT_EQ(c->recipient_domains[0].value, "maker-a.co.kr");
  EXPECT_EQ(c->recipient_domains[0].count, 3);
  ASSERT_EQ(c->payload_hashes.size(), 2u);
  EXPECT_EQ(c->payload_hashes[0].value, "p0");
  EXPECT_EQ(c->payload_hashes[0].count, 3);
  ASSERT_EQ(c->c2.size(), 1u);
  EXPECT_EQ(c->c2[0].count, 5);
  ASSERT_EQ(c->brands.size(), 1u);
  EXPECT_EQ(c->techniques[0].value, "email>iso9660>pe-exe");
  EXPECT_EQ(c->sample_message_id, "s0");
  EXPECT_FALSE(s.summary("C-9"));
  EXPECT_FALSE(s.summary("campaign nine"));
}

// Bulk recording shares one transaction (a savepoint per message) and groups
// exactly as one transaction per message does.
TEST_P(StoreTest, BatchedRecordingGroupsAsSingleRecordingDoes) {
  const std::vector<std::vector<Fingerprint>> stream{
      {{"payload", "a1"}, {"subject", "s"}},      {{"c2", "x:1"}},
      {{"payload", "a1"}, {"c2", "x:1"}},         {{"subject", "s"}, {"from_domain", "d"}},
      {{"subject", "s"}, {"from_domain", "d"}},   {{"brand", "B"}}};
  std::vector<std::string> single, batched;
  {
    Store s = open();
    for (std::size_t i = 0; i < stream.size(); ++i) {
      single.push_back(recorded(s, message("m" + std::to_string(i), stream[i]), kT0 + static_cast<std::int64_t>(i)).label);
    }
  }
  TearDown();
  SetUp();
  Store s = open();
  ASSERT_TRUE(s.begin_batch());
  EXPECT_TRUE(s.in_batch());
  for (std::size_t i = 0; i < stream.size(); ++i) {
    batched.push_back(recorded(s, message("m" + std::to_string(i), stream[i]), kT0 + static_cast<std::int64_t>(i)).label);
  }
  EXPECT_EQ(s.batched(), static_cast<std::int64_t>(stream.size()));
  ASSERT_TRUE(s.end_batch());
  EXPECT_FALSE(s.in_batch());
  EXPECT_EQ(batched, single);
  EXPECT_EQ(batched, (std::vector<std::string>{"C-1", "C-2", "C-1", "C-3", "C-3", "C-4"}));
  // What the batch wrote is there for a second connection.
  Store other = open();
  auto rows = other.assignments();
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->size(), stream.size());
}

// A store remembers the rows it read for the next message
// (candidate_cache.hpp): what another connection wrote in between must still
// be seen, and what it recorded itself must be added to what it remembers. "b" (written by the other connection) shares the subject template
// with "a" and the sender domain with nobody yet; "c" shares both with "b",
// so it joins b's campaign. A connection answering the subject from its own
// memory (a alone) would start a new campaign instead.
TEST_P(StoreTest, WhatAnotherConnectionRecordedIsSeenByTheNextMessage) {
  for (const bool batch : {false, true}) {
    SCOPED_TRACE(batch ? "batch" : "one transaction per message");
    TearDown();
    SetUp();
    Store mine = open();
    Store other = open();
    const auto a = recorded(mine, message("a", {{"subject", "loan # approval"}, {"from_domain", "one.example"}}), kT0);
    const auto b =
        recorded(other, message("b", {{"subject", "loan # approval"}, {"from_domain", "two.example"}}), kT0 + 60);
    EXPECT_NE(b.label, a.label);
    if (batch) {
      ASSERT_TRUE(mine.begin_batch());
    }
    const auto c = recorded(
        mine, message("c", {{"subject", "loan # approval"}, {"from_domain", "two.example"}, {"payload", "p1"}}),
        kT0 + 120);
    EXPECT_EQ(c.label, b.label);
    EXPECT_EQ(c.size, 2);
    // What it recorded itself is remembered too: c's payload was asked for
    // (and found nowhere) before c was stored, and d shares only that.
    const auto d = recorded(mine, message("d", {{"payload", "p1"}}), kT0 + 180);
    EXPECT_EQ(d.label, b.label);
    EXPECT_EQ(d.size, 3);
    ASSERT_FALSE(d.shared.empty());
    EXPECT_EQ(d.shared[0].with, "c");
    if (batch) {
      ASSERT_TRUE(mine.end_batch());
    }
  }
}

// The campaign a candidate is part of is remembered too, and a merge another
// connection made must still be followed: y's campaign is folded into x's by
// the other connection, so w (sharing only y's mutex) joins x's campaign.
TEST_P(StoreTest, AMergeAnotherConnectionMadeIsFollowed) {
  Store mine = open();
  Store other = open();
  const auto x = recorded(mine, message("x", {{"c2", "x.example.invalid:80"}}), kT0);
  const auto y = recorded(mine, message("y", {{"mutex", "Rmc-Y"}}), kT0 + 60);
  ASSERT_NE(x.label, y.label);
  const auto z = recorded(other, message("z", {{"c2", "x.example.invalid:80"}, {"mutex", "Rmc-Y"}}), kT0 + 120);
  EXPECT_EQ(z.label, x.label);
  ASSERT_EQ(z.merged.size(), 1u);
  const auto w = recorded(mine, message("w", {{"mutex", "Rmc-Y"}}), kT0 + 180);
  EXPECT_EQ(w.label, x.label);
  EXPECT_EQ(w.size, 4);
  // And one this connection made itself.
  const auto p = recorded(mine, message("p", {{"payload", "p-only"}}), kT0 + 240);
  const auto q = recorded(mine, message("q", {{"payload", "p-only"}, {"mutex", "Rmc-Y"}}), kT0 + 300);
  EXPECT_EQ(q.label, x.label);
  const auto r = recorded(mine, message("r", {{"payload", "p-only"}}), kT0 + 360);
  EXPECT_NE(p.label, x.label);
  EXPECT_EQ(r.label, x.label);
  EXPECT_EQ(r.size, 7);
}

TEST_P(StoreTest, RetentionDropsOldMessagesAndEmptyCampaigns) {
  Store s = open({.keep_days = 30});
  recorded(s, message("old", {{"payload", "o"}}), kT0);
  recorded(s, message("new", {{"payload", "n"}}), kT0 + 40 * kDay);
  auto pruned = s.prune(kT0 + 41 * kDay);
  ASSERT_TRUE(pruned) << pruned.error().what;
  EXPECT_EQ(*pruned, 1);
  auto all = s.summaries();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().label, "C-2");
  // The old payload is forgotten: it starts a campaign again, with a new ID.
  EXPECT_EQ(recorded(s, message("again", {{"payload", "o"}}), kT0 + 41 * kDay).label, "C-3");
}

Result<std::unique_ptr<Db>> raw(const std::string& where) {
  return where.starts_with("postgresql://") ? open_postgresql(where) : open_sqlite(where);
}

// Values are stored once (schema 5): those only pruned messages named go with
// them, more than one statement's worth included; one a newer message names stays.
TEST_P(StoreTest, RetentionForgetsTheValuesOnlyOldMessagesNamed) {
  Store s = open({.keep_days = 30});
  // Report-only values (a brand) are named in the message row alone.
  std::vector<Fingerprint> old{{"mutex", "kept"}, {"payload", "o"}, {"brand", "gone"}, {"brand", "still"}};
  for (int i = 0; i < 70; ++i) old.push_back({"url_domain", "d" + std::to_string(100 + i) + ".example"});
  recorded(s, message("old", old), kT0);
  recorded(s, message("new", {{"mutex", "kept"}, {"payload", "n"}, {"brand", "still"}}), kT0 + 40 * kDay);
  auto pruned = s.prune(kT0 + 41 * kDay);
  ASSERT_TRUE(pruned) << pruned.error().what;
  EXPECT_EQ(*pruned, 1);
  auto db = raw(where_);
  ASSERT_TRUE(db) << db.error().what;
  auto left = (*db)->query("SELECT kind, value FROM fingerprint_values ORDER BY kind, value", {});
  ASSERT_TRUE(left) << left.error().what;
  std::vector<std::string> kinds_values;
  for (const SqlRow& r : *left) kinds_values.push_back(as_text(r[0]) + "=" + as_text(r[1]));
  EXPECT_EQ(kinds_values, (std::vector<std::string>{"brand=still", "mutex=kept", "payload=n"}));
  auto rows = (*db)->query("SELECT COUNT(*) FROM linking_fingerprints", {});
  ASSERT_TRUE(rows) << rows.error().what;
  EXPECT_EQ(as_int(rows->front().front()), 2);  // the new message's mutex and payload
  // The value kept still links: a later message naming it joins the campaign.
  EXPECT_EQ(recorded(s, message("later", {{"mutex", "kept"}}), kT0 + 42 * kDay).label, "C-1");
}

TEST_P(StoreTest, AStoreOfAnOlderSchemaIsUpgradedWithItsData) {
  {
    auto db = raw(where_);
    ASSERT_TRUE(db) << db.error().what;
    ASSERT_TRUE(migrate(**db, 1));
    ASSERT_TRUE((*db)->exec("INSERT INTO campaigns (id, created_at) VALUES (1, ?)", std::vector<SqlValue>{kT0}));
    ASSERT_TRUE((*db)->exec(
        "INSERT INTO messages (id, seen_at, input, message_id, from_domain, sender_domain, recipient_domains, "
        "subject, verdict, score, findings, evidence, campaign) VALUES (1, ?, 'v1.eml', 'v1', 'a.example', '', "
        "'b.example', 'hi', 'malicious', 99, 'x.y', '', 1)",
        std::vector<SqlValue>{kT0}));
    ASSERT_TRUE((*db)->exec("INSERT INTO fingerprints (message, kind, value) VALUES (1, 'payload', 'v1hash')"));
    ASSERT_TRUE((*db)->exec("INSERT INTO fingerprints (message, kind, value) VALUES (1, 'brand', 'SBA')"));
    auto v = stored_schema_version(**db);
    ASSERT_TRUE(v);
    EXPECT_EQ(*v, 1);
    // Schemas 2 to 5 wrote a message's evidence out whole.
    ASSERT_TRUE(migrate(**db, 2));
    ASSERT_TRUE((*db)->exec("UPDATE messages SET links = "
                            "'[{\"kind\":\"payload\",\"value\":\"v1hash\",\"link\":\"payload\",\"with\":\"v0\"}]'"));
  }
  Store s = open();
  auto v = s.schema_version();
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, kSchemaVersion);
  // PostgreSQL's identity sequence did not see the explicit id 1; SQLite's
  // rowid did. Either way the old message is there and new ones link to it.
  auto rows = s.assignments();
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().campaign, "C-1");
  ASSERT_EQ(rows->front().shared.size(), 1u);
  EXPECT_EQ(rows->front().shared[0].value, "v1hash");
  EXPECT_EQ(rows->front().shared[0].with, "v0");
  // Its fingerprints came through every step (schema 5 stores each value once).
  auto c = s.summary("C-1");
  ASSERT_TRUE(c) << c.error().what;
  ASSERT_EQ(c->payload_hashes.size(), 1u);
  EXPECT_EQ(c->payload_hashes[0].value, "v1hash");
  ASSERT_EQ(c->brands.size(), 1u);  // schema 6 keeps a report-only value in the message row alone
  EXPECT_EQ(c->brands[0].value, "SBA");
  if (GetParam() == Dialect::sqlite) {
    const auto a = recorded(s, message("v2", {{"payload", "v1hash"}}), kT0 + 60);
    EXPECT_EQ(a.label, "C-1");
    EXPECT_EQ(a.size, 2);
    rows = s.assignments();
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 2u);
    ASSERT_EQ(rows->back().shared.size(), 1u);
    EXPECT_EQ(rows->back().shared[0].kind, "payload");
    EXPECT_EQ(rows->back().shared[0].with, "v1");
  }
}

TEST_P(StoreTest, AStoreOfANewerSchemaIsRefused) {
  {
    auto db = raw(where_);
    ASSERT_TRUE(db);
    ASSERT_TRUE(migrate(**db, kSchemaVersion));
    ASSERT_TRUE((*db)->exec("UPDATE sluice_schema SET version = 99"));
  }
  auto s = Store::open(where_);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().what.find("newer Sluice (schema 99"), std::string::npos) << s.error().what;
}

// Two processes recording at once (the CLI and the milter on one host, or two
// gateways on one PostgreSQL) lose nothing and agree on the grouping.
TEST_P(StoreTest, TwoProcessesRecordingAtOnceLoseNothing) {
  { Store init = open(); }
  constexpr int kEach = 60;
  std::vector<pid_t> kids;
  for (int k = 0; k < 2; ++k) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int bad = 0;
      auto s = Store::open(where_);
      if (!s) ::_exit(10);
      for (int i = 0; i < kEach; ++i) {
        auto m = message("p" + std::to_string(k) + "-" + std::to_string(i),
                         {{"c2", "wave" + std::to_string(k) + ".example.invalid:80"},
                          {"payload", std::to_string(k) + "-" + std::to_string(i)}});
        auto r = s->record(m, kT0 + i);
        if (!r || !*r) ++bad;
      }
      ::_exit(bad == 0 ? 0 : 11);  // no destructors: the parent owns the server
    }
    kids.push_back(pid);
  }
  for (pid_t pid : kids) {
    int st = 0;
    ASSERT_EQ(::waitpid(pid, &st, 0), pid);
    ASSERT_TRUE(WIFEXITED(st));
    EXPECT_EQ(WEXITSTATUS(st), 0);
  }
  Store s = open();
  auto rows = s.assignments();
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->size(), 2u * kEach);
  auto all = s.summaries();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all->at(0).size, kEach);
  EXPECT_EQ(all->at(1).size, kEach);
}

TEST(StoreFile, ACorruptFileIsAClearErrorNotAnEmptyStore) {
  const fs::path p = fs::temp_directory_path() / ("sluice-corrupt-" + std::to_string(::getpid()) + ".db");
  {
    std::ofstream f(p, std::ios::binary);
    f << std::string(8192, 'x');
  }
  auto s = Store::open(p.string());
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().what.find("not a database"), std::string::npos) << s.error().what;
  // And the bytes are left as they were for the admin to inspect.
  EXPECT_EQ(fs::file_size(p), 8192u);
  fs::remove(p);
}

TEST(StoreFile, AnUnreachableServerIsAClearError) {
  auto s = Store::open("postgresql://sluice@127.0.0.1:1/none?connect_timeout=2");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().what.find("campaign store (PostgreSQL)"), std::string::npos) << s.error().what;
}

TEST(CampaignLabel, RoundTrips) {
  EXPECT_EQ(campaign_label(42), "C-42");
  EXPECT_EQ(parse_campaign_label("C-42"), 42);
  EXPECT_EQ(parse_campaign_label("42"), 42);
  EXPECT_FALSE(parse_campaign_label("C-"));
  EXPECT_FALSE(parse_campaign_label("C-4x"));
  EXPECT_FALSE(parse_campaign_label("C-99999999999999999999"));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values(Dialect::sqlite, Dialect::postgresql),
                         [](const auto& p) { return p.param == Dialect::sqlite ? "SQLite" : "PostgreSQL"; });

}  // namespace
}  // namespace sluice::campaigns
