// Remcos configuration extraction against fixtures whose SETTINGS resources
// were encrypted by OpenSSL's RC4 (tests/fixtures/make_remcos_fixtures.sh); the
// JSON beside each fixture is the oracle, compared field by field. Hostile
// inputs come from unit calls on the parser.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "families/family.hpp"
#include "families/field_text.hpp"
#include "families/rc4.hpp"
#include "families/remcos.hpp"
#include "test_support.hpp"

namespace sluice::families {
namespace {

using nlohmann::json;

json oracle(const std::string& name) {
  std::ifstream in(testing::fixture("remcos/" + name + ".json"));
  return json::parse(in);
}

using sluice::testing::meta_all;

const Finding* finding(const ScanResult& r, std::string_view id) {
  for (const Finding& f : r.findings) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

ScanResult scan_fixture(const std::string& rel) {
  return testing::default_engine().scan(testing::read_file(testing::fixture(rel)), rel);
}

std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

TEST(Rc4, MatchesOpenSsl) {
  // OpenSSL (python3-cryptography) RC4 with key 01 02 03 04 05 over "hello".
  const std::vector<std::uint8_t> key{1, 2, 3, 4, 5};
  auto data = bytes_of("hello");
  Rc4 rc4(ByteView(key.data(), key.size()));
  rc4.apply(data);
  EXPECT_EQ(to_hex(data), "da5c0f699f");
}

class RemcosGeneration : public ::testing::TestWithParam<const char*> {};

TEST_P(RemcosGeneration, ConfigMatchesOracle) {
  const std::string name = GetParam();
  const json want = oracle(name);
  const ScanResult r = scan_fixture("remcos/" + name + ".exe");
  const Artifact& pe = r.tree[0];
  ASSERT_EQ(pe.type, FileType::pe_exe);
  EXPECT_EQ(pe.meta_string("family"), "remcos");
  EXPECT_EQ(pe.meta_string("remcos.generation"), want["generation"].get<std::string>());

  // Every expected field, and no field the oracle does not list.
  std::vector<std::string> expected_keys;
  for (const auto& kv : want["fields"]) {
    const std::string key = "remcos." + kv[0].get<std::string>();
    expected_keys.push_back(key);
    EXPECT_EQ(testing::meta_text(pe, key), kv[1].get<std::string>()) << key;
  }
  for (const Meta& m : pe.meta) {
    if (!m.key.starts_with("remcos.") || m.key == "remcos.generation" || m.key == "remcos.c2") continue;
    EXPECT_NE(std::find(expected_keys.begin(), expected_keys.end(), m.key), expected_keys.end())
        << "unexpected " << m.key;
  }

  // C2s in order, with the TLS flag; as IOCs once each, hosts by kind.
  std::vector<std::string> c2, ioc_c2, domains, ips;
  for (const auto& c : want["c2"]) {
    const std::string host = c["host"].get<std::string>();
    const std::string endpoint = host + ":" + std::to_string(c["port"].get<int>());
    c2.push_back(endpoint + (c["tls"].get<bool>() ? " tls" : ""));
    ioc_c2.push_back(endpoint);
    (host.find_first_not_of("0123456789.") == std::string::npos ? ips : domains).push_back(host);
  }
  EXPECT_EQ(meta_all(pe, "remcos.c2"), c2);
  EXPECT_EQ(meta_all(pe, "ioc.c2"), ioc_c2);
  EXPECT_EQ(meta_all(pe, "ioc.domain"), domains);
  EXPECT_EQ(meta_all(pe, "ioc.ip"), ips);

  const Finding* f = finding(r, "family.remcos");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->artifact, pe.id);
  EXPECT_EQ(r.verdict, Verdict::malicious) << r.score;
  std::vector<std::string> ev_c2;
  bool botnet = false, mutex = false;
  for (const auto& [k, v] : f->evidence) {
    if (k == "c2") ev_c2.push_back(v);
    if (k == "botnet") botnet = v == pe.meta_string("remcos.botnet");
    if (k == "mutex") mutex = v == pe.meta_string("remcos.mutex");
  }
  EXPECT_EQ(ev_c2, c2);
  EXPECT_TRUE(botnet);
  EXPECT_TRUE(mutex);
  EXPECT_EQ(finding(r, "family.remcos_strings"), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, RemcosGeneration,
                         ::testing::Values("gen_at", "gen_1e", "gen_pipe_1e1e1f", "gen_pipe_1f1e1e", "utf16"));

TEST(Remcos, LoaderOnlyGivesTheStringsFindingNotTheConfigOne) {
  const json want = oracle("loader_only");
  const ScanResult r = scan_fixture("remcos/loader_only.exe");
  const Artifact& pe = r.tree[0];
  EXPECT_EQ(pe.meta_string("family"), "");
  EXPECT_EQ(pe.meta_string("remcos.strings"), want["strings"].get<std::string>());
  EXPECT_NE(finding(r, "family.remcos_strings"), nullptr);
  EXPECT_EQ(finding(r, "family.remcos"), nullptr);
  // Strong but not proof on its own: a bare loader is suspicious, and in a mailed
  // image the delivery findings make it malicious without any config.
  EXPECT_EQ(r.verdict, Verdict::suspicious) << r.score;
}

TEST(Remcos, BenignSettingsResourceIsNotRemcos) {
  const ScanResult r = scan_fixture("remcos/benign_settings.exe");
  const Artifact& pe = r.tree[0];
  EXPECT_EQ(pe.meta_string("family"), "");
  EXPECT_EQ(meta_all(pe, "ioc.c2").size(), 0u);
  for (const Finding& f : r.findings) {
    EXPECT_FALSE(f.id.starts_with("family.") || f.id.starts_with("remcos.")) << f.id;
  }
  EXPECT_EQ(r.verdict, Verdict::clean) << r.score;
}

TEST(Remcos, TruncatedSettingsIsAnAnomalyNotACrash) {
  const ScanResult r = scan_fixture("remcos/truncated_settings.exe");
  EXPECT_NE(finding(r, "remcos.settings_malformed"), nullptr);
  EXPECT_EQ(finding(r, "family.remcos"), nullptr);
}

TEST(Remcos, EndToEndMailZipIsoExe) {
  const ScanResult r = scan_fixture("remcos/remcos_campaign.eml");
  EXPECT_EQ(r.tree[0].type, FileType::email);
  EXPECT_EQ(r.verdict, Verdict::malicious) << r.score;
  const Finding* f = finding(r, "family.remcos");
  ASSERT_NE(f, nullptr);
  const std::string path = r.tree.evidence_path(f->artifact);
  EXPECT_TRUE(path.ends_with("\"HAN_Alert.zip\" \u203a member[0] \"HAN_Alert.iso\" \u203a \"/HAN_Alert.exe\""))
      << path;
  EXPECT_EQ(meta_all(r.tree[f->artifact], "ioc.c2"),
            (std::vector<std::string>{"c2-e.example.invalid:2404", "c2-f.example.invalid:2405", "192.0.2.30:443"}));
  EXPECT_NE(finding(r, "container.executable_in_image"), nullptr);
}

// ---- hostile inputs straight into the parser ----

Limits small_limits() {
  Limits l;
  l.max_artifact_bytes = 4096;
  l.max_children = 3;
  return l;
}

TEST(RemcosHostile, DecryptRejectsImpossibleKeyLengths) {
  const Limits l = small_limits();
  LimitsBudget budget(l);
  for (std::string_view bad : {std::string_view{}, std::string_view("\x00" "ABC", 4),
                               std::string_view("\xff\x01\x02\x03", 4), std::string_view("\x05" "12345", 6)}) {
    auto r = remcos::decrypt_settings(ByteView::of(bad), budget);
    EXPECT_FALSE(r.has_value()) << bad.size();
  }
}

TEST(RemcosHostile, DecryptChargesTheBudget) {
  const Limits l = small_limits();
  LimitsBudget budget(l);
  std::string blob = "\x04" "key!";
  blob.append(1u << 20, '\x1e');  // 1 MiB of ciphertext, cap 4 KiB
  auto r = remcos::decrypt_settings(ByteView::of(blob), budget);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->size(), 4096u);
  EXPECT_TRUE(budget.capped());
}

TEST(RemcosHostile, SeparatorsOnlyIsNoConfig) {
  const Limits l = small_limits();
  for (std::string_view sep : {"|\x1e\x1e\x1f|", "|\x1f\x1e\x1e|", "@@", "\x1e"}) {
    std::string plain;
    for (int i = 0; i < 10; ++i) plain += sep;
    EXPECT_FALSE(remcos::parse_config(ByteView::of(plain), l).has_value());
  }
}

TEST(RemcosHostile, OneMebibyteOfSeparatorsIsBoundedAndNoConfig) {
  const Limits l = small_limits();
  std::string plain;
  while (plain.size() < (1u << 20)) plain += "|\x1e\x1e\x1f|";
  EXPECT_FALSE(remcos::parse_config(ByteView::of(plain), l).has_value());
  std::string ones(1u << 20, '\x1e');
  EXPECT_FALSE(remcos::parse_config(ByteView::of(ones), l).has_value());
}

TEST(RemcosHostile, HugeC2FieldOfOneSeparatorStaysLinear) {
  // "|" a million times and no 0x1E: each entry is empty, and the separator that
  // never occurs must not be searched for again per entry (10,000 x 1 MiB).
  const Limits l;  // default max_children
  const std::string plain = std::string(1u << 20, '|') + "|\x1e\x1e\x1f|bot|\x1e\x1e\x1f|1";
  EXPECT_FALSE(remcos::parse_config(ByteView::of(plain), l).has_value());
}

TEST(RemcosHostile, C2ListIsCutAtTheChildLimit) {
  const Limits l = small_limits();  // max_children = 3
  std::string c2;
  for (int i = 0; i < 10; ++i) c2 += "h" + std::to_string(i) + ".example.invalid:80:0\x1e";
  const std::string plain = c2 + "|\x1e\x1e\x1f|bot|\x1e\x1e\x1f|1";
  auto cfg = remcos::parse_config(ByteView::of(plain), l);
  ASSERT_TRUE(cfg.has_value());
  EXPECT_EQ(cfg->c2.size(), 3u);
  EXPECT_EQ(cfg->c2[2].host, "h2.example.invalid");
}

TEST(RemcosHostile, MalformedEntriesMeanNoConfig) {
  const Limits l = small_limits();
  for (std::string_view c2 : {"h.example.invalid:0:1", "h.example.invalid:65536:1", "h.example.invalid",
                              "h.exa mple.invalid:80:1", ":80:1", "h.example.invalid:8a:1"}) {
    const std::string plain = std::string(c2) + "|\x1e\x1e\x1f|bot|\x1e\x1e\x1f|1";
    EXPECT_FALSE(remcos::parse_config(ByteView::of(plain), l).has_value()) << c2;
  }
}

TEST(FieldText, Utf16AndAnsi) {
  const std::string cyr("\x3a\x04\x3b\x04\x4e\x04\x47\x04\x00\x00", 10);  // "ключ\0" UTF-16LE
  EXPECT_EQ(field_text(ByteView::of(cyr), 1024), "ключ");
  EXPECT_EQ(field_text(ByteView::of(std::string_view("a\0b\0", 4)), 1024), "ab");
  EXPECT_EQ(field_text(ByteView::of("Remcos\0"), 1024), "Remcos");
  // ANSI with a high byte stays bytes (U+FFFD for what is not UTF-8), even or odd length.
  EXPECT_EQ(field_text(ByteView::of("abc\xff"), 1024), "abc\xEF\xBF\xBD");
  EXPECT_EQ(field_text(ByteView::of("ab\xff"), 1024), "ab\xEF\xBF\xBD");
  EXPECT_EQ(field_text(ByteView::of("Donn\xc3\xa9" "es"), 1024), "Donn\xc3\xa9" "es");
  EXPECT_TRUE(is_ipv4_literal("192.0.2.1"));
  EXPECT_FALSE(is_ipv4_literal("192.0.2"));
  EXPECT_FALSE(is_ipv4_literal("192.0.2.256"));
  EXPECT_FALSE(is_ipv4_literal("1.2.3.4.example"));
}

}  // namespace
}  // namespace sluice::families
