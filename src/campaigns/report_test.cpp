// The HTML report and the STIX bundle from hand-made summaries: hostile text
// stays text, every section and bar is there, the STIX objects follow the
// specification's rules (OASIS STIX 2.1 §3–§5).
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "campaigns/html_report.hpp"
#include "campaigns/stix.hpp"

namespace sluice::campaigns {
namespace {

constexpr std::int64_t kT0 = 1589968800;  // 2020-05-20T10:00:00Z

CampaignSummary sample(std::int64_t id) {
  CampaignSummary c;
  c.id = id;
  c.label = "C-" + std::to_string(id);
  c.size = 6;
  c.first_seen = kT0;
  c.last_seen = kT0 + 2 * 3600;
  c.max_verdict = "malicious";
  c.max_score = 195;
  c.bucket_seconds = 3600;
  c.timeline = {{kT0, 4}, {kT0 + 3600, 0}, {kT0 + 7200, 2}};
  c.recipient_domains = {{"maker.co.kr", 4}, {"steel.co.kr", 2}};
  c.brands = {{"CDC", 6}};
  c.subjects = {{"<script>alert(1)</script> han advisory #", 6}};
  c.display_names = {{"\"onmouseover=alert(1) x='", 6}};
  c.families = {{"remcos", 6}};
  c.c2 = {{"c2-b.example.invalid:443", 6}, {"192.0.2.30:8080", 3}};
  c.payload_hashes = {{std::string(64, 'a'), 4}, {std::string(64, 'b'), 2}};
  c.sender_domains = {{"o'brien.example", 6}};
  c.sample_evidence = "message › part[2] \"HAN.iso\" › \"/HAN.SCR\"";
  return c;
}

TEST(HtmlReport, HostileTextStaysText) {
  const std::vector<CampaignSummary> cs{sample(1)};
  const std::string html = render_html(cs, kT0, "Sluice <campaigns>");
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("\"onmouseover"), std::string::npos);
  EXPECT_NE(html.find("&quot;onmouseover=alert(1) x=&#39;"), std::string::npos);
  EXPECT_NE(html.find("<title>Sluice &lt;campaigns&gt;</title>"), std::string::npos);
  // Nothing is loaded from anywhere, and the page says so to the browser.
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'"), html.find("http-equiv"));
}

TEST(HtmlReport, OneSectionPerCampaignAndBarsInProportion) {
  const std::vector<CampaignSummary> cs{sample(1), sample(7)};
  const std::string html = render_html(cs, kT0, "t");
  EXPECT_NE(html.find("<section class=\"campaign\" id=\"campaign-C-1\">"), std::string::npos);
  EXPECT_NE(html.find("<section class=\"campaign\" id=\"campaign-C-7\">"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"#campaign-C-7\">C-7</a>"), std::string::npos);
  const std::regex bar("<rect class=\"bar\"[^>]* height=\"([0-9]+)\" fill=\"#c0504d\" data-messages=\"([0-9]+)\"");
  std::map<int, int> heights;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), bar); it != std::sregex_iterator(); ++it) {
    heights[std::stoi((*it)[2])] = std::stoi((*it)[1]);
  }
  ASSERT_EQ(heights.size(), 2u);  // the empty hour has no bar
  EXPECT_NEAR(heights[2] * 2, heights[4], 2);
  for (const char* heading : {"Targeted recipient domains", "Lure brands", "Sending hosts", "Container techniques",
                              "Payload SHA-256", "C2", "Mutexes", "Families"}) {
    EXPECT_NE(html.find(heading), std::string::npos) << heading;
  }
  EXPECT_EQ(render_html(cs, kT0, "t"), html);  // deterministic
}

TEST(HtmlReport, NoCampaignsIsAPageThatSaysSo) {
  const std::string html = render_html({}, kT0, "t");
  EXPECT_NE(html.find("No campaigns recorded."), std::string::npos);
  EXPECT_EQ(html.find("<section"), std::string::npos);
}

TEST(HtmlReport, LongValuesAreCutOnACharacterBoundary) {
  std::string s;
  for (int i = 0; i < 100; ++i) s += "é";  // two bytes each
  const std::string e = html_escape(s, 51);
  EXPECT_EQ(e, std::string(s, 0, 50) + "…");
}

TEST(Stix, Uuid5IsTheRfc4122NameBasedForm) {
  const std::string u = uuid5("C-1");
  EXPECT_TRUE(std::regex_match(u, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"))) << u;
  EXPECT_EQ(uuid5("C-1"), u);
  EXPECT_NE(uuid5("C-2"), u);
  EXPECT_EQ(stix_time(kT0), "2020-05-20T10:00:00.000Z");
  EXPECT_EQ(stix_literal("o'brien\\x"), "o\\'brien\\\\x");
}

// The rules of STIX 2.1 this export must keep (§3.2 timestamps, §2.9 identifiers,
// §4 common properties, §5 relationships, §9 patterning's literal quoting).
TEST(Stix, TheBundleKeepsTheSpecificationsRules) {
  const auto b = to_stix_bundle(sample(3), kT0 + 86400);
  ASSERT_EQ(b["type"], "bundle");
  ASSERT_TRUE(std::regex_match(b["id"].get<std::string>(), std::regex("bundle--[0-9a-f-]{36}")));
  const std::regex ts("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z");
  std::set<std::string> ids;
  std::map<std::string, int> types;
  for (const auto& o : b["objects"]) {
    const std::string type = o["type"];
    ++types[type];
    EXPECT_EQ(o["spec_version"], "2.1");
    const std::string id = o["id"];
    EXPECT_TRUE(std::regex_match(id, std::regex(type + "--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"))) << id;
    EXPECT_TRUE(ids.insert(id).second) << "duplicate " << id;
    EXPECT_TRUE(std::regex_match(o["created"].get<std::string>(), ts));
    EXPECT_TRUE(std::regex_match(o["modified"].get<std::string>(), ts));
    EXPECT_LE(o["created"].get<std::string>(), o["modified"].get<std::string>());
    if (type == "indicator") {
      const std::string p = o["pattern"];
      EXPECT_EQ(o["pattern_type"], "stix");
      EXPECT_TRUE(p.front() == '[' && p.back() == ']') << p;
      // Quotes are balanced once escaped ones are skipped.
      int quotes = 0;
      for (std::size_t i = 0; i < p.size(); ++i) {
        if (p[i] == '\\') ++i;
        else if (p[i] == '\'') ++quotes;
      }
      EXPECT_EQ(quotes % 2, 0) << p;
      EXPECT_TRUE(o.contains("valid_from"));
    }
  }
  EXPECT_EQ(types["campaign"], 1);
  EXPECT_EQ(types["malware"], 1);
  EXPECT_EQ(types["indicator"], 2 + 2 + 1);  // payloads, C2 hosts, sender domain
  for (const auto& o : b["objects"]) {
    if (o["type"] != "relationship") continue;
    EXPECT_TRUE(ids.contains(o["source_ref"].get<std::string>()));
    EXPECT_TRUE(ids.contains(o["target_ref"].get<std::string>()));
    const std::string rt = o["relationship_type"];
    EXPECT_TRUE(rt == "indicates" || rt == "uses") << rt;
  }
  std::set<std::string> patterns;
  for (const auto& o : b["objects"]) {
    if (o["type"] == "indicator") patterns.insert(o["pattern"].get<std::string>());
  }
  EXPECT_TRUE(patterns.contains("[file:hashes.'SHA-256' = '" + std::string(64, 'a') + "']"));
  EXPECT_TRUE(patterns.contains("[domain-name:value = 'c2-b.example.invalid']"));
  EXPECT_TRUE(patterns.contains("[ipv4-addr:value = '192.0.2.30']"));
  EXPECT_TRUE(patterns.contains("[domain-name:value = 'o\\'brien.example']"));
  // Exporting again gives the same objects (IDs from the campaign and the value).
  EXPECT_EQ(to_stix_bundle(sample(3), kT0 + 86400), b);
}

}  // namespace
}  // namespace sluice::campaigns
