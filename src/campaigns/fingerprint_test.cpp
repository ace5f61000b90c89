// Fingerprints: the templates, the dates, and what extract() takes from a real
// scan (a campaign fixture made by tests/fixtures/make_campaign_fixtures.sh).
#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>

#include "campaigns/fingerprint.hpp"
#include "test_support.hpp"

namespace sluice::campaigns {
namespace {

analysis::lure::PublicSuffixList debian_psl() {
  return analysis::lure::PublicSuffixList::load(std::string(analysis::lure::PublicSuffixList::kDebianPath)).value();
}

std::string value_of(const MessageRecord& m, std::string_view kind) {
  for (const auto& f : m.fingerprints) {
    if (f.kind == kind) return f.value;
  }
  return "<none>";
}

std::size_t count_of(const MessageRecord& m, std::string_view kind) {
  return static_cast<std::size_t>(
      std::count_if(m.fingerprints.begin(), m.fingerprints.end(), [&](const Fingerprint& f) { return f.kind == kind; }));
}

TEST(TextTemplate, TakesOutWhatAMailerFillsInPerRecipient) {
  EXPECT_EQ(text_template("SBA Loan #38271 approval"), "sba loan ## approval");
  EXPECT_EQ(text_template("Re: FWD: Invoice 48213 due 2020-05-04 ref AB12CD"), "invoice # due #-#-# ref *");
  EXPECT_EQ(text_template("Fwd: invoice INV-2020-X7 for bob@victim.example"), "invoice *-*-* for @");
  EXPECT_EQ(text_template("see https://evil.example/a?b=1   now\r\n"), "see url now");
  EXPECT_EQ(text_template("HAN Health Advisory 123: COVID-19 update"), text_template("HAN Health Advisory 987: COVID-19 update"));
  EXPECT_EQ(text_template("abcdef", 3), "abc");
  EXPECT_EQ(text_template(""), "");
}

TEST(TextTemplate, FileNamesKeepTheirWordsAndLoseTheirNumbers) {
  EXPECT_EQ(name_pattern("Invoice_4821.ISO"), "invoice_#.iso");
  EXPECT_EQ(name_pattern("/HAN_ALERT_003.SCR"), "/han_alert_#.scr");
  EXPECT_EQ(name_pattern(std::string(1000, 'a')).size(), 255u);
}

TEST(Extract, AMessageGivesItsFactsAndFingerprints) {
  const auto bytes = sluice::testing::read_file(sluice::testing::fixture("remcos/remcos_campaign.eml"));
  std::string mail = "Received: from mx.victim.example (mx.victim.example [10.1.2.3]) by store.victim.example; "
                     "Thu, 21 May 2020 10:00:00 +0000\r\n"
                     "Received: from smtp.cdc-gov-alerts.com (smtp2.cdc-gov-alerts.com [198.51.100.20]) by "
                     "mx.victim.example (Postfix); Thu, 21 May 2020 10:00:00 +0000\r\n";
  mail.append(bytes.begin(), bytes.end());
  const Engine engine = sluice::testing::default_engine();
  const ScanResult r = engine.scan(ByteView(reinterpret_cast<const std::uint8_t*>(mail.data()), mail.size()), "m.eml");
  ASSERT_EQ(r.verdict, Verdict::malicious);
  const auto psl = debian_psl();
  const MessageRecord m = extract(r, psl);
  EXPECT_EQ(m.facts.message_id, "remcos-campaign@fixtures.sluice.invalid");
  EXPECT_EQ(m.facts.verdict, Verdict::malicious);
  EXPECT_FALSE(m.facts.findings.empty());
  EXPECT_TRUE(m.facts.evidence.starts_with("message")) << m.facts.evidence;
  // The private hop is skipped: the sender's server is the first public one.
  EXPECT_EQ(value_of(m, "sender_ip"), "198.51.100.20");
  EXPECT_EQ(value_of(m, "sender_host"), "cdc-gov-alerts.com");
  EXPECT_EQ(value_of(m, "family"), "remcos");
  EXPECT_EQ(count_of(m, "c2"), 3u);
  EXPECT_NE(value_of(m, "mutex"), "<none>");
  EXPECT_EQ(value_of(m, "chain"), "email>zip>iso9660>pe-exe");
  EXPECT_EQ(value_of(m, "layout"), "email[2]>zip[1]>iso9660[1]>pe-exe han_alert.zip>han_alert.iso>/han_alert.exe ----");
  EXPECT_EQ(count_of(m, "payload"), 1u);
  EXPECT_NE(value_of(m, "imphash"), "<none>");
  EXPECT_TRUE(std::is_sorted(m.fingerprints.begin(), m.fingerprints.end(), [](const auto& a, const auto& b) {
    return std::tie(a.kind, a.value) < std::tie(b.kind, b.value);
  }));
}

// The features a message is recorded with come back as the same vector:
// keyed by their place in the list since schema 6, by name before it.
TEST(Features, ComeBackAsTheVectorTheyWere) {
  const auto bytes = sluice::testing::read_file(sluice::testing::fixture("remcos/remcos_campaign.eml"));
  const Engine engine = sluice::testing::default_engine();
  const ScanResult r = engine.scan(ByteView(bytes.data(), bytes.size()), "m.eml");
  const model::FeatureSpace space = model::FeatureSpace::builtin();
  const std::vector<float> x = space.extract(r);
  const MessageRecord m = extract(r, debian_psl(), nullptr, &space);
  EXPECT_EQ(m.facts.feature_version, space.version());
  ASSERT_FALSE(m.facts.features.empty());
  EXPECT_EQ(m.facts.features.find_first_not_of("0123456789.=;e-+"), std::string::npos) << m.facts.features;
  std::size_t skipped = 0;
  EXPECT_EQ(decode_features(space, m.facts.features, skipped), x);
  EXPECT_EQ(skipped, 0u);
  // A row recorded before names each feature.
  std::string named;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i] == 0) continue;
    char v[32];
    const auto end = std::to_chars(v, v + sizeof v, x[i]).ptr;
    named += (named.empty() ? "" : ";") + space.features()[i].name + "=" + std::string(v, end);
  }
  EXPECT_EQ(decode_features(space, named, skipped), x);
  EXPECT_EQ(skipped, 0u);
  // Damage is counted, never read as a feature.
  const std::string outside = std::to_string(space.size());
  const std::vector<float> none = decode_features(space, outside + "=1;0=;=1;1=x;no.such.feature=2;7", skipped);
  EXPECT_EQ(skipped, 6u);
  EXPECT_TRUE(std::all_of(none.begin(), none.end(), [](float v) { return v == 0; }));
}

TEST(Extract, AnEnvelopeReplacesWhatTheHeadersClaim) {
  const auto bytes = sluice::testing::read_file(sluice::testing::fixture("remcos/remcos_campaign.eml"));
  const Engine engine = sluice::testing::default_engine();
  const ScanResult r = engine.scan(ByteView(bytes.data(), bytes.size()), "m.eml");
  const auto psl = debian_psl();
  const Envelope env{"<bounce@mailer.example.net>", {"<a@Factory.CO.KR>", "<b@factory.co.kr>", "<c@other.example>"}};
  const MessageRecord m = extract(r, psl, &env);
  EXPECT_EQ(m.facts.envelope_sender, "mailer.example.net");
  EXPECT_EQ(value_of(m, "sender_domain"), "example.net");
  EXPECT_EQ(m.facts.recipient_domains, (std::vector<std::string>{"factory.co.kr", "other.example"}));
}

TEST(Extract, AFileThatIsNoMessageStillHasItsPayload) {
  const auto bytes = sluice::testing::read_file(sluice::testing::fixture("pe/hello.exe"));
  const Engine engine = sluice::testing::default_engine();
  const ScanResult r = engine.scan(ByteView(bytes.data(), bytes.size()), "hello.exe");
  const auto psl = debian_psl();
  const MessageRecord m = extract(r, psl);
  EXPECT_EQ(m.facts.message_id, "");
  EXPECT_EQ(value_of(m, "payload"), sluice::testing::sha256_hex(bytes));
  EXPECT_EQ(value_of(m, "subject"), "<none>");
}

}  // namespace
}  // namespace sluice::campaigns
