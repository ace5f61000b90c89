#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "report/iocs.hpp"
#include "sluice/report.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using Strings = std::vector<std::string>;

TEST(Iocs, UrlHostIsTheAuthorityWithoutUserPortOrBrackets) {
  EXPECT_EQ(report::url_host("http://user:pw@Portal.Example.COM.:8080/x?y#z"), "portal.example.com");
  EXPECT_EQ(report::url_host("https://[2001:DB8::1]:443/"), "2001:db8::1");
  EXPECT_EQ(report::url_host("http://198.51.100.7/a"), "198.51.100.7");
  EXPECT_EQ(report::url_host("HTTP://xn--bcher-kva.example/"), "xn--bcher-kva.example");
  EXPECT_EQ(report::url_host("http://bücher.example/"), "bücher.example") << "IDNA as written";
  EXPECT_EQ(report::url_host("http://a.example\\@evil.test/"), "a.example") << "WHATWG: \\ ends the host";
  EXPECT_EQ(report::url_host("mailto:someone@example.org"), "");
  EXPECT_EQ(report::url_host("://nohost"), "");
  EXPECT_EQ(report::url_host("http://[::1"), "") << "unclosed bracket";
  EXPECT_EQ(report::url_host("http://a b.example/"), "");
  EXPECT_TRUE(report::is_ip_literal("10.0.0.1"));
  EXPECT_TRUE(report::is_ip_literal("2001:db8::1"));
  EXPECT_FALSE(report::is_ip_literal("10.0.0.256"));
  EXPECT_FALSE(report::is_ip_literal("example.com"));
  EXPECT_FALSE(report::is_ip_literal(""));
}

// A tree with meta set by hand: what the MIME, script and family analysers write.
ScanResult synthetic() {
  ScanResult r;
  ArtifactTree& t = r.tree;
  t.add_root(ByteView::of("root"), "message", {});
  t.at(0).meta.push_back({"ioc.url", std::string("https://Portal.Example.test/login")});
  t.at(0).meta.push_back({"ioc.url", std::string("  https://Portal.Example.test/login\r\n")});
  t.at(0).meta.push_back({"ioc.url", std::string("http://203.0.113.9:8080/a.hta")});
  t.at(0).meta.push_back({"mail.subject", std::string("http://not-an-ioc.example/")});
  const ArtifactId exe = t.add_child(0, ByteView::of("MZ one"), "part[1]", {{"mime", "a.exe"}});
  const ArtifactId copy = t.add_child(0, ByteView::of("MZ one"), "part[2]", {{"mime", "b.exe"}});
  const ArtifactId doc = t.add_child(0, ByteView::of("text"), "part[3]", {{"mime", "c.txt"}});
  for (ArtifactId id : {exe, copy, doc}) t.at(id).hashed = true;
  t.at(exe).type = FileType::pe_exe;
  t.at(exe).hashes.sha256[0] = 0xab;
  t.at(copy).type = FileType::pe_exe;
  t.at(copy).duplicate_of = exe;
  t.at(doc).type = FileType::text;
  t.at(exe).meta.push_back({"ioc.c2", std::string("c2.example.test:2404")});
  t.at(exe).meta.push_back({"ioc.domain", std::string("C2.Example.TEST")});
  t.at(exe).meta.push_back({"ioc.ip", std::string("192.0.2.44")});
  t.at(exe).meta.push_back({"ioc.ip", std::int64_t{7}});  // not text: ignored
  return r;
}

TEST(Iocs, CollectedDedupedSortedWithOneHashPerExecutableContent) {
  const ScanResult r = synthetic();
  const report::Iocs i = report::collect_iocs(r.tree);
  EXPECT_EQ(i.urls, (Strings{"http://203.0.113.9:8080/a.hta", "https://Portal.Example.test/login"}));
  EXPECT_EQ(i.domains, (Strings{"c2.example.test", "portal.example.test"}));
  EXPECT_EQ(i.ips, (Strings{"192.0.2.44", "203.0.113.9"}));
  EXPECT_EQ(i.c2, (Strings{"c2.example.test:2404"}));
  ASSERT_EQ(i.hashes.size(), 1u) << "the duplicate and the text part are not listed";
  EXPECT_EQ(i.hashes[0].type, "pe-exe");
  EXPECT_EQ(i.hashes[0].sha256.substr(0, 2), "ab");
  EXPECT_EQ(i.hashes[0].path, r.tree.evidence_path(1));
  EXPECT_TRUE(i.truncated.empty());
}

TEST(Iocs, EachKindIsBoundedAndTheCutIsNoted) {
  ScanResult r;
  r.tree.add_root(ByteView::of("root"), "file", {});
  for (int k = 0; k < 10; ++k) {
    r.tree.at(0).meta.push_back({"ioc.url", "http://h" + std::to_string(k) + ".example/"});
    const ArtifactId c = r.tree.add_child(0, ByteView::of("x"), "", {});
    r.tree.at(c).type = FileType::script_js;
    r.tree.at(c).hashed = true;
  }
  const report::Iocs i = report::collect_iocs(r.tree, 3);
  EXPECT_EQ(i.urls.size(), 3u);
  EXPECT_EQ(i.domains.size(), 3u);
  EXPECT_EQ(i.hashes.size(), 3u);
  EXPECT_EQ(i.truncated, (Strings{"domains", "urls", "hashes"}));
}

TEST(Iocs, JsonAndTextCarryThem) {
  const ScanResult r = synthetic();
  const auto j = nlohmann::json::parse(report::to_json(r, false));
  EXPECT_EQ(j["iocs"]["c2"], nlohmann::json::array({"c2.example.test:2404"}));
  EXPECT_EQ(j["iocs"]["hashes"][0]["type"], "pe-exe");
  EXPECT_EQ(j["iocs"]["truncated"], nlohmann::json::array());
  const std::string text = report::to_text(r, {});
  EXPECT_NE(text.find("iocs: 2 urls, 2 domains, 2 ips, 1 c2, 1 executable"), std::string::npos) << text;
  EXPECT_NE(text.find("c2       c2.example.test:2404"), std::string::npos) << text;
}

TEST(Iocs, MailWithLinksAndAZippedProgramEndToEnd) {
  const auto bytes = testing::read_file(testing::fixture("iocs/link_and_zip.eml"));
  const ScanResult r = testing::default_engine().scan(ByteView(bytes.data(), bytes.size()),
                                                      "link_and_zip.eml");
  const report::Iocs i = report::collect_iocs(r.tree);
  // The executable's hash needs only the unpackers; the links need the MIME
  // body-text extraction (ioc.url), which this fixture exercises as well.
  const auto hello = testing::read_file(testing::fixture("pe/hello.exe"));
  ASSERT_EQ(i.hashes.size(), 1u);
  EXPECT_EQ(i.hashes[0].sha256, testing::sha256_hex(hello));
  EXPECT_NE(i.hashes[0].path.find("invoice.exe"), std::string::npos) << i.hashes[0].path;
  EXPECT_EQ(i.domains, (Strings{"portal.example-billing.test"}));
  EXPECT_EQ(i.ips, (Strings{"198.51.100.7", "2001:db8::7"}));
  // How the MIME layer normalises a URL (the host's case) is its business; the
  // list holds both IP links and the portal link at least once, and every URL's
  // host is among the domains or IPs.
  ASSERT_GE(i.urls.size(), 3u);
  EXPECT_EQ(i.urls[0], "http://198.51.100.7:8080/inv.zip");
  EXPECT_EQ(i.urls[1], "http://[2001:db8::7]/i");
  for (std::size_t k = 2; k < i.urls.size(); ++k) {
    EXPECT_EQ(report::url_host(i.urls[k]), "portal.example-billing.test") << i.urls[k];
  }
}

}  // namespace
}  // namespace sluice
