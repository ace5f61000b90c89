// OLE packages, OLE1 objects and PowerPoint records. Oracle: oletools' own
// expectations for its Office-made test files (tests/oleobj/test_basic.py in
// decalage2/oletools: file, embedded name, MD5 of the embedded file), over the
// files in ../shared/corpora/office/oletools read in place; hand-built
// structures for the hostile paths.
#include <gtest/gtest.h>

#include "codecs/ole1/ole1.hpp"
#include "codecs/ole1/package.hpp"
#include "formats/ole/ppt_objects.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

void put32(Bytes& b, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put_z(Bytes& b, std::string_view s) {
  b.insert(b.end(), s.begin(), s.end());
  b.push_back(0);
}

Bytes package(std::string_view label, std::string_view source, std::string_view temp, std::string_view data,
              std::uint32_t declared) {
  Bytes b;
  put16(b, 2);
  put_z(b, label);
  put_z(b, source);
  put32(b, 0x00030000);
  put32(b, static_cast<std::uint32_t>(temp.size() + 1));
  put_z(b, temp);
  put32(b, declared);
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

TEST(OlePackage, NamesAndDataAreRead) {
  const Bytes b = package("Invoice.pdf", "C:\\Users\\a\\Desktop\\Invoice.exe", "C:\\Temp\\Invoice.exe", "MZhello", 7);
  auto p = codecs::ole1::decode_package(ByteView(b.data(), b.size()));
  ASSERT_TRUE(p) << p.error().what;
  EXPECT_EQ(p->label, "Invoice.pdf");
  EXPECT_EQ(p->file_name(), "Invoice.exe");
  EXPECT_EQ(p->data.chars(), "MZhello");
  EXPECT_FALSE(p->truncated);
}

TEST(OlePackage, ADeclaredSizePastTheEndIsTruncatedNotARead) {
  const Bytes b = package("a.txt", "a.txt", "a.txt", "abc", 0xFFFFFFF0u);
  auto p = codecs::ole1::decode_package(ByteView(b.data(), b.size()));
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->truncated);
  EXPECT_EQ(p->data.size(), 3u);
}

TEST(OlePackage, EveryPrefixEndsInAnErrorOrAResultNeverACrash) {
  const Bytes b = package("Invoice.pdf", "C:\\x\\Invoice.exe", "C:\\T\\Invoice.exe", "MZhello", 7);
  for (std::size_t n = 0; n <= b.size(); ++n) {
    auto p = codecs::ole1::decode_package(ByteView(b.data(), n));
    if (p) {
      EXPECT_LE(p->data.size(), 7u);
    }
  }
}

TEST(Ole1, EmbeddedAndLinkedObjects) {
  Bytes b;
  put32(b, 0x0501);
  put32(b, 2);
  for (std::string_view s : {"Package", "", ""}) {
    put32(b, static_cast<std::uint32_t>(s.size() + 1));
    put_z(b, s);
  }
  put32(b, 4);
  b.insert(b.end(), {'d', 'a', 't', 'a'});
  auto o = codecs::ole1::decode_ole1(ByteView(b.data(), b.size()));
  ASSERT_TRUE(o) << o.error().what;
  EXPECT_EQ(o->class_name, "Package");
  EXPECT_EQ(o->native.chars(), "data");
  b[4] = 7;  // neither linked nor embedded
  EXPECT_FALSE(codecs::ole1::decode_ole1(ByteView(b.data(), b.size())));
}

TEST(PptRecords, AnOverrunIsReportedAndTheWalkEnds) {
  Bytes s;
  put16(s, 0x000F);  // a container
  put16(s, 0x03E8);
  put32(s, 0xFFFFFFFF);
  put16(s, 0x0010);  // ExOleObjStg, instance 1: compressed
  put16(s, 0x1011);
  put32(s, 8);
  put32(s, 100);
  put32(s, 0);
  const auto parsed = formats::ole::parse_powerpoint(ByteView(s.data(), s.size()), Limits{});
  ASSERT_TRUE(parsed.has_value());
  const auto& objs = parsed->model.objects;
  const auto& issues = parsed->anomalies;
  ASSERT_EQ(objs.size(), 1u);
  EXPECT_TRUE(objs[0].compressed);
  EXPECT_EQ(objs[0].declared_size, 100u);
  ASSERT_FALSE(issues.empty());
  EXPECT_EQ(issues[0].id, "ppt.record_overrun");
}

struct Sample {
  std::string file;
  std::string name;  // as oletools names it; empty where oletools replaces non-ASCII
  std::string md5;
};

std::vector<Sample> oleobj_samples() {
  std::vector<Sample> v{
      {"sample_with_calc_embedded.doc", "calc.exe", "40e85286357723f326980a3b30f84e4f"},
      {"sample_with_lnk_file.doc", "calc.lnk", "6aedb1a876d4ad5236f1fbbbeb7274f3"},
      {"sample_with_lnk_file.pps", "calc.lnk", "6aedb1a876d4ad5236f1fbbbeb7274f3"},
      {"sample_with_lnk_file.ppt", "calc.lnk", "6aedb1a876d4ad5236f1fbbbeb7274f3"},
      {"embedded-unicode.doc", "", "264397735b6f09039ba0adf0dc9fb942"},
      {"embedded-unicode-2007.docx", "", "264397735b6f09039ba0adf0dc9fb942"},
      {"embedded-simple-2007.odt", "simple-text-file.txt", "bd5c063a5a43f67b3c50dc7b0f1195af"},
  };
  for (const char* e : {"doc", "dot", "docx", "docm", "dotx", "dotm"}) {
    v.push_back({std::string("embedded-simple-2007.") + e, "simple-text-file.txt", "bd5c063a5a43f67b3c50dc7b0f1195af"});
  }
  for (const char* e : {"xls",  "xlsx", "xlsb", "xlsm", "xla",  "xlam", "xlt",  "xltm", "xltx", "ppt",
                        "pptx", "pptm", "pps",  "ppsx", "ppsm", "pot",  "potx", "potm", "ods",  "odp"}) {
    v.push_back({std::string("embedded-simple-2007.") + e, "simple-text-file.txt", "ab8c65e4c0fc51739aa66ca5888265b4"});
  }
  return v;
}

TEST(OleobjCorpus, EveryEmbeddedFileOletoolsFindsWithItsNameAndBytes) {
  const fs::path dir = testing::corpora() / "office/oletools/oleobj";
  if (!fs::is_directory(dir)) SLUICE_SKIP_UNLESS_CI() << "oletools corpus not present";
  // oletools names each file by its MD5, which the report carries for
  // documents' parts only when [report] hashes asks.
  const Engine engine = testing::engine_with_toml("[report]\nhashes = [\"sha256\", \"md5\"]\n");
  const auto samples = oleobj_samples();
  ASSERT_EQ(samples.size(), 33u);
  for (const Sample& s : samples) {
    const ScanResult r = engine.scan(testing::read_file(dir / s.file), s.file);
    const Artifact* hit = nullptr;
    for (const Artifact& a : r.tree) {
      if (to_hex(a.hashes.md5) == s.md5) hit = &a;
    }
    ASSERT_NE(hit, nullptr) << s.file << ": no artifact with MD5 " << s.md5;
    EXPECT_TRUE(hit->locator.starts_with("package[")) << s.file << ": " << r.tree.evidence_path(hit->id);
    if (!s.name.empty()) {
      EXPECT_EQ(hit->display_name(), s.name) << s.file;
    } else {
      EXPECT_TRUE(hit->display_name().ends_with(".txt")) << s.file << ": " << hit->display_name();
    }
  }
}

TEST(OleobjCorpus, UnicodeNamesComeFromTheUnicodeTail) {
  const fs::path f = testing::corpora() / "office/oletools/oleobj/embedded-unicode.doc";
  if (!fs::exists(f)) SLUICE_SKIP_UNLESS_CI() << "oletools corpus not present";
  const ScanResult r = testing::default_engine().scan(testing::read_file(f), "embedded-unicode.doc");
  bool found = false;
  for (const Artifact& a : r.tree) {
    if (a.locator == "package[0]") {
      found = true;
      EXPECT_EQ(a.display_name(),
                "\u00fcnic\u00f6de-\uc218\uc2dd\ub05d\uc774\uc798\ubabb\ub418\uc5c8\uc2b5\ub2c8\ub2e4.txt");
    }
  }
  EXPECT_TRUE(found);
}

TEST(OleobjCorpus, ProgramsBehindDocumentIconsAreMalicious) {
  const fs::path dir = testing::corpora() / "office/oletools/oleobj";
  if (!fs::is_directory(dir)) SLUICE_SKIP_UNLESS_CI() << "oletools corpus not present";
  const Engine engine = testing::default_engine();
  for (const char* f : {"sample_with_calc_embedded.doc", "sample_with_lnk_file.doc", "sample_with_lnk_file.ppt"}) {
    const ScanResult r = engine.scan(testing::read_file(dir / f), f);
    EXPECT_EQ(r.verdict, Verdict::malicious) << f;
    EXPECT_TRUE(testing::has_finding(r, "office.embedded_executable")) << f;
  }
  for (const char* f : {"embedded-simple-2007.doc", "embedded-simple-2007.xlsx", "embedded-simple-2007.ppt"}) {
    const ScanResult r = engine.scan(testing::read_file(dir / f), f);
    EXPECT_EQ(r.verdict, Verdict::clean) << f << " score " << r.score;
  }
}

}  // namespace
}  // namespace sluice
