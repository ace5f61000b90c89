// Office macros, DDE, remote templates and encryption end to end (issue #23).
// Oracles, read in place from ../shared/corpora:
// - SpamAssassin's OLEVBMacro test messages (spam/spamassassin-tdata/olevbmacro,
//   expectations of its t/olevbmacro.t);
// - oletools' test documents (office/oletools) with the expectations its own
//   tests state (decalage2/oletools tests/olevba/test_basic.py,
//   tests/msodde/test_basic.py, tests/oleobj/test_external_links.py): the VBA
//   source olevba prints, the DDE links msodde finds ('cmd /c calc.exe' in the
//   spreadsheets), XLM macros with Auto_Open, ALERT and HALT, every file under
//   encrypted/ reported encrypted and the "standardpassword" ones opened with
//   Excel's default password. The *.zip there hold one document each under the
//   password "infected-test"; 7z (the mature reader) opens them.
// Fixtures: tests/fixtures/office (make_office_fixtures.py, LibreOffice).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>

#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;

bool any_office_finding(const ScanResult& r) {
  for (const Finding& f : r.findings) {
    if (f.id.starts_with("office.") || f.id == "name.document_disguised") return true;
  }
  return false;
}

std::string describe(const ScanResult& r) {
  std::string s = std::string(to_string(r.verdict)) + ":";
  for (const Finding& f : r.findings) s += " " + f.id;
  return s;
}

const Artifact* first_of(const ScanResult& r, FileType t) { return testing::find_by_type(r, t); }

std::vector<const Artifact*> all_of(const ScanResult& r, FileType t) {
  std::vector<const Artifact*> out;
  for (const Artifact& a : r.tree) {
    if (a.type == t) out.push_back(&a);
  }
  return out;
}

std::string evidence(const ScanResult& r, std::string_view id, std::string_view key) {
  for (const Finding& f : r.findings) {
    if (f.id != id) continue;
    for (const auto& [k, v] : f.evidence) {
      if (k == key) return v;
    }
  }
  return "<missing>";
}

// A message carrying `bytes` as an attachment named `name`, with `body` as its text.
std::vector<std::uint8_t> mail_with(const std::vector<std::uint8_t>& bytes, const std::string& name,
                                    const std::string& body) {
  std::string mail = "From: a@example.org\r\nTo: b@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
                     "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
                     "Content-Type: text/plain\r\n\r\n" + body + "\r\n--b\r\n"
                     "Content-Type: application/octet-stream; name=\"" + name + "\"\r\n"
                     "Content-Transfer-Encoding: base64\r\n\r\n";
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t v = static_cast<std::uint32_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<std::uint32_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) v |= bytes[i + 2];
    mail += kB64[(v >> 18) & 63];
    mail += kB64[(v >> 12) & 63];
    mail += i + 1 < bytes.size() ? kB64[(v >> 6) & 63] : '=';
    mail += i + 2 < bytes.size() ? kB64[v & 63] : '=';
    if (i % 57 == 54) mail += "\r\n";
  }
  mail += "\r\n--b--\r\n";
  return std::vector<std::uint8_t>(mail.begin(), mail.end());
}

fs::path olevbmacro() { return testing::corpora() / "spam" / "spamassassin-tdata" / "olevbmacro"; }
fs::path oletools() { return testing::corpora() / "office" / "oletools"; }

// The document inside one of oletools' password-protected zips, extracted by
// 7z into a scratch folder.
std::vector<std::uint8_t> unzip_one(const fs::path& zip) {
  const fs::path dir = fs::temp_directory_path() / ("sluice-office-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  (void)testing::command_output("7z x -y -pinfected-test -o'" + dir.string() + "' '" + zip.string() + "' >/dev/null 2>&1");
  std::vector<std::uint8_t> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) out = testing::read_file(e.path());
  }
  fs::remove_all(dir);
  return out;
}

TEST(OfficeSpamAssassin, OlevbmacroExpectations) {
  if (testing::corpora().empty() || !fs::exists(olevbmacro())) {
    SLUICE_SKIP_UNLESS_CI() << "no SpamAssassin olevbmacro corpus";
  }
  const Engine engine = testing::default_engine();
  auto scan = [&](const char* f) { return engine.scan(testing::read_file(olevbmacro() / f), f); };

  const ScanResult macro = scan("macro.eml");
  EXPECT_TRUE(testing::has_finding(macro, "office.macro")) << describe(macro);
  EXPECT_EQ(macro.verdict, Verdict::suspicious) << describe(macro);

  // Workbook_Open and a Sub named autoexec: Office starts it by itself.
  const ScanResult malice = scan("malicemacro.eml");
  EXPECT_TRUE(testing::has_finding(malice, "office.macro")) << describe(malice);
  EXPECT_TRUE(testing::has_finding(malice, "office.macro_autoexec")) << describe(malice);
  std::string procedures;
  for (const Finding& f : malice.findings) {
    for (const auto& [k, v] : f.evidence) {
      if (f.id == "office.macro_autoexec" && k == "procedures") procedures += v + ";";
    }
  }
  EXPECT_NE(procedures.find("workbook_open"), std::string::npos) << procedures;
  EXPECT_NE(procedures.find("autoexec"), std::string::npos) << procedures;
  EXPECT_GE(static_cast<int>(malice.verdict), static_cast<int>(Verdict::suspicious));

  const ScanResult renamed = scan("renamedmacro.eml");
  EXPECT_TRUE(testing::has_finding(renamed, "office.macro")) << describe(renamed);
  EXPECT_TRUE(testing::has_finding(renamed, "name.document_disguised")) << "renamed.jpg is a macro workbook";

  const ScanResult encrypted = scan("encrypted.eml");
  EXPECT_TRUE(testing::has_finding(encrypted, "office.encrypted")) << describe(encrypted);
  EXPECT_FALSE(testing::has_finding(encrypted, "mime.content_type_mismatch"))
      << "an encrypted OOXML document is a compound file under the OOXML type";

  // "Password: sa" in the body opens the ZIP; the macro inside is seen.
  const ScanResult zippw = scan("zippwmacro.eml");
  EXPECT_TRUE(testing::has_finding(zippw, "office.macro")) << describe(zippw);
  EXPECT_FALSE(testing::has_finding(zippw, "archive.encrypted_unopened")) << describe(zippw);

  // The "target URI" document holds one external *hyperlink*: an IOC, not a
  // remote template (no attachedTemplate relationship), and no verdict.
  const ScanResult uri = scan("target_uri.eml");
  EXPECT_FALSE(testing::has_finding(uri, "office.external_template")) << describe(uri);
  bool url = false;
  for (const Artifact& a : uri.tree) url = url || testing::contains(testing::meta_all(a, "ioc.url"), "https://spamassassin.apache.org/");
  EXPECT_TRUE(url) << "the hyperlink's target is in the IOCs";

  for (const char* benign : {"nomacro.eml", "goodcsv.eml"}) {
    const ScanResult r = scan(benign);
    EXPECT_EQ(r.verdict, Verdict::clean) << benign << " " << describe(r);
    EXPECT_FALSE(any_office_finding(r)) << benign << " " << describe(r);
  }
}

TEST(OfficeOletools, VbaSourceAsOlevbaPrintsIt) {
  if (testing::corpora().empty() || !fs::exists(oletools())) SLUICE_SKIP_UNLESS_CI() << "no oletools corpus";
  const Engine engine = testing::default_engine();
  const ScanResult ppt = engine.scan(testing::read_file(oletools() / "olevba" / "sample_with_vba.ppt"), "sample_with_vba.ppt");
  const auto modules = all_of(ppt, FileType::vba);
  ASSERT_FALSE(modules.empty()) << describe(ppt);
  std::string source(modules[0]->bytes.chars());
  source.erase(std::remove(source.begin(), source.end(), '\r'), source.end());
  EXPECT_NE(source.find("Sub Action_Click()\n  MsgBox \"The action button clicked!\"\nEnd Sub"), std::string::npos)
      << source;
  EXPECT_EQ(modules[0]->display_name(), "Module1");
  EXPECT_TRUE(testing::has_finding(ppt, "office.macro"));

  // oleform's docm: the VBA project of a document with user forms.
  const ScanResult form = engine.scan(testing::read_file(oletools() / "oleform" / "oleform-PR314.docm"), "oleform-PR314.docm");
  std::vector<std::string> names;
  for (const Artifact* m : all_of(form, FileType::vba)) names.emplace_back(m->display_name());
  for (const char* n : {"ThisDocument", "UserFormTEST1", "UserFormTest2", "NewMacros"}) {
    EXPECT_TRUE(testing::contains(names, n)) << n;
  }
}

TEST(OfficeOletools, DdeLinksAsMsoddeFindsThem) {
  if (testing::corpora().empty() || !fs::exists(oletools())) SLUICE_SKIP_UNLESS_CI() << "no oletools corpus";
  const Engine engine = testing::default_engine();
  const fs::path dir = oletools() / "msodde";
  for (const char* f : {"dde-test.docx", "dde-test.docm", "dde-in-excel2003.xml", "dde-in-csv.csv"}) {
    const ScanResult r = engine.scan(testing::read_file(dir / f), f);
    EXPECT_TRUE(testing::has_finding(r, "office.dde")) << f << " " << describe(r);
    EXPECT_EQ(r.verdict, Verdict::malicious) << f;
  }
  for (const char* f : {"dde-test.xlsx", "dde-test.xlsm", "dde-test.xlsb"}) {
    const ScanResult r = engine.scan(testing::read_file(dir / f), f);
    EXPECT_EQ(evidence(r, "office.dde", "command"), "cmd /c calc.exe") << f << " " << describe(r);
  }
  if (!testing::in_ci() && testing::command_output("command -v 7z").empty()) GTEST_SKIP() << "no 7z";
  for (const char* f : {"dde-test-from-office2003.doc.zip", "dde-test-from-office2016.doc.zip",
                        "dde-test-from-office2013-utf_16le-korean.doc.zip", "dde-in-word2003.xml.zip",
                        "dde-in-word2007.xml.zip"}) {
    std::vector<std::uint8_t> doc = unzip_one(dir / f);
    ASSERT_FALSE(doc.empty()) << f;
    const ScanResult r = engine.scan(std::move(doc), f);
    EXPECT_TRUE(testing::has_finding(r, "office.dde")) << f << " " << describe(r);
  }
  for (const char* f : {"harmless-clean.doc", "harmless-clean.docx", "harmless-clean.docm", "harmless-clean.xml",
                        "harmless-clean-2003.xml", "RTF-Spec-1.7.rtf"}) {
    const ScanResult r = engine.scan(testing::read_file(dir / f), f);
    EXPECT_EQ(r.verdict, Verdict::clean) << f << " " << describe(r);
    EXPECT_FALSE(any_office_finding(r)) << f << " " << describe(r);
  }
}

TEST(OfficeOletools, Excel4MacrosWithAutoOpen) {
  if (testing::corpora().empty() || !fs::exists(oletools())) SLUICE_SKIP_UNLESS_CI() << "no oletools corpus";
  const Engine engine = testing::default_engine();
  const fs::path dir = oletools() / "excel4-macros";
  for (const char* f : {"excel4_sample_macro.xls", "excel4_sample_macro.xlt", "excel4_sample_macro_excel5_format.xls"}) {
    const ScanResult r = engine.scan(testing::read_file(dir / f), f);
    EXPECT_TRUE(testing::has_finding(r, "office.xlm_macro")) << f << " " << describe(r);
    EXPECT_TRUE(testing::has_finding(r, "office.macro_autoexec")) << f << " (Auto_Open)";
    const std::vector<std::string> fns = testing::meta_all(r.tree[0], "xlm.function");
    EXPECT_TRUE(testing::contains(fns, "HALT")) << f;
    EXPECT_TRUE(testing::contains(fns, "ALERT")) << f;
    EXPECT_EQ(testing::meta_all(r.tree[0], "xlm.macro_sheet"), std::vector<std::string>{"Macro1"}) << f;
  }
  for (const char* f : {"excel4_sample_macro.xlsm", "excel4_sample_macro.xltm", "excel4_sample_macro.xlsb"}) {
    const ScanResult r = engine.scan(testing::read_file(dir / f), f);
    EXPECT_TRUE(testing::has_finding(r, "office.xlm_macro")) << f << " " << describe(r);
  }
  // The macro sheet's formulas are read too: XML (xlsm) and BIFF12 (xlsb).
  for (const char* f : {"excel4_sample_macro.xlsm", "excel4_sample_macro.xlsb"}) {
    const ScanResult r = engine.scan(testing::read_file(dir / f), f);
    std::vector<std::string> fns;
    for (const Artifact& a : r.tree) {
      for (auto& s : testing::meta_all(a, "xlm.function")) fns.push_back(s);
    }
    EXPECT_TRUE(testing::contains(fns, "ALERT")) << f;
    EXPECT_TRUE(testing::contains(fns, "HALT")) << f;
    EXPECT_TRUE(testing::has_finding(r, "office.macro_autoexec")) << f << " (Auto_Open) " << describe(r);
  }
}

TEST(OfficeOletools, EncryptedDocumentsAreReportedAndDefaultPasswordsOpened) {
  if (testing::corpora().empty() || !fs::exists(oletools())) SLUICE_SKIP_UNLESS_CI() << "no oletools corpus";
  const Engine engine = testing::default_engine();
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(oletools() / "encrypted")) {
    const std::string f = e.path().filename().string();
    // Named as the analyst saved them: the file name is no password source here.
    const ScanResult r = engine.scan(testing::read_file(e.path()), "sample");
    ++files;
    EXPECT_TRUE(testing::has_finding(r, "office.encrypted")) << f << " " << describe(r);
    const bool ooxml = !f.ends_with(".xls") && !f.ends_with(".doc") && !f.ends_with(".ppt");
    const bool default_password = f.find("standardpassword") != std::string::npos;
    if (default_password) {
      // oletools' EXCEPTIONS: decrypted automatically with VelvetSweatshop
      // (the package of an OOXML file; the records of an .xls).
      EXPECT_EQ(testing::meta_text(r.tree[0], "office.password"), "VelvetSweatshop") << f;
      if (ooxml) {
        EXPECT_NE(first_of(r, FileType::zip), nullptr) << f << ": the decrypted package is scanned";
      }
      EXPECT_FALSE(testing::has_finding(r, "office.encrypted_unopened")) << f;
    } else {
      EXPECT_TRUE(testing::has_finding(r, "office.encrypted_unopened")) << f << " " << describe(r);
      EXPECT_NE(r.verdict, Verdict::clean) << f;
    }
  }
  EXPECT_EQ(files, 17u);
  // The DDE workbooks behind Excel's default password are malicious once
  // opened: msodde's test_crypto expects "cmd /c calc.exe" in xls, xlsx, xlsm and xlsb.
  for (const char* f : {"dde-test-encrypt-standardpassword.xls", "dde-test-encrypt-standardpassword.xlsx",
                        "dde-test-encrypt-standardpassword.xlsm", "dde-test-encrypt-standardpassword.xlsb"}) {
    const ScanResult dde = engine.scan(testing::read_file(oletools() / "encrypted" / f), "sample");
    EXPECT_EQ(evidence(dde, "office.dde", "command"), "cmd /c calc.exe") << f << " " << describe(dde);
    EXPECT_EQ(dde.verdict, Verdict::malicious) << f;
  }
  // The password the oletools authors used is "encrypted" (their commit
  // d7a7c7b); given in the message, it opens the document.
  const std::vector<std::uint8_t> docx = testing::read_file(oletools() / "encrypted" / "encrypted.docx");
  const ScanResult told = engine.scan(mail_with(docx, "invoice.docx", "Password: encrypted"), "m.eml");
  EXPECT_FALSE(testing::has_finding(told, "office.encrypted_unopened")) << describe(told);
  EXPECT_TRUE(testing::has_finding(told, "archive.password_from_message")) << describe(told);
  EXPECT_NE(first_of(told, FileType::zip), nullptr);
  // The same for a legacy RC4 workbook: its records are decrypted in place.
  const ScanResult xls = engine.scan(
      mail_with(testing::read_file(oletools() / "encrypted" / "encrypted.xls"), "invoice.xls", "Password: encrypted"),
      "m.eml");
  EXPECT_FALSE(testing::has_finding(xls, "office.encrypted_unopened")) << describe(xls);
  EXPECT_TRUE(testing::has_finding(xls, "archive.password_from_message")) << describe(xls);
}

TEST(OfficeOletools, ExternalLinksAsOleobjReportsThem) {
  if (testing::corpora().empty() || !fs::exists(oletools())) SLUICE_SKIP_UNLESS_CI() << "no oletools corpus";
  const Engine engine = testing::default_engine();
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(oletools() / "oleobj" / "external_link")) {
    const ScanResult r = engine.scan(testing::read_file(e.path()), e.path().filename().string());
    ++files;
    EXPECT_TRUE(testing::has_finding(r, "office.external_object")) << e.path().filename() << " " << describe(r);
  }
  EXPECT_EQ(files, 13u);
}

TEST(OfficeFixtures, LibreOfficeDocumentsAreClean) {
  const Engine engine = testing::default_engine();
  for (const char* f : {"letter.doc", "letter.docx", "figures.xls", "figures.xlsx", "figures.csv", "slides.pptx",
                        "with_picture.docx"}) {
    const ScanResult r = engine.scan(testing::read_file(testing::fixture(std::string("office/") + f)), f);
    EXPECT_EQ(r.verdict, Verdict::clean) << f << " " << describe(r);
    EXPECT_FALSE(any_office_finding(r)) << f << " " << describe(r);
  }
  // LibreOffice names what it wrote; the package says which application.
  const ScanResult docx = engine.scan(testing::read_file(testing::fixture("office/letter.docx")), "letter.docx");
  EXPECT_EQ(testing::meta_text(docx.tree[0], "office.application"), "word");
  EXPECT_EQ(testing::meta_text(docx.tree[0], "office.container"), "ooxml");
  const ScanResult xls = engine.scan(testing::read_file(testing::fixture("office/figures.xls")), "figures.xls");
  EXPECT_EQ(testing::meta_text(xls.tree[0], "office.application"), "excel");
}

TEST(OfficeFixtures, RemoteTemplateAndProtocolHandler) {
  const Engine engine = testing::default_engine();
  const ScanResult tpl =
      engine.scan(testing::read_file(testing::fixture("office/remote_template.docx")), "remote_template.docx");
  EXPECT_TRUE(testing::has_finding(tpl, "office.external_template")) << describe(tpl);
  EXPECT_EQ(evidence(tpl, "office.external_template", "target"), "http://198.51.100.7/templates/Invoice.dotm");
  EXPECT_EQ(tpl.verdict, Verdict::malicious);
  bool ioc = false;
  for (const Artifact& a : tpl.tree) {
    ioc = ioc || testing::contains(testing::meta_all(a, "ioc.url"), "http://198.51.100.7/templates/Invoice.dotm");
  }
  EXPECT_TRUE(ioc);

  const ScanResult follina = engine.scan(testing::read_file(testing::fixture("office/follina.docx")), "follina.docx");
  EXPECT_TRUE(testing::has_finding(follina, "office.protocol_handler")) << describe(follina);
  EXPECT_EQ(follina.verdict, Verdict::malicious);
}

TEST(OfficeRenamed, NamesThatHideAnOfficeDocument) {
  const Engine engine = testing::default_engine();
  const std::vector<std::uint8_t> docx = testing::read_file(testing::fixture("office/letter.docx"));
  const std::vector<std::uint8_t> doc = testing::read_file(testing::fixture("office/letter.doc"));
  auto attached = [&](const std::vector<std::uint8_t>& bytes, const std::string& name) {
    return engine.scan(mail_with(bytes, name, ""), "m.eml");
  };
  EXPECT_TRUE(testing::has_finding(attached(docx, "photo.jpg"), "name.document_disguised"));
  EXPECT_TRUE(testing::has_finding(attached(docx, "letter.doc"), "name.document_disguised")) << "OOXML named .doc";
  EXPECT_TRUE(testing::has_finding(attached(doc, "invoice.pdf"), "name.document_disguised")) << "Word binary as .pdf";
  EXPECT_FALSE(testing::has_finding(attached(docx, "letter.docx"), "name.document_disguised"));
  EXPECT_FALSE(testing::has_finding(attached(doc, "letter.doc"), "name.document_disguised"));
  EXPECT_FALSE(testing::has_finding(attached(docx, "letter.dotx"), "name.document_disguised")) << "same container";
}

}  // namespace
}  // namespace sluice
