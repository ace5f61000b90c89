// End to end: messages built with real tools (tests/fixtures/make_fixtures.sh)
// after the 2020 campaigns, each scanned from the raw .eml to a verdict with the
// evidence path to the payload. Harmless payloads with the same structure.
#include <gtest/gtest.h>

#include <ostream>

#include "test_support.hpp"

namespace sluice {
namespace {

struct Campaign {
  const char* fixture;
  Verdict verdict;
  const char* finding;       // a finding that must be present
  const char* path_suffix;   // how the evidence path to it must end
};
void PrintTo(const Campaign& c, std::ostream* os) { *os << c.fixture; }

const Artifact* payload(const ScanResult& r) {
  const std::string want = testing::sha256_hex(testing::read_file(testing::fixture("pe/hello.exe")));
  for (const auto& a : r.tree) {
    if (to_hex(a.hashes.sha256) == want) return &a;
  }
  return nullptr;
}

constexpr const char* kSmuggledZip =
    "part[2] \"Invoice_4471.html\" \u203a smuggled \"Invoice.zip\" \u203a member[0] \"Invoice.iso\" \u203a \"/INVOICE.EXE\"";
constexpr const char* kSmuggledZipSvg =
    "part[2] \"Invoice_4471.svg\" \u203a smuggled \"Invoice.zip\" \u203a member[0] \"Invoice.iso\" \u203a \"/INVOICE.EXE\"";

class Campaigns : public ::testing::TestWithParam<Campaign> {};

TEST_P(Campaigns, VerdictAndEvidencePath) {
  const Campaign& c = GetParam();
  const ScanResult r = testing::default_engine().scan(testing::read_file(testing::fixture(c.fixture)), c.fixture);
  EXPECT_EQ(r.tree[0].type, FileType::email);
  EXPECT_EQ(to_string(r.verdict), to_string(c.verdict)) << "score " << r.score;
  const Finding* hit = nullptr;
  for (const auto& f : r.findings) {
    if (f.id == c.finding) hit = &f;
  }
  ASSERT_NE(hit, nullptr) << c.finding << " missing";
  const std::string path = r.tree.evidence_path(hit->artifact);
  EXPECT_TRUE(path.ends_with(c.path_suffix)) << path;
  EXPECT_TRUE(path.starts_with("message \"")) << path;
  const Artifact* pe = payload(r);
  ASSERT_NE(pe, nullptr) << "the payload's exact bytes were not reached";
}

INSTANTIATE_TEST_SUITE_P(
    Seed, Campaigns,
    ::testing::Values(
        // Fake CDC Health Alert Network mail: ISO holding an SCR.
        Campaign{"mail/cdc_han.eml", Verdict::malicious, "container.executable_in_image",
                 "\"/HAN_ALERT.SCR\""},
        // Fake AICPA mail: ZIP → ISO → SCR.
        Campaign{"mail/aicpa.eml", Verdict::malicious, "container.executable_in_image",
                 "\"AICPA_Notice.zip\" \u203a member[0] \"AICPA_Notice.iso\" \u203a \"/AICPA_Notice.exe\""},
        // Fake SBA disaster-loan mail: FAT floppy IMG holding an EXE named as a PDF.
        Campaign{"mail/sba_loan.eml", Verdict::malicious, "name.double_extension", ".pdf.exe\""},
        // "Order.7z": 7z AES with encrypted headers (-mhe=on) → ISO → EXE, the
        // password in the body (tests/fixtures/make_7z_crypto_fixtures.sh).
        Campaign{"campaigns/7z_aes_mhe_password_body.eml", Verdict::malicious, "container.executable_in_image",
                 "\"Order.7z\" \u203a entry[0] \"Order.iso\" \u203a \"/ORDER.EXE\""},
        // The same with the names visible (AES on the data only).
        Campaign{"campaigns/7z_aes_password_body.eml", Verdict::malicious, "container.executable_in_image",
                 "\"Order.7z\" \u203a entry[0] \"Order.iso\" \u203a \"/ORDER.EXE\""},
        // "Order.rar" from RARLAB's rar 7: RAR 5 AES with encrypted headers (-hp),
        // and with the data only (-p), the password in the body
        // (tests/fixtures/make_rar_crypto_fixtures.sh).
        Campaign{"campaigns/rar5_aes_hp_password_body.eml", Verdict::malicious, "container.executable_in_image",
                 "\"Order.rar\" \u203a entry[0] \"Order.iso\" \u203a \"/ORDER.EXE\""},
        Campaign{"campaigns/rar5_aes_password_body.eml", Verdict::malicious, "container.executable_in_image",
                 "\"Order.rar\" \u203a entry[0] \"Order.iso\" \u203a \"/ORDER.EXE\""},
        // The same in the RAR 4 format (rar 6.23 -ma4: AES-128, SHA-1 key derivation).
        Campaign{"campaigns/rar4_aes_hp_password_body.eml", Verdict::malicious, "container.executable_in_image",
                 "\"Order.rar\" \u203a entry[0] \"Order.iso\" \u203a \"/ORDER.EXE\""},
        Campaign{"campaigns/rar4_aes_password_body.eml", Verdict::malicious, "container.executable_in_image",
                 "\"Order.rar\" \u203a entry[0] \"Order.iso\" \u203a \"/ORDER.EXE\""},
        // HTML/SVG smuggling (issue #20, tests/fixtures/make_smuggling_fixtures.py): the
        // page's script rebuilds the container; the path runs through what it saves.
        Campaign{"campaigns/smuggling_plain_base64.eml", Verdict::malicious, "container.executable_in_image",
                 kSmuggledZip},
        Campaign{"campaigns/smuggling_reversed.eml", Verdict::malicious, "container.executable_in_image",
                 kSmuggledZip},
        Campaign{"campaigns/smuggling_array_join.eml", Verdict::malicious, "container.executable_in_image",
                 kSmuggledZip},
        Campaign{"campaigns/smuggling_char_codes.eml", Verdict::malicious, "container.executable_in_image",
                 kSmuggledZip},
        Campaign{"campaigns/smuggling_xor_key.eml", Verdict::malicious, "container.executable_in_image",
                 kSmuggledZip},
        Campaign{"campaigns/smuggling_data_uri_click.eml", Verdict::malicious, "container.executable_in_image",
                 kSmuggledZip},
        Campaign{"campaigns/smuggling_svg_script.eml", Verdict::malicious, "container.executable_in_image",
                 kSmuggledZipSvg},
        Campaign{"campaigns/smuggling_ms_save_img.eml", Verdict::malicious, "container.executable_in_image",
                 "part[2] \"Invoice_4471.html\" \u203a smuggled \"Document.img\" \u203a \"/Document.exe\""},
        // 2023: the container moved into a PDF attachment, and into an OLE package.
        Campaign{"campaigns/pdf_attached_zip.eml", Verdict::malicious, "pdf.embedded_executable",
                 "part[2] \"Invoice_4471.pdf\" \u203a attachment[0] \"Invoice.zip\" \u203a member[0] \"Invoice.iso\" "
                 "\u203a \"/INVOICE.EXE\""},
        Campaign{"campaigns/pdf_encrypted_password_body.eml", Verdict::malicious, "container.executable_in_image",
                 "part[2] \"Invoice_4471.pdf\" \u203a attachment[0] \"Invoice.zip\" \u203a member[0] \"Invoice.iso\" "
                 "\u203a \"/INVOICE.EXE\""},
        Campaign{"campaigns/pdf_hidden_revision.eml", Verdict::malicious, "pdf.embedded_executable",
                 "part[2] \"Invoice_4471.pdf\" \u203a attachment[0] \"Invoice.exe\""},
        Campaign{"campaigns/rtf_package_exe.eml", Verdict::malicious, "office.embedded_executable",
                 "part[2] \"Invoice_4471.rtf\" \u203a object[0] \"Invoice_4471.exe\""},
        Campaign{"campaigns/onenote_image_over_exe.eml", Verdict::malicious, "onenote.embedded_executable",
                 "part[2] \"Invoice_4471.one\" \u203a file[0] \"Invoice_4471.exe\""}),
    [](const auto& param_info) {
      std::string n = param_info.param.fixture;
      n = n.substr(n.find('/') + 1);
      return n.substr(0, n.find('.'));
    });

TEST(CampaignsBenign, PlainMailWithATextAttachmentIsClean) {
  const ScanResult r = testing::default_engine().scan(testing::read_file(testing::fixture("mail/benign.eml")), "benign.eml");
  EXPECT_EQ(r.verdict, Verdict::clean) << r.score;
  EXPECT_GE(r.tree.size(), 2u) << "the attachment is a child artifact";
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

// One message per technique of the later waves (tests/fixtures/make_campaign_fixtures.sh),
// and benign messages with the same containers holding only documents.
struct Technique {
  const char* fixture;
  Verdict verdict;
  std::vector<const char*> findings;  // each must be present
};
// ctest lists the case by its fixture, not by a dump of the struct's bytes.
void PrintTo(const Technique& t, std::ostream* os) { *os << t.fixture; }

class Techniques : public ::testing::TestWithParam<Technique> {};

TEST_P(Techniques, Verdict) {
  const Technique& t = GetParam();
  const std::string rel = std::string("campaigns/") + t.fixture;
  const ScanResult r = testing::default_engine().scan(testing::read_file(testing::fixture(rel)), t.fixture);
  EXPECT_EQ(to_string(r.verdict), to_string(t.verdict)) << t.fixture << " score " << r.score;
  for (const char* id : t.findings) EXPECT_TRUE(testing::has_finding(r, id)) << t.fixture << ": " << id;
  if (t.verdict == Verdict::clean) {
    for (const auto& f : r.findings) {
      EXPECT_LT(f.score, 30) << t.fixture << ": " << f.id << " alone would make it suspicious";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Waves, Techniques,
    ::testing::Values(
        Technique{"lnk_hidden_dll.eml", Verdict::malicious,
                  {"lnk.runs_sibling", "image.hidden_executable", "lnk.lolbin_target"}},
        Technique{"udf_only.eml", Verdict::malicious, {"iso.view_missing", "container.executable_in_image"}},
        Technique{"vhd.eml", Verdict::malicious, {"container.executable_in_image"}},
        Technique{"sba_icon_img.eml", Verdict::malicious,
                  {"container.executable_in_image", "pe.document_icon", "sender.display_name_impersonation"}},
        Technique{"rtlo_zip.eml", Verdict::malicious, {"name.bidi_control"}},
        Technique{"padded_zip.eml", Verdict::malicious, {"name.padded_extension", "name.double_extension"}},
        Technique{"iso_as_pdf.eml", Verdict::malicious, {"name.image_disguised", "container.executable_in_image"}},
        // The scripts' own indicators (src/formats/script): WScript.Shell.Run of "cmd /c".
        Technique{"script_zip.eml", Verdict::malicious,
                  {"container.executable", "lure.risky_attachment", "script.lolbin", "script.runs_program"}},
        Technique{"password_iso_zip.eml", Verdict::malicious,
                  {"archive.password_from_message", "container.executable_in_image"}},
        Technique{"benign_iso_docs.eml", Verdict::clean, {"container.disk_image"}},
        Technique{"benign_img_text.eml", Verdict::clean, {"container.disk_image"}},
        Technique{"benign_zip_docs.eml", Verdict::clean, {}},
        Technique{"benign_password_zip.eml", Verdict::clean, {"archive.password_from_message"}},
        Technique{"benign_real_sba.eml", Verdict::clean, {}},
        // The header-encrypted Order.7z with its password nowhere in the mail:
        // suspicious, never clean, never malicious on that alone.
        Technique{"7z_aes_mhe_no_password.eml", Verdict::suspicious,
                  {"archive.encrypted_headers", "archive.encrypted_unopened"}},
        Technique{"7z_aes_mhe_password_body.eml", Verdict::malicious,
                  {"archive.encrypted_headers", "archive.password_from_message", "container.executable_in_image"}},
        // The same chain in RAR 5 from RARLAB's rar 7 (-hp and -p;
        // tests/fixtures/make_rar_crypto_fixtures.sh).
        Technique{"rar5_aes_hp_no_password.eml", Verdict::suspicious,
                  {"archive.encrypted_headers", "archive.encrypted_unopened"}},
        Technique{"rar5_aes_hp_password_body.eml", Verdict::malicious,
                  {"archive.encrypted_headers", "archive.password_from_message", "container.executable_in_image"}},
        Technique{"rar5_aes_password_body.eml", Verdict::malicious,
                  {"archive.password_from_message", "container.executable_in_image"}},
        // RAR 4 format from rar 6.23 (-ma4): AES-128 with the SHA-1 key derivation.
        Technique{"rar4_aes_hp_no_password.eml", Verdict::suspicious,
                  {"archive.encrypted_headers", "archive.encrypted_unopened"}},
        Technique{"rar4_aes_hp_password_body.eml", Verdict::malicious,
                  {"archive.encrypted_headers", "archive.password_from_message", "container.executable_in_image"}},
        Technique{"rar4_aes_password_body.eml", Verdict::malicious,
                  {"archive.password_from_message", "container.executable_in_image"}},
        // HTML smuggling (issue #20) and newsletters with inline images, analytics and a CSV export.
        Technique{"smuggling_plain_base64.eml", Verdict::malicious, {"html.smuggling", "container.executable_in_image"}},
        Technique{"smuggling_reversed.eml", Verdict::malicious, {"html.smuggling", "container.executable_in_image"}},
        Technique{"smuggling_array_join.eml", Verdict::malicious, {"html.smuggling", "container.executable_in_image"}},
        Technique{"smuggling_char_codes.eml", Verdict::malicious, {"html.smuggling", "container.executable_in_image"}},
        Technique{"smuggling_xor_key.eml", Verdict::malicious, {"html.smuggling", "container.executable_in_image"}},
        Technique{"smuggling_data_uri_click.eml", Verdict::malicious, {"html.smuggling", "container.executable_in_image"}},
        Technique{"smuggling_svg_script.eml", Verdict::malicious, {"html.smuggling", "container.executable_in_image"}},
        Technique{"smuggling_ms_save_img.eml", Verdict::malicious, {"html.smuggling", "container.executable_in_image"}},
        Technique{"pdf_attached_zip.eml", Verdict::malicious, {"pdf.embedded_executable", "container.executable_in_image"}},
        Technique{"pdf_encrypted_password_body.eml", Verdict::malicious,
                  {"archive.password_from_message", "pdf.embedded_executable"}},
        Technique{"pdf_hidden_revision.eml", Verdict::malicious, {"pdf.revision_hidden_file", "pdf.embedded_executable"}},
        Technique{"rtf_package_exe.eml", Verdict::malicious,
                  {"office.embedded_executable", "ole.package_label_mismatch", "name.executable_disguised"}},
        Technique{"onenote_image_over_exe.eml", Verdict::malicious,
                  {"onenote.embedded_executable", "onenote.image_over_embedded_file"}},
        // Office without macros (issue #23, make_office_fixtures.py): a remote
        // template inside an ISO (no Mark-of-the-Web, no Protected View), Follina.
        Technique{"office_remote_template_iso.eml", Verdict::malicious, {"office.external_template"}},
        Technique{"office_follina.eml", Verdict::malicious, {"office.protocol_handler"}},
        Technique{"benign_office_docs.eml", Verdict::clean, {}},
        Technique{"benign_pdf_einvoice.eml", Verdict::clean, {}},
        Technique{"benign_onenote_notes.eml", Verdict::clean, {}},
        Technique{"benign_newsletter.eml", Verdict::clean, {}},
        Technique{"benign_newsletter_attached.eml", Verdict::clean, {}}),
    [](const auto& param_info) {
      std::string n = param_info.param.fixture;
      return n.substr(0, n.find('.'));
    });

}  // namespace
}  // namespace sluice
