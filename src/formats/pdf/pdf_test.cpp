// PDF documents. Oracle: poppler's pdfdetach (a second, independent PDF
// reader) lists the embedded files of every committed PDF; Sluice must name
// the same ones from the latest revision, and find the hidden revision's file
// pdfdetach cannot see. Fixtures: tests/fixtures/make_document_fixtures.py
// (qpdf-written PDFs).
#include <gtest/gtest.h>

#include <set>

#include "formats/pdf/revisions.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;

std::set<std::string> pdfdetach_names(const fs::path& pdf) {
  std::set<std::string> out;
  std::istringstream in(testing::command_output("pdfdetach -list " + pdf.string() + " 2>/dev/null"));
  std::string line;
  while (std::getline(in, line)) {
    const auto colon = line.find(": ");
    if (colon != std::string::npos && colon > 0 && std::isdigit(static_cast<unsigned char>(line[0]))) {
      out.insert(line.substr(colon + 2));
    }
  }
  return out;
}

const Artifact* child_named(const ScanResult& r, std::string_view name) {
  for (ArtifactId c : r.tree[0].children) {
    if (r.tree[c].display_name() == name) return &r.tree[c];
  }
  return nullptr;
}

TEST(PdfFixtures, AttachmentsAgreeWithPdfdetach) {
  if (!fs::exists("/usr/bin/pdfdetach")) SLUICE_SKIP_UNLESS_CI() << "poppler-utils not installed";
  const Engine engine = testing::engine_only({"pdf"});
  std::size_t compared = 0;
  for (const auto& e : fs::directory_iterator(testing::fixture("documents"))) {
    if (e.path().extension() != ".pdf" || e.path().filename() == "pdf_encrypted_zip.pdf") continue;
    const std::set<std::string> want = pdfdetach_names(e.path());
    const ScanResult r = engine.scan(testing::read_file(e.path()), e.path().filename().string());
    std::set<std::string> got;
    for (ArtifactId c : r.tree[0].children) {
      const Artifact& a = r.tree[c];
      if (!a.locator.starts_with("attachment[")) continue;
      bool hidden = false;
      for (const Anomaly& an : r.tree[0].anomalies) hidden |= an.id == "pdf.revision_hidden_file";
      if (!hidden) got.insert(std::string(a.display_name()));
    }
    EXPECT_EQ(got, want) << e.path().filename();
    ++compared;
  }
  EXPECT_GE(compared, 7u);
}

TEST(PdfFixtures, AFileOnlyAnEarlierRevisionHoldsIsFoundAndSaidToBeHidden) {
  auto bytes = testing::read_file(testing::fixture("documents/pdf_hidden_revision.pdf"));
  EXPECT_EQ(formats::pdf::revision_ends(ByteView(bytes.data(), bytes.size())).size(), 2u);
  const ScanResult r = testing::default_engine().scan(std::vector<std::uint8_t>(bytes), "Invoice.pdf");
  const Artifact* exe = child_named(r, "Invoice.exe");
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(exe->type, FileType::pe_exe);
  EXPECT_TRUE(testing::has_anomaly(r.tree[0], "pdf.revision_hidden_file"));
  EXPECT_EQ(r.verdict, Verdict::malicious);

  Limits l;
  l.max_document_revisions = 0;
  const ScanResult cut = testing::engine_with(l).scan(std::vector<std::uint8_t>(bytes), "Invoice.pdf");
  EXPECT_EQ(child_named(cut, "Invoice.exe"), nullptr);
  EXPECT_TRUE(testing::has_finding(cut, "limit.exceeded"));
  EXPECT_NE(cut.verdict, Verdict::clean);
}

TEST(PdfFixtures, ActionsAreFacts) {
  const Engine engine = testing::default_engine();
  const ScanResult launch = engine.scan(testing::read_file(testing::fixture("documents/pdf_launch.pdf")), "a.pdf");
  EXPECT_TRUE(testing::has_finding(launch, "pdf.launch_action"));
  EXPECT_NE(launch.verdict, Verdict::clean);
  const ScanResult js =
      engine.scan(testing::read_file(testing::fixture("documents/pdf_javascript_export.pdf")), "b.pdf");
  EXPECT_TRUE(testing::has_finding(js, "pdf.javascript"));
  EXPECT_TRUE(testing::has_finding(js, "pdf.embedded_executable"));
  const ScanResult link = engine.scan(testing::read_file(testing::fixture("documents/pdf_link_iso.pdf")), "c.pdf");
  EXPECT_TRUE(testing::contains(testing::meta_all(link.tree[0], "ioc.url"),
                                "https://files.example.net/download/Invoice_4471.iso"));
  EXPECT_TRUE(testing::has_finding(link, "link.container_download"));
  const ScanResult benign = engine.scan(testing::read_file(testing::fixture("documents/pdf_einvoice.pdf")), "d.pdf");
  EXPECT_EQ(benign.verdict, Verdict::clean) << benign.score;
  EXPECT_NE(child_named(benign, "factur-x.xml"), nullptr);
}

TEST(PdfFixtures, ObjectsInsideObjectStreamsAreRead) {
  const auto bytes = testing::read_file(testing::fixture("documents/pdf_object_streams.pdf"));
  ASSERT_NE(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()).find("/ObjStm"),
            std::string_view::npos);
  const ScanResult r = testing::default_engine().scan(std::vector<std::uint8_t>(bytes), "Invoice.pdf");
  EXPECT_NE(child_named(r, "Invoice.zip"), nullptr);
  EXPECT_TRUE(testing::has_finding(r, "pdf.javascript"));
  EXPECT_TRUE(testing::has_finding(r, "pdf.embedded_executable"));
}

TEST(PdfFixtures, AnEncryptedPdfWithoutItsPasswordIsNeverClean) {
  auto bytes = testing::read_file(testing::fixture("documents/pdf_encrypted_zip.pdf"));
  const ScanResult r = testing::default_engine().scan(std::vector<std::uint8_t>(bytes), "Invoice.pdf");
  EXPECT_TRUE(testing::has_anomaly(r.tree[0], "pdf.encrypted_unopened"));
  EXPECT_NE(r.verdict, Verdict::clean);
}

TEST(PdfHostile, GarbageAndTruncationsEndInAResult) {
  auto bytes = testing::read_file(testing::fixture("documents/pdf_attached_zip.pdf"));
  const Engine engine = testing::engine_only({"pdf"});
  for (std::size_t n : {std::size_t{0}, std::size_t{9}, bytes.size() / 3, bytes.size() / 2, bytes.size() - 40}) {
    std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    const ScanResult r = engine.scan(std::move(cut), "cut.pdf");
    EXPECT_EQ(r.tree.size() >= 1, true);
  }
  // An attachment larger than the per-artifact cap is cut, and the cut is reported.
  Limits l;
  l.max_artifact_bytes = 4096;
  const ScanResult r = testing::engine_with(l).scan(std::vector<std::uint8_t>(bytes), "capped.pdf");
  EXPECT_TRUE(testing::has_finding(r, "limit.exceeded"));
}

}  // namespace
}  // namespace sluice
