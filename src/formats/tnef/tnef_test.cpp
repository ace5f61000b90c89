// TNEF tests. Oracle: MimeKit's expected output folders (tnef/mimekit/<name>/ and
// <name>.list, written by MimeKit's own TNEF reader) read in place from
// ../shared/corpora; tnefparse's and ClamAV's examples for damage and payloads;
// hand-built streams for every hostile path.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "codecs/mapi/lzfu.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;
using testing::has_anomaly;
using testing::has_finding;
using testing::read_file;

ScanResult scan_tnef(Bytes bytes, const Limits* limits = nullptr) {
  static const auto kTnef = std::vector<std::string>{"tnef"};
  ScanOptions o;
  o.root_type = FileType::tnef;
  return testing::engine_only(kTnef, limits).scan(std::move(bytes), "winmail.dat", o);
}

// The corpus snapshot stored MimeKit's expected text files with LF line ends
// (git's text normalisation); TNEF carries CRLF. Text compares after folding.
Bytes fold_crlf(ByteView b) {
  Bytes out;
  out.reserve(b.size());
  for (std::size_t i = 0; i < b.size(); ++i) {
    std::uint8_t c = 0, n = 0;
    (void)b.byte_at(i, c);
    if (c == '\r' && b.byte_at(i + 1, n) && n == '\n') continue;
    out.push_back(c);
  }
  return out;
}

bool same_content(ByteView got, const Bytes& want) {
  if (got.size() == want.size() && std::equal(want.begin(), want.end(), got.data())) return true;
  return fold_crlf(got) == fold_crlf(ByteView(want.data(), want.size()));
}

// Expected disagreement (MAPI_OBJECT.tnef, winmail.tnef): for an OLE-storage
// PidTagAttachDataObject MimeKit keeps the 16-byte interface ID in front of the
// compound file; we drop it so the child is an OLE2 file that sniffs as one.
constexpr std::uint8_t kIidIStorage[16] = {0x0B, 0, 0, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46};
bool same_object(ByteView got, const Bytes& want) {
  if (want.size() < 16 || !std::equal(kIidIStorage, kIidIStorage + 16, want.begin())) return false;
  return got.size() == want.size() - 16 && std::equal(want.begin() + 16, want.end(), got.data());
}

std::vector<std::string> lines_of(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (!l.empty()) out.push_back(l);
  }
  return out;
}

// Every file MimeKit extracted is one of our children, byte for byte (the body
// as message.rtf / .html / .txt), and every attachment name in the .list file is
// a name of one of our children. Nothing is missing, whatever we add.
TEST(TnefCorpus, MatchesMimeKitExpectedOutput) {
  const fs::path dir = testing::corpora() / "tnef" / "mimekit";
  if (!fs::is_directory(dir)) SLUICE_SKIP_UNLESS_CI() << "corpus not present";
  int files = 0, compared = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".tnef") continue;
    ++files;
    SCOPED_TRACE(e.path().filename().string());
    const ScanResult r = scan_tnef(read_file(e.path()));
    ASSERT_FALSE(r.error.has_value());
    const Artifact& root = r.tree[0];
    std::set<std::string> names;
    for (ArtifactId c : root.children) {
      for (const Name& n : r.tree[c].names) names.insert(n.value);
    }
    const fs::path out = e.path().parent_path() / e.path().stem();
    if (fs::is_directory(out)) {
      for (const auto& f : fs::directory_iterator(out)) {
        const Bytes want = read_file(f.path());
        bool found = false;
        for (ArtifactId c : root.children) found = found || same_content(r.tree[c].bytes, want) || same_object(r.tree[c].bytes, want);
        EXPECT_TRUE(found) << "no child has the bytes of " << f.path().filename();
        ++compared;
      }
    }
    fs::path list = out;
    list += ".list";
    for (const std::string& n : lines_of(list)) {
      if (n.starts_with("body.")) continue;  // MimeKit's name for the body, not an attachment
      EXPECT_TRUE(names.contains(n)) << "no child named " << n;
    }
  }
  EXPECT_GE(files, 19);
  EXPECT_GE(compared, 40);
}

TEST(TnefCorpus, ClamavTestExeIsAnExecutableChild) {
  const fs::path p = testing::corpora() / "tnef" / "clamav" / "clam.tnef";
  if (!fs::exists(p)) SLUICE_SKIP_UNLESS_CI() << "corpus not present";
  const ScanResult r = testing::default_engine().scan(read_file(p), "clam.tnef");
  EXPECT_EQ(r.tree[0].type, FileType::tnef);
  const Artifact* exe = testing::find_by_type(r, FileType::pe_exe);
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(exe->display_name(), "clam.exe");
  EXPECT_EQ(r.tree[exe->parent].type, FileType::tnef);
  // ClamAV's hand-made stream carries three wrong checksums: seen, and read past.
  EXPECT_TRUE(has_anomaly(r, "tnef.bad_checksum"));
}

// The whole engine: a message whose winmail.dat is sniffed as TNEF (by content;
// the MIME type is the sender's claim) and opened, embedded messages included.
TEST(TnefCorpus, WinmailDatInsideAMessage) {
  const fs::path p = testing::corpora() / "tnef" / "mimekit" / "rich-text.eml";
  if (!fs::exists(p)) SLUICE_SKIP_UNLESS_CI() << "corpus not present";
  const ScanResult r = testing::default_engine().scan(read_file(p), "rich-text.eml");
  const Artifact* t = testing::find_by_type(r, FileType::tnef);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(r.tree[t->parent].type, FileType::email);
  int jpegs = 0, embedded = 0;
  for (const Artifact& a : r.tree) {
    jpegs += a.type == FileType::jpeg && a.display_name() == "kitten-playing-with-a-christmas-tree.jpg";
    embedded += a.type == FileType::tnef && a.meta_flag("tnef.embedded_message");
  }
  EXPECT_GE(jpegs, 1);
  EXPECT_EQ(embedded, 2);
}

TEST(TnefCorpus, TnefparseDamageIsReported) {
  const fs::path dir = testing::corpora() / "tnef" / "tnefparse";
  if (!fs::is_directory(dir)) SLUICE_SKIP_UNLESS_CI() << "corpus not present";
  // bad_checksum.tnef ends two bytes short: its last checksum is missing.
  const ScanResult bad = scan_tnef(read_file(dir / "bad_checksum.tnef"));
  EXPECT_TRUE(has_anomaly(bad, "tnef.truncated"));
  EXPECT_FALSE(bad.tree[0].children.empty());
  // duplicate_filename.tnef: two attachments whose long filename is
  // file_abcdefgh.txt while their titles say .DOC and .PDF.
  const ScanResult dup = scan_tnef(read_file(dir / "duplicate_filename.tnef"));
  EXPECT_TRUE(has_anomaly(dup, "tnef.name_conflict"));
  int txt = 0;
  for (ArtifactId c : dup.tree[0].children) txt += dup.tree[c].display_name() == "file_abcdefgh.txt";
  EXPECT_EQ(txt, 2);
  // umlaut.tnef: a PT_UNICODE long filename.
  const ScanResult uml = scan_tnef(read_file(dir / "umlaut.tnef"));
  bool umlaut = false;
  for (ArtifactId c : uml.tree[0].children) umlaut = umlaut || uml.tree[c].display_name() == "UmlautAnhang-\xC3\xA4\xC3\xBC\xC3\xB6.txt";
  EXPECT_TRUE(umlaut);
}

// ---- hand-built streams ----------------------------------------------------

void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put32(Bytes& b, std::uint32_t v) {
  put16(b, static_cast<std::uint16_t>(v));
  put16(b, static_cast<std::uint16_t>(v >> 16));
}
Bytes header() {
  Bytes b;
  put32(b, 0x223E9F78);
  put16(b, 0x1234);
  return b;
}
void attr(Bytes& b, std::uint8_t level, std::uint32_t tag, const Bytes& data, int checksum_delta = 0) {
  b.push_back(level);
  put32(b, tag);
  put32(b, static_cast<std::uint32_t>(data.size()));
  b.insert(b.end(), data.begin(), data.end());
  std::uint32_t sum = 0;
  for (auto c : data) sum += c;
  put16(b, static_cast<std::uint16_t>(sum + static_cast<std::uint32_t>(checksum_delta)));
}
Bytes str(std::string_view s) {
  Bytes b(s.begin(), s.end());
  b.push_back(0);
  return b;
}
// One PT_STRING8 property list {id: value}.
Bytes props_string8(std::uint16_t id, std::string_view v) {
  Bytes p;
  put32(p, 1);
  put16(p, 0x001E);
  put16(p, id);
  put32(p, 1);
  put32(p, static_cast<std::uint32_t>(v.size() + 1));
  p.insert(p.end(), v.begin(), v.end());
  p.push_back(0);
  while (p.size() % 4) p.push_back(0);
  return p;
}

constexpr std::uint32_t kRendData = 0x00069002, kTitle = 0x00018010, kData = 0x0006800F,
                        kAttachment = 0x00069005, kSubject = 0x00018004, kMapiProps = 0x00069003;

Bytes one_attachment(std::string_view title, std::string_view long_name, std::string_view payload) {
  Bytes b = header();
  attr(b, 1, kSubject, str("Invoice 4411 password: 7788"));
  attr(b, 2, kRendData, Bytes(14, 0));
  attr(b, 2, kTitle, str(title));
  attr(b, 2, kData, Bytes(payload.begin(), payload.end()));
  if (!long_name.empty()) attr(b, 2, kAttachment, props_string8(0x3707, long_name));
  return b;
}

TEST(Tnef, AttachmentIsAViewWithEveryName) {
  const Bytes b = one_attachment("INVOIC~1.PDF", "invoice_2024.pdf", "%PDF-1.4 hello");
  const ScanResult r = scan_tnef(b);
  ASSERT_EQ(r.tree[0].children.size(), 1u);
  const Artifact& a = r.tree[r.tree[0].children[0]];
  EXPECT_EQ(a.bytes.chars(), "%PDF-1.4 hello");
  // A view into the TNEF bytes, not a copy.
  EXPECT_GE(a.bytes.data(), r.tree[0].bytes.data());
  EXPECT_LE(a.bytes.data() + a.bytes.size(), r.tree[0].bytes.data() + r.tree[0].bytes.size());
  ASSERT_EQ(a.names.size(), 2u);
  EXPECT_EQ(a.names[0].view, "tnef.long_filename");
  EXPECT_EQ(a.names[0].value, "invoice_2024.pdf");
  EXPECT_EQ(a.names[1].view, "tnef.title");
  EXPECT_EQ(testing::meta_text(r.tree[0], "mail.subject"), "Invoice 4411 password: 7788");
  EXPECT_FALSE(has_anomaly(r, "tnef.name_conflict"));  // 8.3 cut of the same name
  EXPECT_TRUE(r.tree[0].anomalies.empty());
}

TEST(Tnef, ConflictingNamesAreAnAnomaly) {
  const ScanResult r = scan_tnef(one_attachment("invoice.pdf", "invoice.pdf.exe", "MZ"));
  EXPECT_TRUE(has_anomaly(r, "tnef.name_conflict"));
}

TEST(Tnef, BadChecksumIsReportedAndParsingContinues) {
  Bytes b = header();
  attr(b, 1, kSubject, str("s"), 1);
  attr(b, 2, kRendData, Bytes(14, 0));
  attr(b, 2, kData, str("payload"));
  const ScanResult r = scan_tnef(b);
  EXPECT_TRUE(has_anomaly(r, "tnef.bad_checksum"));
  EXPECT_EQ(r.tree[0].children.size(), 1u);
}

TEST(Tnef, TruncationAndAbsurdLengthsEndInAnomalies) {
  const Bytes full = one_attachment("a.txt", "a.txt", std::string(100, 'x'));
  const Engine engine = testing::engine_only({"tnef"});
  ScanOptions o;
  o.root_type = FileType::tnef;
  // Every prefix: never a crash. A cut between attributes is a shorter valid
  // stream; a cut inside one is reported, and what was there is kept.
  const std::size_t data_end = full.size() - (9 + props_string8(0x3707, "a.txt").size() + 2);
  for (std::size_t n = 0; n <= full.size(); ++n) {
    const ScanResult r = engine.scan(Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n)), "cut", o);
    if (n > data_end - 2 - 100 && n < data_end) {
      EXPECT_TRUE(has_anomaly(r, "tnef.truncated")) << n;
      EXPECT_EQ(r.tree[0].children.size(), 1u) << n;
    }
  }
  // A length of 4 GiB.
  Bytes b = header();
  b.push_back(2);
  put32(b, kData);
  put32(b, 0xFFFFFFFF);
  b.insert(b.end(), 32, 'A');
  const ScanResult r = scan_tnef(b);
  EXPECT_TRUE(has_anomaly(r, "tnef.truncated"));
  ASSERT_EQ(r.tree[0].children.size(), 1u);
  EXPECT_EQ(r.tree[r.tree[0].children[0]].bytes.size(), 32u);
}

TEST(Tnef, MalformedMapiPropsAreAnAnomaly) {
  Bytes p;
  put32(p, 0x7FFFFFFF);           // absurd property count
  put16(p, 0x1102);               // multi-valued binary
  put16(p, 0x3701);
  put32(p, 0x40000000);           // absurd value count
  Bytes b = header();
  attr(b, 1, kMapiProps, p);
  Bytes q;
  put32(q, 1);
  put16(q, 0x001F);
  put16(q, 0x8001);               // named property, name length past the end
  q.insert(q.end(), 16, 0);
  put32(q, 1);
  put32(q, 0xFFFFFFF0);
  attr(b, 2, kAttachment, q);
  const ScanResult r = scan_tnef(b);
  EXPECT_TRUE(has_anomaly(r, "tnef.mapi_malformed"));
}

TEST(Tnef, GarbageAfterTheStreamIsAnAnomaly) {
  Bytes b = one_attachment("a.txt", "", "x");
  b.insert(b.end(), {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA});
  EXPECT_TRUE(has_anomaly(scan_tnef(b), "tnef.trailing_data"));
}

TEST(Tnef, ChildLimitIsRecorded) {
  Bytes b = header();
  for (int i = 0; i < 20; ++i) {
    attr(b, 2, kRendData, Bytes(14, 0));
    attr(b, 2, kData, str("x" + std::to_string(i)));
  }
  Limits l;
  l.max_children = 5;
  const ScanResult r = scan_tnef(b, &l);
  EXPECT_EQ(r.tree[0].children.size(), 5u);
  EXPECT_TRUE(has_finding(r, "limit.exceeded"));
}

// MS-OXRTFCP 3.1.1 and 3.1.2: the specification's own examples.
TEST(Lzfu, SpecificationExamples) {
  const Bytes ex1{0x2d, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xf1, 0xc5,
                  0xc7, 0xa7, 0x03, 0x00, 0x0a, 0x00, 0x72, 0x63, 0x70, 0x67, 0x31, 0x32, 0x35, 0x42,
                  0x32, 0x0a, 0xf3, 0x20, 0x68, 0x65, 0x6c, 0x09, 0x00, 0x20, 0x62, 0x77, 0x05, 0xb0,
                  0x6c, 0x64, 0x7d, 0x0a, 0x80, 0x0f, 0xa0};
  auto o1 = codecs::mapi::lzfu_decompress(ByteView(ex1.data(), ex1.size()), 1 << 20);
  ASSERT_TRUE(o1.has_value());
  EXPECT_TRUE(o1->crc_ok);
  EXPECT_EQ(std::string(o1->bytes.begin(), o1->bytes.end()),
            "{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n");
  const Bytes ex2{0x1a, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xe2,
                  0xd4, 0x4b, 0x51, 0x41, 0x00, 0x04, 0x20, 0x57, 0x58, 0x59, 0x5a, 0x0d, 0x6e,
                  0x7d, 0x01, 0x0e, 0xb0};
  auto o2 = codecs::mapi::lzfu_decompress(ByteView(ex2.data(), ex2.size()), 1 << 20);
  ASSERT_TRUE(o2.has_value());
  EXPECT_TRUE(o2->crc_ok);
  EXPECT_EQ(std::string(o2->bytes.begin(), o2->bytes.end()), "{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}");
  // Capped output and cut input are flagged, never overrun.
  auto capped = codecs::mapi::lzfu_decompress(ByteView(ex1.data(), ex1.size()), 10);
  ASSERT_TRUE(capped.has_value());
  EXPECT_TRUE(capped->capped);
  EXPECT_EQ(capped->bytes.size(), 10u);
  auto cut = codecs::mapi::lzfu_decompress(ByteView(ex1.data(), 30), 1 << 20);
  ASSERT_TRUE(cut.has_value());
  EXPECT_TRUE(cut->short_input || !cut->crc_ok);
  EXPECT_FALSE(codecs::mapi::lzfu_decompress(ByteView(ex1.data(), 12), 1 << 20).has_value());
}

}  // namespace
}  // namespace sluice
