#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "codecs/text/addresses.hpp"
#include "analysis/lure/domains.hpp"
#include "analysis/lure/lexicon.hpp"
#include "sluice/engine.hpp"
#include "test_support.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace sluice {
namespace {

using analysis::lure::PublicSuffixList;

// The rules are views into the list's own text: a copy made from a list that
// is then gone, and a list parsed from text that is then gone, still answer.
TEST(Lure, APublicSuffixListOutlivesItsSourceAndItsOriginal) {
  std::optional<PublicSuffixList> copy;
  {
    std::string text = "COM\nco.UK\n*.ck\n!www.ck\n";
    const PublicSuffixList original = PublicSuffixList::parse(text);
    text.assign(text.size(), 'x');
    copy = original;
  }
  EXPECT_EQ(copy->registrable("mail.Example.CO.uk"), "example.co.uk");
  EXPECT_EQ(copy->registrable("a.b.foo.ck"), "b.foo.ck");
  EXPECT_EQ(copy->registrable("www.ck"), "www.ck");
  EXPECT_EQ(copy->rule_count(), 3u);
}

TEST(Lure, RegistrableDomainsFollowThePublicSuffixList) {
  const auto psl = PublicSuffixList::load(std::string(PublicSuffixList::kDebianPath)).value();
  EXPECT_EQ(psl.registrable("mail.sba.gov"), "sba.gov");
  EXPECT_EQ(psl.registrable("a.b.example.co.uk"), "example.co.uk");
  EXPECT_EQ(psl.registrable("hmrc.gov.uk"), "hmrc.gov.uk");
  EXPECT_EQ(psl.registrable("Mail.CDC-Gov-Alerts.com."), "cdc-gov-alerts.com");
  EXPECT_EQ(psl.registrable("com"), "com");
  const auto tiny = PublicSuffixList::parse("com\n*.ck\n!www.ck\n// comment\n");
  EXPECT_EQ(tiny.registrable("a.b.foo.ck"), "b.foo.ck") << "wildcard rule";
  EXPECT_EQ(tiny.registrable("x.www.ck"), "www.ck") << "exception rule";
}

TEST(Lure, ThePublicSuffixListIsTheOneConfigured) {
  // The Debian list is read when installed (CI installs it), with thousands of rules.
  if (std::filesystem::exists(PublicSuffixList::kDebianPath)) {
    EXPECT_GT(PublicSuffixList::load(std::string(PublicSuffixList::kDebianPath))->rule_count(), 5000u);
  }
  const auto builtin = PublicSuffixList::load("").value();
  EXPECT_EQ(builtin.rule_count(), PublicSuffixList::builtin().rule_count());
  EXPECT_EQ(builtin.registrable("a.b.gov.example"), "gov.example");

  const std::filesystem::path own =
      std::filesystem::temp_directory_path() / ("sluice-psl-" + std::to_string(::getpid()) + ".dat");
  { std::ofstream(own) << "// a private suffix\ngov.example\n"; }
  const auto mine = PublicSuffixList::load(own.string());
  ASSERT_TRUE(mine.has_value());
  EXPECT_EQ(mine->registrable("a.b.gov.example"), "b.gov.example");

  // The engine takes it from [lure]; a path that cannot be read fails engine creation.
  auto cfg = apply_config(*default_config(), "[lure]\npublic_suffix_list = \"" + own.string() + "\"\n", "t");
  ASSERT_TRUE(cfg.has_value());
  EXPECT_EQ(cfg->lure.public_suffix_list, own.string());
  EXPECT_TRUE(Engine::create(*cfg).has_value());
  std::filesystem::remove(own);
  auto gone = Engine::create(*cfg);
  ASSERT_FALSE(gone.has_value());
  EXPECT_NE(gone.error().what.find(own.string()), std::string::npos) << gone.error().what;
  EXPECT_FALSE(apply_config(*default_config(), "[lure]\npublic_suffix_list = 3\n", "t"));
  EXPECT_FALSE(apply_config(*default_config(), "[lure]\nsuffixes = \"x\"\n", "t"));
}

TEST(Lure, AddressesAndDistances) {
  auto a = codecs::text::read_mailbox("\"U.S. Small Business Administration\" <noreply@SBA-loans-gov.com>");
  EXPECT_EQ(a.display, "U.S. Small Business Administration");
  EXPECT_EQ(a.address, "noreply@SBA-loans-gov.com");
  EXPECT_EQ(a.domain, "sba-loans-gov.com");
  a = codecs::text::read_mailbox("bare@example.org");
  EXPECT_EQ(a.domain, "example.org");
  EXPECT_TRUE(a.display.empty());
  // A list header: commas inside quotes or angle brackets do not split.
  const MailAddresses to = codecs::text::read_addresses("A <a@X.com>, \"B, C\" <b@y.org>,c@z.net",
                                                        codecs::text::AddressForm::list);
  ASSERT_EQ(to.mailboxes.size(), 3u);
  EXPECT_EQ(to.mailboxes[0].domain, "x.com");
  EXPECT_EQ(to.mailboxes[1].display, "B, C");
  EXPECT_EQ(to.mailboxes[2].address, "c@z.net");
  EXPECT_EQ(codecs::text::read_addresses("A <a@x.com>, B <b@y.org>", codecs::text::AddressForm::one).mailboxes.size(), 1u);
  EXPECT_EQ(analysis::lure::edit_distance("paypa1", "paypal", 2), 1u);
  EXPECT_GT(analysis::lure::edit_distance("short", "muchlongerword", 2), 2u);
}

// The banded distance against the whole table, as Levenshtein wrote it.
TEST(Lure, EditDistanceWithinACapIsTheFullTablesAnswer) {
  auto full = [](std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      for (std::size_t j = 1; j <= b.size(); ++j) {
        d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1] ? 1 : 0)});
      }
    }
    return d[a.size()][b.size()];
  };
  std::uint32_t x = 11;
  auto word = [&x] {
    x = x * 1103515245 + 12345;
    std::string w((x >> 16) % 9, 'a');
    for (char& c : w) {
      x = x * 1103515245 + 12345;
      c = static_cast<char>('a' + (x >> 16) % 3);  // three letters: many near misses
    }
    return w;
  };
  for (int n = 0; n < 20000; ++n) {
    const std::string a = word(), b = word();
    for (std::size_t cap = 0; cap <= 3; ++cap) {
      ASSERT_EQ(analysis::lure::edit_distance(a, b, cap), std::min(full(a, b), cap + 1))
          << a << " / " << b << " cap " << cap;
    }
  }
  EXPECT_EQ(analysis::lure::edit_distance(std::string(300, 'a'), std::string(300, 'a'), 1), 2u) << "too long";
}

TEST(Lure, ShippedListsParse) {
  const auto brands = analysis::lure::builtin_brands();
  const auto themes = analysis::lure::builtin_themes();
  EXPECT_GE(brands.size(), 15u);
  EXPECT_GE(themes.size(), 8u);
  std::size_t vendors = 0;
  for (const auto& b : brands) {
    // A lure brand has phrases and official domains; a software-only row has neither.
    EXPECT_EQ(b.phrases.empty(), b.domains.empty()) << b.name;
    EXPECT_FALSE(b.phrases.empty() && b.software.empty()) << b.name;
    vendors += b.software.empty() ? 0 : 1;
  }
  EXPECT_GE(vendors, 5u);
}

std::string message(const std::string& from, const std::string& subject, const std::string& extra_headers,
                     const std::string& body) {
  return "From: " + from + "\r\nTo: owner@example.com\r\nSubject: " + subject +
         "\r\nDate: Tue, 14 Apr 2020 09:30:00 +0000\r\nMessage-ID: <t@example.com>\r\n" + extra_headers +
         "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + body + "\r\n";
}

ScanResult scan(const std::string& m) {
  return testing::default_engine().scan(std::vector<std::uint8_t>(m.begin(), m.end()), "m.eml");
}

TEST(Lure, ImpersonationIsSeenButAloneIsNotMalicious) {
  const ScanResult r = scan(message("\"U.S. Small Business Administration\" <noreply@sba-loans-gov.com>",
                                    "COVID-19 disaster loan", "", "Apply for the disaster loan now."));
  EXPECT_TRUE(testing::has_finding(r, "sender.display_name_impersonation"));
  EXPECT_TRUE(testing::has_finding(r, "sender.lookalike_domain"));
  EXPECT_TRUE(testing::has_finding(r, "lure.theme"));
  EXPECT_FALSE(testing::has_finding(r, "lure.risky_attachment")) << "no attachment";
  EXPECT_NE(r.verdict, Verdict::malicious) << "the lure alone never makes a message malicious";
}

TEST(Lure, TheRealSenderWithPassingAuthenticationIsClean) {
  const ScanResult r = scan(message(
      "\"U.S. Small Business Administration\" <news@updates.sba.gov>", "COVID-19 disaster loan update",
      "Authentication-Results: mx.example.com; spf=pass smtp.mailfrom=sba.gov; dkim=pass header.d=sba.gov; "
      "dmarc=pass header.from=sba.gov\r\n",
      "Information about the Economic Injury Disaster Loan program."));
  EXPECT_FALSE(testing::has_finding(r, "sender.display_name_impersonation"));
  EXPECT_FALSE(testing::has_finding(r, "sender.lookalike_domain"));
  EXPECT_FALSE(testing::has_finding(r, "sender.auth_failed"));
  EXPECT_EQ(r.verdict, Verdict::clean) << r.score;
}

TEST(Lure, FailedAuthenticationAndReplyTo) {
  const ScanResult r = scan(message("Billing <billing@example.com>", "hello",
                                    "Reply-To: <collect@other-domain.net>\r\n"
                                    "Authentication-Results: mx; spf=softfail; dkim=none; dmarc=fail\r\n",
                                    "see you"));
  EXPECT_TRUE(testing::has_finding(r, "sender.auth_failed"));
  EXPECT_TRUE(testing::has_finding(r, "sender.reply_to_mismatch"));
  EXPECT_EQ(r.verdict, Verdict::clean) << "weak signals alone stay below suspicious";
}

TEST(Lure, ListMailFailsAuthenticationAndRepliesToTheListAsAMatterOfCourse) {
  // What Mailman 3 does to a member's post: its own Sender, List-* headers,
  // Reply-To the list; DMARC then fails at the next hop.
  const std::string list_headers =
      "Sender: <devel-bounces@lists.example.org>\r\nList-Id: Devel <devel.lists.example.org>\r\n"
      "List-Post: <mailto:devel@lists.example.org>\r\nReply-To: devel@lists.example.org\r\n"
      "Authentication-Results: mx; spf=softfail; dkim=fail; dmarc=fail\r\n";
  ScanResult r = scan(message("Alice <alice@university.edu>", "[devel] invoice generator patch", list_headers,
                              "The invoice module patch is attached."));
  EXPECT_FALSE(testing::has_finding(r, "sender.auth_failed"));
  EXPECT_TRUE(testing::has_finding(r, "sender.auth_failed_forwarded"));
  EXPECT_FALSE(testing::has_finding(r, "sender.reply_to_mismatch")) << "Reply-To is the list";
  EXPECT_EQ(r.verdict, Verdict::clean) << r.score;
  // Without the list's signs the same failures are the sender's own, and a
  // Reply-To elsewhere than the list is still reported.
  r = scan(message("Alice <alice@university.edu>", "invoice", "Reply-To: pay@collect-now.net\r\n"
                   "List-Post: <mailto:devel@lists.example.org>\r\n", "x"));
  EXPECT_TRUE(testing::has_finding(r, "sender.reply_to_mismatch"));
}

TEST(Lure, ALinkShowingABrandsOwnSiteThatGoesElsewhereIsImpersonation) {
  const auto html = [](const std::string& shown) {
    return "From: Loans <news@example.com>\r\nTo: o@example.com\r\nSubject: hi\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/html; charset=us-ascii\r\n\r\n<p><a href=\"http://sba-loans-gov.example.com/x\">" +
           shown + "</a></p>\r\n";
  };
  ScanResult r = scan(html("https://www.sba.gov/apply"));
  EXPECT_TRUE(testing::has_finding(r, "lure.link_impersonation"));
  EXPECT_EQ(r.verdict, Verdict::suspicious) << r.score;
  // A shown site that is nobody's brand is only the context finding.
  r = scan(html("https://www.example.org/offer"));
  EXPECT_FALSE(testing::has_finding(r, "lure.link_impersonation"));
  EXPECT_TRUE(testing::has_finding(r, "html.link_text_mismatch"));
  EXPECT_EQ(r.verdict, Verdict::clean) << r.score;
}

TEST(Lure, OwnNameUnderAnotherSuffixIsNotALookalike) {
  EXPECT_FALSE(testing::has_finding(scan(message("Ops <ops@cdc.net>", "hi", "", "x")), "sender.lookalike_domain"));
  EXPECT_TRUE(testing::has_finding(scan(message("Pay <service@paypa1.com>", "hi", "", "x")),
                                   "sender.lookalike_domain"));
}

}  // namespace
}  // namespace sluice
