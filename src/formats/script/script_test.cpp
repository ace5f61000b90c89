// Script tests. Fixtures come from tests/fixtures/make_script_fixtures.py:
// harmless scripts with dropper structure, VBE/JSE from an independent Python
// Script Encoder that is itself checked against a published ciphertext
// (binref refinery's doubly encoded JScript sample), and a message → ZIP → JS
// built with Python's zipfile and email packages.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <variant>

#include "core/sniff.hpp"
#include "formats/script/blobs.hpp"
#include "formats/script/screnc.hpp"
#include "formats/script/strings.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using testing::fixture;
using testing::has_finding;
using testing::read_file;

std::string file_text(const std::string& rel) {
  const auto b = read_file(fixture(rel));
  return std::string(b.begin(), b.end());
}

ScanResult scan_only(const std::string& rel) {
  return testing::engine_only({"script"}).scan(read_file(fixture(rel)), rel);
}

using testing::contains;
using testing::has_anomaly;
using testing::meta_all;

const Artifact* child(const ScanResult& r, ArtifactId parent, std::string_view locator) {
  for (ArtifactId c : r.tree[parent].children) {
    if (r.tree[c].locator == locator) return &r.tree[c];
  }
  return nullptr;
}

std::string bytes_of(const Artifact& a) { return std::string(a.bytes.chars()); }

// ---------------------------------------------------------------- screnc

TEST(Screnc, DecodesThePublishedDoublyEncodedSample) {
  const std::string outer = file_text("script/published_double.jse");
  const auto blocks = formats::script::decode_encoded_blocks(outer, 16, 1 << 20);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_TRUE(blocks[0].length_valid);
  EXPECT_EQ(blocks[0].declared_length, 308u);
  EXPECT_TRUE(blocks[0].terminated);
  EXPECT_TRUE(blocks[0].checksum_ok);
  const std::string plain(blocks[0].decoded.begin(), blocks[0].decoded.end());
  EXPECT_NE(plain.find("JScript.Encode"), std::string::npos) << plain;
  const auto inner = formats::script::decode_encoded_blocks(plain, 16, 1 << 20);
  ASSERT_EQ(inner.size(), 1u);
  EXPECT_TRUE(inner[0].checksum_ok);
  const std::string plain2(inner[0].decoded.begin(), inner[0].decoded.end());
  EXPECT_NE(plain2.find("var pic_obj = new Image();"), std::string::npos) << plain2;
}

TEST(Screnc, AgreesWithTheFixtureEncoder) {
  const auto blocks = formats::script::decode_encoded_blocks(file_text("script/dropper.vbe"), 16, 1 << 20);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_TRUE(blocks[0].checksum_ok);
  EXPECT_EQ(std::string(blocks[0].decoded.begin(), blocks[0].decoded.end()), file_text("script/dropper.vbs"));
}

TEST(Screnc, CapIsHonoured) {
  std::string deep = "#@~^" + std::string("AAAAAA==");
  deep += std::string(200'000, '@');  // "@@@@": not escapes, substituted as '@' itself
  for (int i = 0; i < 100'000; ++i) deep += "@&";
  const auto blocks = formats::script::decode_encoded_blocks(deep, 16, 1000);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_TRUE(blocks[0].capped);
  EXPECT_EQ(blocks[0].decoded.size(), 1000u);
  EXPECT_FALSE(blocks[0].terminated);
}

// ---------------------------------------------------------------- sniffing

FileType sniff(const std::string& rel) {
  const auto b = read_file(fixture(rel));
  return core::sniff(ByteView(b.data(), b.size()));
}

TEST(ScriptSniff, ByContentNotName) {
  EXPECT_EQ(sniff("script/dropper.js"), FileType::script_js);
  EXPECT_EQ(sniff("script/dropper.vbs"), FileType::script_vbs);
  EXPECT_EQ(sniff("script/dropper.vbe"), FileType::script_encoded);
  EXPECT_EQ(sniff("script/published_double.jse"), FileType::script_encoded);
  EXPECT_EQ(sniff("script/caret.bat"), FileType::script_bat);
  EXPECT_EQ(sniff("script/launcher.cmd"), FileType::script_bat);
  EXPECT_EQ(sniff("script/update.ps1"), FileType::script_ps1) << "UTF-16LE with BOM";
  EXPECT_EQ(sniff("script/invoice.hta"), FileType::script_hta);
  EXPECT_EQ(sniff("script/invoice.wsf"), FileType::script_wsf);
  EXPECT_EQ(sniff("script/base64_pe.js"), FileType::script_js)
      << "the WSH idiom comes after a 16 KB line";
  EXPECT_EQ(core::sniff(ByteView::of("Please set the table; dinner is at eight.\n")), FileType::text);
  EXPECT_EQ(core::sniff(ByteView::of("<html><body><script>var a = 1;</script></body></html>")), FileType::html);
}

// ---------------------------------------------------------------- unpacker

TEST(Script, JsDropperIndicatorsUrlAndReferences) {
  const ScanResult r = scan_only("script/dropper.js");
  const Artifact& a = r.tree[0];
  EXPECT_EQ(a.type, FileType::script_js);
  EXPECT_TRUE(has_finding(r, a.id, "script.download_cradle"));
  EXPECT_TRUE(has_finding(r, a.id, "script.lolbin"));
  EXPECT_TRUE(has_finding(r, a.id, "script.runs_program"));
  EXPECT_FALSE(has_finding(r, a.id, "script.obfuscated"));
  EXPECT_EQ(meta_all(a, "ioc.url"), std::vector<std::string>{"http://example.invalid/payload.exe"});
  EXPECT_TRUE(contains(meta_all(a, "script.references"), "payload.exe"));
  EXPECT_EQ(r.verdict, Verdict::malicious);
}

TEST(Script, VbeDecodesToAChildThatIsScannedAgain) {
  const ScanResult r = scan_only("script/dropper.vbe");
  const Artifact& a = r.tree[0];
  EXPECT_EQ(a.type, FileType::script_encoded);
  EXPECT_TRUE(has_anomaly(a, "script.encoded"));
  EXPECT_FALSE(has_anomaly(a, "script.encoded_bad_checksum"));
  const Artifact* vbs = child(r, 0, "encoded[0]");
  ASSERT_NE(vbs, nullptr);
  EXPECT_EQ(vbs->type, FileType::script_vbs);
  EXPECT_EQ(bytes_of(*vbs), file_text("script/dropper.vbs"));
  EXPECT_TRUE(has_finding(r, vbs->id, "script.download_cradle"));
  EXPECT_TRUE(has_finding(r, vbs->id, "script.lolbin")) << "mshta";
  EXPECT_TRUE(contains(meta_all(*vbs, "ioc.url"), "https://example.invalid/stage2.vbs"));
  EXPECT_TRUE(contains(meta_all(*vbs, "ioc.url"), "http://example.invalid/app.hta"));
}

TEST(Script, BadChecksumAndTruncatedBlocks) {
  const ScanResult bad = scan_only("script/bad_checksum.vbe");
  EXPECT_TRUE(has_anomaly(bad.tree[0], "script.encoded_bad_checksum"));
  ASSERT_NE(child(bad, 0, "encoded[0]"), nullptr) << "the text is still decoded and scanned";

  const ScanResult cut = scan_only("script/truncated.vbe");
  EXPECT_TRUE(has_anomaly(cut.tree[0], "script.encoded_malformed"));
  const Artifact* part = child(cut, 0, "encoded[0]");
  ASSERT_NE(part, nullptr);
  EXPECT_TRUE(part->truncated);
  EXPECT_TRUE(file_text("script/dropper.vbs").starts_with(bytes_of(*part)));
}

TEST(Script, PowershellEncodedCommandIsDecoded) {
  const ScanResult r = scan_only("script/launcher.cmd");
  const Artifact& a = r.tree[0];
  EXPECT_EQ(a.type, FileType::script_bat);
  EXPECT_TRUE(has_anomaly(a, "script.powershell_encoded_command"));
  EXPECT_TRUE(has_finding(r, a.id, "script.powershell_hidden"));
  EXPECT_TRUE(has_finding(r, a.id, "script.lolbin"));
  const Artifact* cmd = child(r, 0, "encoded-command[0]");
  ASSERT_NE(cmd, nullptr);
  EXPECT_EQ(bytes_of(*cmd), file_text("script/ps_command.txt"));
  // Plain text to the sniffer, PowerShell by where it came from: the fact the
  // script detector judges it by.
  EXPECT_EQ(cmd->type, FileType::text);
  EXPECT_EQ(testing::meta_text(*cmd, "script.language"), "ps1");
  EXPECT_EQ(testing::meta_text(a, "script.language"), "bat");
  EXPECT_TRUE(has_finding(r, cmd->id, "script.download_cradle"));
  EXPECT_TRUE(has_finding(r, cmd->id, "script.dynamic_code"));
  EXPECT_TRUE(contains(meta_all(*cmd, "ioc.url"), "http://example.invalid/a.ps1"));
}

TEST(Script, CaretObfuscatedBatch) {
  const ScanResult r = scan_only("script/caret.bat");
  const Artifact& a = r.tree[0];
  EXPECT_EQ(a.type, FileType::script_bat);
  EXPECT_TRUE(has_finding(r, a.id, "script.obfuscated"));
  EXPECT_TRUE(has_finding(r, a.id, "script.powershell_hidden")) << "p^o^w^e^r^s^h^e^l^l -n^o^p -w h^i^d^d^e^n";
  EXPECT_TRUE(has_finding(r, a.id, "script.download_cradle")) << "c^e^r^t^u^t^i^l -urlcache";
  EXPECT_TRUE(contains(meta_all(a, "script.references"), "invoice.exe"));
  EXPECT_TRUE(contains(meta_all(a, "ioc.url"), "http://example.invalid/invoice.exe"));
}

TEST(Script, Utf16PowershellScript) {
  const ScanResult r = scan_only("script/update.ps1");
  const Artifact& a = r.tree[0];
  EXPECT_EQ(a.type, FileType::script_ps1);
  EXPECT_EQ(testing::meta_text(a, "script.encoding"), "utf-16le");
  EXPECT_TRUE(has_finding(r, a.id, "script.download_cradle"));
  EXPECT_TRUE(has_finding(r, a.id, "script.powershell_hidden")) << "Start-Process -WindowStyle Hidden";
  EXPECT_TRUE(has_finding(r, a.id, "script.runs_program"));
  EXPECT_FALSE(has_finding(r, a.id, "script.lolbin")) << "a PowerShell script naming nothing else";
  EXPECT_TRUE(contains(meta_all(a, "ioc.url"), "http://example.invalid/update.exe"));
}

TEST(Script, HtaBlocksBecomeTypedChildren) {
  const ScanResult r = scan_only("script/invoice.hta");
  EXPECT_EQ(r.tree[0].type, FileType::script_hta);
  const Artifact* vbs = child(r, 0, "script[0]");
  const Artifact* js = child(r, 0, "script[1]");
  ASSERT_NE(vbs, nullptr);
  ASSERT_NE(js, nullptr);
  EXPECT_EQ(vbs->type, FileType::script_vbs);
  EXPECT_EQ(js->type, FileType::script_js);
  EXPECT_TRUE(has_finding(r, vbs->id, "script.powershell_hidden"));
  EXPECT_TRUE(has_finding(r, vbs->id, "script.download_cradle")) << "iwr inside a doubled-quote VBScript string";
  EXPECT_FALSE(has_finding(r, js->id, "script.download_cradle"));
  EXPECT_TRUE(has_finding(r, "script.lolbin"));
}

TEST(Script, WsfBlocksIncludingAnEncodedOne) {
  const ScanResult r = scan_only("script/invoice.wsf");
  EXPECT_EQ(r.tree[0].type, FileType::script_wsf);
  const Artifact* js = child(r, 0, "script[0]");
  const Artifact* enc = child(r, 0, "script[1]");
  ASSERT_NE(js, nullptr);
  ASSERT_NE(enc, nullptr);
  EXPECT_EQ(js->type, FileType::script_js);
  ASSERT_TRUE(has_finding(r, js->id, "script.lolbin"));
  for (const auto& f : r.findings) {
    if (f.id == "script.lolbin" && f.artifact == js->id) {
      EXPECT_NE(f.message.find("Squiblydoo"), std::string::npos) << f.message;
    }
  }
  EXPECT_EQ(enc->type, FileType::script_encoded);
  const Artifact* inner = child(r, enc->id, "encoded[0]");
  ASSERT_NE(inner, nullptr);
  EXPECT_EQ(bytes_of(*inner), file_text("script/wsf_inner.vbs"));
  EXPECT_TRUE(contains(meta_all(*inner, "script.references"), "helper.dll"));
  EXPECT_EQ(r.tree[0].children.size(), 2u) << "the container's encoded block is read once, through its block";
}

TEST(Script, Base64PayloadBecomesAChild) {
  const ScanResult r = testing::default_engine().scan(read_file(fixture("script/base64_pe.js")), "base64_pe.js");
  const Artifact* pe = child(r, 0, "base64[0]");
  ASSERT_NE(pe, nullptr);
  EXPECT_EQ(pe->type, FileType::pe_dll);
  EXPECT_EQ(testing::sha256_hex(std::vector<std::uint8_t>(pe->bytes.data(), pe->bytes.data() + pe->bytes.size())),
            testing::sha256_hex(read_file(fixture("pe/payload.dll"))));
  EXPECT_TRUE(has_anomaly(r.tree[0], "script.embedded_payload"));
}

TEST(Script, ObfuscatedJs) {
  const ScanResult r = scan_only("script/obfuscated.js");
  EXPECT_TRUE(has_finding(r, 0, "script.obfuscated"));
  EXPECT_TRUE(has_finding(r, 0, "script.dynamic_code"));
}

TEST(Script, BenignBatchIsQuiet) {
  const ScanResult r = scan_only("script/backup.bat");
  EXPECT_EQ(r.tree[0].type, FileType::script_bat);
  for (const auto& f : r.findings) EXPECT_FALSE(f.id.starts_with("script.")) << f.id << ": " << f.message;
  EXPECT_TRUE(meta_all(r.tree[0], "ioc.url").empty());
}

TEST(Script, MessageZipJsRunningTheDllBesideIt) {
  const ScanResult r = testing::default_engine().scan(read_file(fixture("script/sibling_zip.eml")), "sibling_zip.eml");
  EXPECT_EQ(r.verdict, Verdict::malicious) << r.score;
  const Finding* hit = nullptr;
  for (const auto& f : r.findings) {
    if (f.id == "script.runs_sibling") hit = &f;
  }
  ASSERT_NE(hit, nullptr);
  EXPECT_TRUE(r.tree.evidence_path(hit->artifact).ends_with("\"Invoice.js\"")) << r.tree.evidence_path(hit->artifact);
  EXPECT_TRUE(has_finding(r, "script.lolbin"));
}

// ---------------------------------------------------------------- hostile

TEST(ScriptHostile, TenMegabytesOfCarets) {
  std::string bat = "@echo off\r\n" + std::string(10u << 20, '^') + "\r\n";
  const ScanResult r = testing::engine_only({"script"}).scan(ByteView::of(bat), "carets.bat");
  EXPECT_EQ(r.tree[0].type, FileType::script_bat);
  EXPECT_FALSE(r.error.has_value());
}

TEST(ScriptHostile, HugeLineAndManyDots) {
  std::string js = "var sh = WScript.CreateObject(\"WScript.Shell\");\n";
  js += "x";
  for (int i = 0; i < 500'000; ++i) js += ".exe";  // every dot ends a name that walks back 255 bytes
  js += "\n" + std::string(4u << 20, 'x');
  const ScanResult r = testing::engine_only({"script"}).scan(ByteView::of(js), "line.js");
  EXPECT_EQ(r.tree[0].type, FileType::script_js);
  EXPECT_LE(meta_all(r.tree[0], "script.references").size(), 10'000u) << "bounded by max_children";
}

TEST(ScriptHostile, MalformedEncodedHeaders) {
  // A length that is not base64, a header cut short, and many headers without an end.
  std::string t = "#@~^!!!!!!==abc==^#~@ #@~^AAAA";
  for (int i = 0; i < 50'000; ++i) t += "#@~^AAAAAA==";
  const ScanResult r = testing::engine_only({"script"}).scan(ByteView::of(t), "x.vbe", {.root_type = FileType::script_encoded});
  EXPECT_TRUE(has_anomaly(r.tree[0], "script.encoded_malformed"));
  EXPECT_LE(r.tree[0].children.size(), 10'000u);
}

TEST(ScriptHostile, DecodingIsChargedToTheBudget) {
  Limits l;
  l.max_total_bytes = 64;
  std::string vbe = file_text("script/dropper.vbe");
  const ScanResult r = testing::engine_with(l).scan(ByteView::of(vbe), "dropper.vbe");
  EXPECT_FALSE(r.tree.limits_hit.empty());
  const Artifact* part = child(r, 0, "encoded[0]");
  ASSERT_NE(part, nullptr);
  EXPECT_LE(part->bytes.size(), 64u);
  EXPECT_TRUE(part->truncated);
}

TEST(ScriptStrings, UrlAndReferenceEdges) {
  using formats::script::find_file_references;
  using formats::script::find_urls;
  const auto urls = find_urls("x('http://a.invalid/p.exe'); see https://b.invalid/q).", 10, 1024);
  EXPECT_EQ(urls, (std::vector<std::string>{"http://a.invalid/p.exe", "https://b.invalid/q"}));
  const auto refs = find_file_references("start C:\\Temp\\Run.EXE & rundll32 x.dll,Go http://h.invalid/y.com", 10, 1024);
  EXPECT_TRUE(contains(refs, "Run.EXE"));
  EXPECT_TRUE(contains(refs, "x.dll"));
  EXPECT_FALSE(contains(refs, "h.invalid/y.com"));
}

TEST(ScriptStrings, EncodedCommandNeedsItsSwitch) {
  using formats::script::find_base64_runs;
  const auto runs = find_base64_runs("powershell -eNc SQBFAFgAIAAkAHgA and -x SQBFAFgAIAAkAHgA", 64, 16, 10);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_TRUE(runs[0].encoded_command);
}

}  // namespace
}  // namespace sluice
