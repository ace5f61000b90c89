// Mail bodies as text: charsets → UTF-8 (oracle: Python's email get_content(),
// recorded in tests/fixtures/mail/text/expected.json by make_text_mail.py),
// HTML → text, URL extraction, link/text mismatch, message/partial.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/passwords.hpp"
#include "codecs/text/charset.hpp"
#include "codecs/text/html.hpp"
#include "codecs/text/urls.hpp"
#include "inputs.hpp"
#include "test_support.hpp"

namespace sluice::formats::mime {

using codecs::text::HtmlText;
using codecs::text::html_to_text;
using codecs::text::iconv_charset_name;
using codecs::text::url_host;
using codecs::text::UrlSet;
using codecs::text::find_urls;
using codecs::text::same_site;
using codecs::text::Utf8Text;
using codecs::text::to_utf8;
namespace {

using sluice::testing::corpora;
using sluice::testing::default_engine;
using sluice::testing::fixture;
using sluice::testing::read_file;
using sluice::testing::sha256_hex;

nlohmann::json expected() {
  std::ifstream in(fixture("mail/text/expected.json"));
  return nlohmann::json::parse(in);
}

ScanResult scan_bytes(const std::string& text, std::optional<FileType> root = FileType::email) {
  ScanOptions opt;
  opt.root_type = root;
  return default_engine().scan(std::vector<std::uint8_t>(text.begin(), text.end()), "t.eml", opt);
}

const Artifact* find(const ScanResult& r, ArtifactId parent, std::string_view locator) {
  for (const auto& a : r.tree) {
    if (a.parent == parent && a.locator == locator) return &a;
  }
  return nullptr;
}

using sluice::testing::contains;
using sluice::testing::has_anomaly;
using sluice::testing::meta_all;

// ---------------------------------------------------------------- charsets

TEST(MimeText, CharsetsMatchPython) {
  const auto want = expected();
  int checked = 0;
  for (const auto& [file, parts] : want.items()) {
    if (!file.starts_with("cs_")) continue;
    SCOPED_TRACE(file);
    const ScanResult r = default_engine().scan(read_file(fixture("mail/text/" + file)), file);
    const Artifact* p = find(r, 0, "part[1]");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(std::string(p->readable_text()), parts.at("part[1]").get<std::string>());
    // The part's bytes stay the transfer-decoded bytes (hashes as Python's payload).
    EXPECT_EQ(has_anomaly(*p, "mime.unknown_charset"), file == "cs_unknown.eml");
    EXPECT_EQ(meta_all(*p, "ioc.url").size(), 1u);
    ++checked;
  }
  EXPECT_EQ(checked, 10);
}

TEST(MimeText, CharsetLabelsAndBounds) {
  EXPECT_EQ(iconv_charset_name("UTF8"), "UTF-8");
  EXPECT_EQ(iconv_charset_name("\"gb2312\""), "GB18030");
  EXPECT_EQ(iconv_charset_name("ks_c_5601-1987"), "CP949");
  EXPECT_EQ(iconv_charset_name("Shift_JIS"), "CP932");
  EXPECT_EQ(iconv_charset_name("latin1"), "ISO-8859-1");
  EXPECT_EQ(iconv_charset_name("utf-8//TRANSLIT"), "");  // never reaches iconv_open
  EXPECT_EQ(iconv_charset_name("unknown-8bit"), "");
  // Invalid sequences become U+FFFD, one per refused byte, never dropped.
  Utf8Text t = to_utf8("utf-8", "a\xff" "b", 100);
  EXPECT_EQ(t.text, "a\xEF\xBF\xBD" "b");
  EXPECT_TRUE(t.replaced);
  t = to_utf8("koi8-r", "\xf0\xc1", 100);
  EXPECT_EQ(t.text, "\xD0\x9F\xD0\xB0");  // "Па"
  t = to_utf8("shift_jis", "A\x82", 100);  // a lead byte cut off at the end
  EXPECT_EQ(t.text, "A\xEF\xBF\xBD");
  t = to_utf8("x-nonsense", "abc", 100);
  EXPECT_FALSE(t.known);
  EXPECT_EQ(t.text, "abc");
  // The output never passes its bound and stays valid UTF-8 when cut.
  t = to_utf8("koi8-r", std::string(1000, '\xf0'), 11);
  EXPECT_TRUE(t.capped);
  EXPECT_LE(t.text.size(), 11u);
  EXPECT_EQ(t.text.size() % 2, 0u);
}

// ASCII text under a Latin, Cyrillic or Windows label is taken as it is,
// without opening a converter: it must be exactly what glibc's converter
// gives for every byte below 0x80, and non-ASCII text still goes through it.
TEST(MimeText, AsciiUnderASingleByteLabelDecodesAsIconvWould) {
  std::string ascii;
  for (int c = 0; c < 0x80; ++c) ascii.push_back(static_cast<char>(c));
  for (const char* label : {"iso-8859-1", "ISO-8859-2", "latin1", "iso-8859-15", "iso-8859-16", "windows-1252",
                            "cp1251", "windows-1255", "Windows-1258", "koi8-r", "KOI8U"}) {
    SCOPED_TRACE(label);
    const std::string cs = iconv_charset_name(label);
    iconv_t cd = iconv_open("UTF-8", cs.c_str());
    ASSERT_NE(cd, reinterpret_cast<iconv_t>(-1)) << cs;
    std::string want(4 * ascii.size(), '\0');
    char* in = ascii.data();
    std::size_t in_left = ascii.size();
    char* out = want.data();
    std::size_t out_left = want.size();
    ASSERT_NE(iconv(cd, &in, &in_left, &out, &out_left), static_cast<std::size_t>(-1));
    ASSERT_NE(iconv(cd, nullptr, nullptr, &out, &out_left), static_cast<std::size_t>(-1));  // the end
    iconv_close(cd);
    want.resize(want.size() - out_left);
    const Utf8Text t = to_utf8(label, ascii, 1000);
    EXPECT_EQ(t.text, want);
    EXPECT_TRUE(t.known);
    EXPECT_FALSE(t.replaced);
    EXPECT_FALSE(t.capped);
    const Utf8Text cut = to_utf8(label, ascii, 100);
    EXPECT_EQ(cut.text, want.substr(0, 100));
    EXPECT_TRUE(cut.capped);
  }
  // One byte above ASCII and the converter decides: "caf\xe9" is café in Latin-1, "cafй" in KOI8-R.
  EXPECT_EQ(to_utf8("iso-8859-1", "caf\xe9", 100).text, "caf\xC3\xA9");
  EXPECT_EQ(to_utf8("koi8-r", "caf\xca", 100).text, "caf\xD0\xB9");
  // Vietnamese and Hebrew decoders hold each letter back for a combining mark
  // that may follow: the last one is not lost at the end of the text.
  EXPECT_EQ(to_utf8("windows-1258", "Vi\xEA", 100).text, "Vi\xC3\xAA");
  EXPECT_EQ(to_utf8("windows-1255", "\xF9\xEC\xE5\xED", 100).text, "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D");
  // A label outside the list still goes to its converter: UTF-16 is never taken as ASCII.
  const Utf8Text utf16 = to_utf8("utf-16le", std::string("a\0b\0", 4), 100);
  EXPECT_EQ(utf16.text, "ab");
}

TEST(MimeText, PasswordsComeFromDecodedCharsetText) {
  const std::string msg =
      "From: a@example.com\nTo: b@example.com\nSubject: s\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
      "Content-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: 8bit\n\n"
      "\xf0\xc1\xd2\xcf\xcc\xd8\x3a\x20\xcb\xcc\xc0\xde\x37\x37\n--b\n"
      "Content-Type: application/octet-stream; name=x.bin\n\nxx\n--b--\n";
  const ScanResult r = scan_bytes(msg);
  const Artifact* att = find(r, 0, "part[2]");
  ASSERT_NE(att, nullptr);
  const auto c = core::password_candidates(r.tree, att->id);
  // "ключ77" exists only once the KOI8-R bytes are read as KOI8-R.
  EXPECT_TRUE(contains(c, "\xD0\xBA\xD0\xBB\xD1\x8E\xD1\x87" "77"));
}

// ---------------------------------------------------------------- HTML

TEST(MimeText, HtmlTokenizerDropsScriptStyleCommentsAndDecodesEntities) {
  const HtmlText h = html_to_text(
      "<html><head><STYLE>x{}</style><script>var a='</b>';</SCRIPT ></head>"
      "<body><!-- hidden comment --><p>One&nbsp;&amp;&#x41;&#66;&copy &unknown; a &lt; b</p>"
      "<div>Two<br/>Three</div>x < y <td>c1</td><td>c2</td>"
      "<a href=\" https://Example.COM/a \" title='t'>link <b>text</b></a>"
      "<img SRC=https://img.example.net/i.png><a href='#top'>top</a><a href=mailto:x@y.z>m</a>",
      1 << 20, 100);
  // Block tags end lines (at most one blank line between blocks); cells separate words.
  EXPECT_TRUE(h.text.starts_with("One &AB\xC2\xA9 &unknown; a < b\n\nTwo\nThree\nx < y")) << h.text;
  EXPECT_EQ(h.text.find("var a"), std::string::npos);
  EXPECT_EQ(h.text.find("x{}"), std::string::npos);
  EXPECT_EQ(h.text.find("hidden comment"), std::string::npos);
  EXPECT_NE(h.text.find("c1 c2"), std::string::npos);
  ASSERT_EQ(h.links.size(), 3u);  // '#top' is no link out
  EXPECT_EQ(h.links[0].url, "https://Example.COM/a");
  EXPECT_TRUE(h.links[0].anchor);
  EXPECT_EQ(h.links[0].text, "link text");
  EXPECT_EQ(h.links[1].attribute, "src");
  EXPECT_EQ(h.links[2].url, "mailto:x@y.z");
}

TEST(MimeText, HtmlHostileShapesStayBounded) {
  // Unclosed comment, script, tag and quote: each ends at the input's end.
  EXPECT_EQ(html_to_text("a<!-- b", 100, 10).text, "a");
  EXPECT_EQ(html_to_text("a<script>b", 100, 10).text, "a");
  EXPECT_EQ(html_to_text("a<div title=\"b>c", 100, 10).text, "a");
  // A million nested hidden elements: a counter, not a stack.
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<span style=\"display:none\">";
  deep += "secret";
  const HtmlText h = html_to_text(deep, 1 << 20, 10);
  EXPECT_EQ(h.text, "");
  EXPECT_EQ(h.hidden_chars, 6u);
  // Text and links are capped by the caller's bounds.
  const HtmlText c = html_to_text(std::string(5000, 'x') + "<a href=http://a.example/>1</a><a href=http://b.example/>2</a>", 100, 1);
  EXPECT_TRUE(c.capped);
  EXPECT_EQ(c.text.size(), 100u);
  EXPECT_EQ(c.links.size(), 1u);
  EXPECT_TRUE(c.links_limited);
  // Numeric references past U+10FFFF and NUL become U+FFFD.
  EXPECT_EQ(html_to_text("&#99999999999;&#0;", 100, 1).text, "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(MimeText, HtmlFixtureTextLinksAndFindings) {
  const ScanResult r = default_engine().scan(read_file(fixture("mail/text/html_lure.eml")), "html_lure.eml");
  const Artifact* html = find(r, 0, "part[2]");
  ASSERT_NE(html, nullptr);
  const std::string text(html->readable_text());
  EXPECT_NE(text.find("Dear customer, your loan is ready\xE2\x80\xA6 Fish & Chips <3 \xE2\x82\xAC" "5 \xE2\x98\xBA"),
            std::string::npos) << text;
  for (const char* gone : {"SCRIPT-TEXT", "STYLE-TEXT", "COMMENT-TEXT", "HIDDEN-TEXT", "<p>"}) {
    EXPECT_EQ(text.find(gone), std::string::npos) << gone;
  }
  // The bytes are still the HTML Python decodes (hash-equal payload).
  EXPECT_EQ(std::string(html->bytes.chars()), expected()["html_lure.eml"]["part[2]"].get<std::string>());
  const auto urls = meta_all(*html, "ioc.url");
  for (const char* u : {"http://sba-loans-gov.example.com/apply?id=7", "https://www.example.org/faq",
                        "https://tracker.example.net/p.gif", "https://collect.example.net/post",
                        "https://www.sba.gov/apply", "http://www.example.org/faq"}) {
    EXPECT_TRUE(contains(urls, u)) << u;
  }
  EXPECT_FALSE(contains(urls, "http://comment.example/"));
  EXPECT_TRUE(has_anomaly(*html, "html.link_text_mismatch"));
  EXPECT_TRUE(has_anomaly(*html, "html.hidden_text"));
  // "Password: <b>Lo&#97;n2020</b>" reaches the harvester decoded.
  const Artifact* plain = find(r, 0, "part[1]");
  ASSERT_NE(plain, nullptr);
  EXPECT_TRUE(contains(core::password_candidates(r.tree, plain->id), "Loan2020"));
}

TEST(MimeText, LinkTextMismatchOnlyWhenTheShownSiteDiffers) {
  auto mail = [](const std::string& html) {
    return "From: a@example.com\nTo: b@example.com\nSubject: s\nMIME-Version: 1.0\n"
           "Content-Type: text/html; charset=utf-8\n\n" + html + "\n";
  };
  auto mismatch = [&](const std::string& html) {
    const ScanResult r = scan_bytes(mail(html));
    const Artifact* p = find(r, 0, "part[1]");
    return p != nullptr && has_anomaly(*p, "html.link_text_mismatch");
  };
  EXPECT_TRUE(mismatch("<a href=\"http://evil.example/x\">https://sba.gov</a>"));
  EXPECT_TRUE(mismatch("<a href=\"http://evil.example/x\">paypal.com</a>"));
  EXPECT_TRUE(mismatch("<a href=\"https://sba.gov@evil.example/\">https://sba.gov/</a>"));
  EXPECT_FALSE(mismatch("<a href=\"https://click.example.com/t?u=1\">www.example.com</a>"));
  EXPECT_FALSE(mismatch("<a href=\"https://www.sba.gov/apply\">sba.gov</a>"));
  EXPECT_FALSE(mismatch("<a href=\"http://evil.example/x\">Click here to read more</a>"));
  EXPECT_FALSE(mismatch("<a href=\"mailto:x@evil.example\">https://sba.gov</a>"));
  // Gateways that rewrite links (ham/mimekit/messages/bounce.txt has Proofpoint's).
  EXPECT_FALSE(mismatch("<a href=\"https://urldefense.proofpoint.com/v2/url?u=x\">https://sba.gov/</a>"));
  EXPECT_FALSE(mismatch("<a href=\"https://eur01.safelinks.protection.outlook.com/?url=x\">sba.gov</a>"));
}

// ---------------------------------------------------------------- URLs

TEST(MimeText, UrlsAreFoundTrimmedAndNormalised) {
  UrlSet s(100);
  find_urls("See HTTP://WWW.Example.COM./a?b=1. Or (https://x.example/p_(q)) or www.bare.example/x, "
            "not xhttp://no.example nor mailto:me@x.example; ftp://files.example/f.zip! "
            "https://user:pw@host.example:8080/p again HTTP://www.example.com/a?b=1 http:// http://nodot/",
            s);
  const std::vector<std::string> want = {"http://www.example.com/a?b=1", "https://x.example/p_(q)",
                                         "http://www.bare.example/x", "ftp://files.example/f.zip",
                                         "https://user:pw@host.example:8080/p"};
  EXPECT_EQ(s.urls(), want);
  EXPECT_EQ(url_host("https://user:pw@host.example:8080/p"), "host.example");
  EXPECT_EQ(url_host("https://sba.gov@evil.example/"), "evil.example");
  EXPECT_TRUE(same_site("www.example.com", "click.example.com"));
  EXPECT_TRUE(same_site("example.com", "click.example.com"));
  EXPECT_TRUE(same_site("www.sba.gov", "sba.gov"));
  EXPECT_FALSE(same_site("sba.gov", "sba.gov.evil.example"));
  UrlSet few(2);
  EXPECT_FALSE(find_urls("http://a.example http://b.example http://a.example http://c.example", few));
  EXPECT_EQ(few.urls().size(), 2u);
  EXPECT_TRUE(few.limited());
}

// The scan find_urls replaced: every letter that could begin "http", "ftp"
// or "www" tested in turn. Kept as the oracle for the anchored scan.
std::vector<std::string> urls_letter_by_letter(std::string_view text) {
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  auto starts_ci = [](std::string_view s, std::string_view p) {
    if (s.size() < p.size()) return false;
    for (std::size_t k = 0; k < p.size(); ++k) {
      if (std::tolower(static_cast<unsigned char>(s[k])) != p[k]) return false;
    }
    return true;
  };
  auto url_char = [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return !(u <= 0x20 || u == 0x7F) && std::string_view("<>\"'`{}|\\^").find(c) == std::string_view::npos;
  };
  auto punct = [](char c) { return std::string_view(".,;:!?)]*").find(c) != std::string_view::npos; };
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    const bool boundary = i == 0 || !(alnum(text[i - 1]) || text[i - 1] == '.' || text[i - 1] == '-');
    const std::string_view at = text.substr(i);
    if (!boundary || !(starts_ci(at, "www.") || starts_ci(at, "http://") || starts_ci(at, "https://") ||
                       starts_ci(at, "ftp://"))) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && url_char(text[end])) ++end;
    std::string_view raw = text.substr(i, end - i);
    const auto opens = std::count(raw.begin(), raw.end(), '(');
    auto closes = std::count(raw.begin(), raw.end(), ')');
    while (!raw.empty() && punct(raw.back())) {
      if (raw.back() == ')') {
        if (closes <= opens) break;
        --closes;
      }
      raw.remove_suffix(1);
    }
    i = end;
    std::string url = codecs::text::normalise_url(raw);
    if (!url.empty() && std::find(out.begin(), out.end(), url) == out.end()) out.push_back(std::move(url));
  }
  return out;
}

TEST(MimeText, UrlScanAgreesWithTheLetterByLetterScan) {
  std::vector<std::string> texts = {
      "", "w", "ww.", "www.", "www.x.y", ":", "://", "p://", "ttp://a.b", "http://a.b", "xhttp://a.b http://c.d",
      "ftp://a.b/https://c.d www.e.f", "wwww.a.b www.www.a.b", "-www.a.b .http://a.b (http://a.b)",
      "HtTpS://A.B/(c)) Www.X.Y:80/p?q#r", "http://http://a.b", "https://x.example/p_(q)) www.",
      "a:// b:// c://d.e"};
  // Random text over the letters and punctuation the scan cares about.
  std::uint32_t seed = 12345;
  const std::string_view alphabet = "htpsfwHTPSFW:/.-() ,x1\n";
  for (int n = 0; n < 3000; ++n) {
    std::string t;
    const std::size_t len = 1 + (seed % 97);
    for (std::size_t k = 0; k < len; ++k) {
      seed = seed * 1664525u + 1013904223u;
      t.push_back(alphabet[(seed >> 16) % alphabet.size()]);
    }
    texts.push_back(std::move(t));
  }
  // Real mail: the SpamAssassin ham, headers and bodies as they are.
  if (!corpora().empty()) {
    const auto dir = corpora() / "ham/spamassassin-corpus/easy-ham-1";
    std::size_t taken = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (++taken > 400) break;
      const auto bytes = read_file(e.path());
      texts.emplace_back(bytes.begin(), bytes.end());
    }
  }
  for (const std::string& t : texts) {
    UrlSet s(1 << 20);
    find_urls(t, s);
    EXPECT_EQ(s.urls(), urls_letter_by_letter(t)) << t.substr(0, 200);
  }
}

TEST(MimeText, TooManyUrlsIsALimitHit) {
  Config cfg = *default_config();
  cfg.limits.max_children = 5;
  auto engine = Engine::create(std::move(cfg));
  ASSERT_TRUE(engine);
  std::string body;
  for (int i = 0; i < 20; ++i) body += "http://h" + std::to_string(i) + ".example/\n";
  const std::string msg = "From: a@example.com\nTo: b@example.com\nSubject: s\n\n" + body;
  ScanOptions opt;
  opt.root_type = FileType::email;
  const ScanResult r = engine->scan(std::vector<std::uint8_t>(msg.begin(), msg.end()), "t.eml", opt);
  const Artifact* p = find(r, 0, "part[1]");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(meta_all(*p, "ioc.url").size(), 5u);
  EXPECT_FALSE(r.tree.limits_hit.empty());
}

// ---------------------------------------------------------------- message/partial

TEST(MimeText, PartialFragmentsInOneMboxAreReassembled) {
  const auto bytes = read_file(fixture("mail/text/partial.mbox"));
  ScanOptions opt;
  opt.root_type = FileType::mbox;
  const ScanResult r = default_engine().scan(std::vector<std::uint8_t>(bytes), "partial.mbox", opt);
  const Artifact* whole = find(r, 0, "partial[1]");
  ASSERT_NE(whole, nullptr);
  EXPECT_EQ(to_hex(whole->hashes.sha256), expected()["partial.mbox"]["whole_sha256"].get<std::string>());
  EXPECT_EQ(whole->type, FileType::email);
  EXPECT_FALSE(whole->truncated);
  int fragments = 0;
  for (const auto& a : r.tree) fragments += has_anomaly(a, "mime.message_partial") ? 1 : 0;
  EXPECT_EQ(fragments, 2);
  // The attachment inside the reassembled message is scanned.
  bool payload = false;
  for (const auto& a : r.tree) payload |= a.display_name() == "payload.bin";
  EXPECT_TRUE(payload);

  // The CLI's per-message split names each message and adds the whole.
  const auto entries = cli::split_mailbox("box", ByteView(bytes.data(), bytes.size()), 100);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].name, "box#1");
  EXPECT_EQ(entries[2].name, "box#3");
  EXPECT_EQ(entries[3].name, "box#partial[1]");
  EXPECT_EQ(entries[3].view().size(), whole->bytes.size());
  EXPECT_TRUE(cli::split_mailbox("box", ByteView(bytes.data(), bytes.size()), 2).empty());
}

// MimeKit's test data holds a photo split over three mails and MimeKit's own
// reassembly of them (message-partial.eml): put into one mbox out of order,
// the fragments must join to exactly those bytes.
TEST(MimeText, PartialReassemblyMatchesMimeKit) {
  if (corpora().empty()) SLUICE_SKIP_UNLESS_CI() << "../shared/corpora is absent";
  const auto dir = corpora() / "ham/mimekit/partial";
  std::vector<std::uint8_t> box;
  for (const char* f : {"message-partial.2.eml", "message-partial.0.eml", "message-partial.1.eml"}) {
    const std::string from = "From x@example.com Tue Mar 28 18:40:37 2017\n";
    box.insert(box.end(), from.begin(), from.end());
    const auto part = read_file(dir / f);
    box.insert(box.end(), part.begin(), part.end());
    box.push_back('\n');
  }
  ScanOptions opt;
  opt.root_type = FileType::mbox;
  const ScanResult r = default_engine().scan(std::move(box), "photo.mbox", opt);
  const Artifact* whole = find(r, 0, "partial[1]");
  ASSERT_NE(whole, nullptr);
  EXPECT_EQ(to_hex(whole->hashes.sha256), sha256_hex(read_file(dir / "message-partial.eml")));
  bool jpeg = false;
  for (const auto& a : r.tree) jpeg |= a.display_name() == "earrings.jpg" && a.type == FileType::jpeg;
  EXPECT_TRUE(jpeg);
}

TEST(MimeText, IncompleteOrLyingPartialSetsAreOnlyReported) {
  auto frag = [](const std::string& params, const std::string& body) {
    return "From x@example.com Tue Apr 14 09:30:00 2020\nFrom: a@example.com\nSubject: p\n"
           "Content-Type: message/partial; " + params + "\n\n" + body + "\n";
  };
  ScanOptions opt;
  opt.root_type = FileType::mbox;
  for (const std::string& box :
       {frag("id=a; number=1; total=3", "x") + frag("id=a; number=3; total=3", "z"),
        frag("id=b; number=1; total=4000000000", "x") + frag("id=b; number=2", "y"),
        frag("id=c; number=1; total=2", "x") + frag("id=c; number=1; total=2", "x"),
        frag("number=1; total=1", "x")}) {
    const ScanResult r = default_engine().scan(std::vector<std::uint8_t>(box.begin(), box.end()), "b", opt);
    EXPECT_EQ(find(r, 0, "partial[1]"), nullptr) << box;
    bool reported = false;
    for (const auto& a : r.tree) reported |= has_anomaly(a, "mime.message_partial");
    EXPECT_TRUE(reported) << box;
  }
}

}  // namespace
}  // namespace sluice::formats::mime
