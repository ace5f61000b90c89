// The pure readers of src/formats/office: MS-OVBA decompression (the
// specification's own examples), the VBA dir stream, field codes and DDE
// formulas, the XML tag walk; RTF field instructions.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codecs/office/fields.hpp"
#include "codecs/office/vba.hpp"
#include "formats/office/xml_scan.hpp"
#include "formats/rtf/fields.hpp"

namespace sluice::formats::office {

using codecs::office::collapse_spaces;
using codecs::office::dde_formula;
using codecs::office::decompress;
using codecs::office::external_field_keyword;
using codecs::office::parse_dir;
using codecs::office::word_binary_fields;
namespace {

ByteView view(const std::vector<std::uint8_t>& v) { return ByteView(v.data(), v.size()); }
ByteView view(std::string_view s) { return ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); }
std::string text(const std::vector<std::uint8_t>& v) { return std::string(v.begin(), v.end()); }

// [MS-OVBA] 3.2.1 "No Compression Example".
TEST(OfficeVba, DecompressesTheSpecificationsLiteralExample) {
  const std::vector<std::uint8_t> in{0x01, 0x19, 0xB0, 0x00, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
                                     0x68, 0x00, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70, 0x00,
                                     0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x2E};
  auto d = decompress(view(in), 1 << 20);
  ASSERT_TRUE(d) << d.error().what;
  EXPECT_EQ(text(d->bytes), "abcdefghijklmnopqrstuv.");
  EXPECT_TRUE(d->complete);
}

// [MS-OVBA] 3.2.2 "Normal Compression Example": copy tokens reach back into the chunk.
TEST(OfficeVba, DecompressesTheSpecificationsCopyTokenExample) {
  const std::vector<std::uint8_t> in{0x01, 0x2F, 0xB0, 0x00, 0x23, 0x61, 0x61, 0x61, 0x62, 0x63, 0x64, 0x65, 0x82,
                                     0x66, 0x00, 0x70, 0x61, 0x67, 0x68, 0x69, 0x6A, 0x01, 0x38, 0x08, 0x61, 0x6B,
                                     0x6C, 0x00, 0x30, 0x6D, 0x6E, 0x6F, 0x70, 0x06, 0x71, 0x02, 0x70, 0x04, 0x10,
                                     0x72, 0x73, 0x74, 0x75, 0x76, 0x10, 0x77, 0x78, 0x79, 0x7A, 0x00, 0x3C};
  auto d = decompress(view(in), 1 << 20);
  ASSERT_TRUE(d) << d.error().what;
  EXPECT_EQ(text(d->bytes), "#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa");
}

TEST(OfficeVba, HostileContainersEndInErrorsOrCaps) {
  EXPECT_FALSE(decompress(view(std::string_view("")), 100));
  EXPECT_FALSE(decompress(view(std::string_view("\x02\x00\x00", 3)), 100)) << "signature byte";
  // A chunk header with the wrong signature bits (0x0000).
  EXPECT_FALSE(decompress(view(std::string_view("\x01\x00\x00\x61", 4)), 100));
  // Flag byte 0x01: the first token is a copy token, but nothing was decoded to copy from.
  const std::vector<std::uint8_t> early{0x01, 0x03, 0xB0, 0x01, 0x00, 0x00};
  std::vector<std::uint8_t> partial;
  auto e = decompress(view(early), 100, &partial);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().what.find("before its chunk"), std::string::npos);
  // The literal example capped at 5 bytes: a prefix, marked incomplete.
  const std::vector<std::uint8_t> lit{0x01, 0x19, 0xB0, 0x00, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
                                      0x68, 0x00, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70, 0x00,
                                      0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x2E};
  auto c = decompress(view(lit), 5);
  ASSERT_TRUE(c);
  EXPECT_EQ(text(c->bytes), "abcde");
  EXPECT_FALSE(c->complete);
  // Every prefix of a valid container decodes or fails cleanly.
  for (std::size_t n = 0; n <= lit.size(); ++n) (void)decompress(ByteView(lit.data(), n), 1 << 20);
}

// A dir stream written record by record ([MS-OVBA] 2.3.4.2).
std::vector<std::uint8_t> dir_stream(std::uint32_t text_offset, bool terminated) {
  std::vector<std::uint8_t> d;
  auto rec = [&](std::uint16_t id, std::string_view data) {
    d.push_back(id & 0xFF);
    d.push_back(id >> 8);
    const auto n = static_cast<std::uint32_t>(data.size());
    for (int i = 0; i < 4; ++i) d.push_back((n >> (8 * i)) & 0xFF);
    d.insert(d.end(), data.begin(), data.end());
  };
  rec(0x0001, std::string_view("\x01\x00\x00\x00", 4));   // SYSKIND win32
  rec(0x0003, std::string_view("\xE4\x04", 2));           // CODEPAGE 1252
  rec(0x0004, "VBAProject");                              // NAME
  // VERSION: reserved 4, then 6 bytes the size does not count.
  d.insert(d.end(), {0x09, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00});
  rec(0x000F, std::string_view("\x01\x00", 2));  // MODULES: 1
  rec(0x0019, "Module1");
  rec(0x0047, std::string_view("M\0o\0d\0u\0l\0e\0\x31\0", 14));
  rec(0x001A, "Module1");
  rec(0x0032, std::string_view("M\0o\0d\0u\0l\0e\0\x31\0", 14));
  std::string off(4, '\0');
  for (int i = 0; i < 4; ++i) off[i] = static_cast<char>((text_offset >> (8 * i)) & 0xFF);
  rec(0x0031, off);
  rec(0x0021, "");
  rec(0x002B, "");
  if (terminated) rec(0x0010, "");
  return d;
}

TEST(OfficeVba, ReadsModulesFromTheDirStream) {
  const auto d = dir_stream(0x1234, true);
  auto p = parse_dir(view(d), 16);
  ASSERT_TRUE(p) << p.error().what;
  EXPECT_EQ(p->name, "VBAProject");
  EXPECT_EQ(p->code_page, 1252);
  ASSERT_EQ(p->modules.size(), 1u);
  EXPECT_EQ(p->modules[0].name, "Module1");
  EXPECT_EQ(p->modules[0].stream_name, "Module1");
  EXPECT_EQ(p->modules[0].text_offset, 0x1234u);
  EXPECT_TRUE(p->issues.empty());
  // Cut anywhere: partial projects or errors, never a crash.
  for (std::size_t n = 0; n < d.size(); ++n) {
    auto q = parse_dir(ByteView(d.data(), n), 16);
    if (q) {
      EXPECT_LE(q->modules.size(), 1u);
    }
  }
  auto unterminated = parse_dir(view(dir_stream(7, false)), 16);
  ASSERT_TRUE(unterminated);
  EXPECT_EQ(unterminated->modules.size(), 1u) << "a module whose terminator is there is kept";
  EXPECT_EQ(parse_dir(view(d), 0)->modules.size(), 0u) << "the module limit holds";
}

TEST(OfficeFields, NamesOnlyFieldsThatReachOutside) {
  EXPECT_EQ(external_field_keyword(" DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe \"/k calc.exe\"").value_or(""),
            "DDEAUTO");
  EXPECT_EQ(external_field_keyword("dde cmd \"/c calc\"").value_or(""), "DDE");
  EXPECT_EQ(external_field_keyword("INCLUDEPICTURE \"http://x/y.png\" \\d").value_or(""), "INCLUDEPICTURE");
  EXPECT_FALSE(external_field_keyword(" PAGE \\* MERGEFORMAT"));
  EXPECT_FALSE(external_field_keyword("TOC \\o \"1-3\""));
  EXPECT_FALSE(external_field_keyword("DDEX"));
}

TEST(OfficeFields, FindsFieldsInEightBitAndUtf16WordText) {
  const std::string narrow = "Dear \x13 DDEAUTO c:\\\\cmd.exe \"/k calc\" \x14result\x15 and \x13 PAGE \x14" "1\x15";
  auto f = word_binary_fields(view(narrow), 8);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0], "DDEAUTO c:\\\\cmd.exe \"/k calc\"");
  std::string wide;
  for (char c : std::string("\x13 DDE cmd \"/c calc\"\x14")) {
    wide += c;
    wide += '\0';
  }
  auto g = word_binary_fields(view(wide), 8);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0], "DDE cmd \"/c calc\"");
  EXPECT_TRUE(word_binary_fields(view(std::string_view("\x13\x13\x13")), 8).empty());
}

TEST(OfficeFields, RecognisesDdeFormulas) {
  EXPECT_EQ(dde_formula("=cmd|' /C calc'!A0").value_or(""), "cmd /C calc");
  EXPECT_EQ(dde_formula("=cmd|'/c calc.exe'!A1").value_or(""), "cmd /c calc.exe");
  EXPECT_EQ(dde_formula("@SUM(cmd|'/c powershell -w hidden'!A0)").value_or(""), "cmd /c powershell -w hidden");
  EXPECT_EQ(dde_formula("+msexcel|'\\..\\..\\Windows\\System32\\cmd.exe /c calc'!''").value_or(""),
            "msexcel \\..\\..\\Windows\\System32\\cmd.exe /c calc");
  EXPECT_FALSE(dde_formula("=SUM(A1:A4)"));
  EXPECT_FALSE(dde_formula("\"A\",\"B\""));
  EXPECT_FALSE(dde_formula("a|b"));
  EXPECT_FALSE(dde_formula("=cmd|' /C calc"));
}

TEST(OfficeXml, WalksTagsAndDecodesAttributes) {
  const std::string xml =
      "<?xml version=\"1.0\"?><!-- <Relationship Target=\"no\"/> --><Relationships xmlns=\"x\">"
      "<Relationship Id=\"rId1\" Type=\"http://t/attachedTemplate\" Target=\"http://a/?x=1&amp;y=&#50;\" "
      "TargetMode='External'/><w:instrText xml:space=\"preserve\"> DDE &quot;x&quot;</w:instrText></Relationships>";
  std::vector<std::string> names;
  std::string target, mode, instr;
  for_each_tag(xml, [&](const XmlTag& t) {
    if (!t.closing) names.emplace_back(t.name);
    if (t.name == "Relationship") {
      target = attr(t.attrs, "Target").value_or("");
      mode = attr(t.attrs, "TargetMode").value_or("");
    }
    if (t.name == "instrText" && !t.closing) instr = unescape(t.text);
    return true;
  });
  EXPECT_EQ(names, (std::vector<std::string>{"Relationships", "Relationship", "instrText"}));
  EXPECT_EQ(target, "http://a/?x=1&y=2");
  EXPECT_EQ(mode, "External");
  EXPECT_EQ(instr, " DDE \"x\"");
  EXPECT_FALSE(attr(" a=\"1\" b=", "b"));
  int n = 0;
  for_each_tag("<a><b", [&](const XmlTag&) { return ++n < 10; });
  EXPECT_EQ(n, 1) << "an unterminated tag ends the walk";
}

TEST(OfficeRtf, ReadsFieldInstructionsAsWordDoes) {
  const std::string rtf =
      "{\\rtf1{\\field{\\*\\fldinst {\\rtlch DDE}{AUTO c:\\\\\\\\windows\\\\\\\\cmd.exe \"/k calc\"}}"
      "{\\fldrslt x}}{\\field{\\*\\fldinst PAGE }}}";
  auto f = rtf::field_instructions(view(rtf), 8);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(collapse_spaces(f[0]), "DDEAUTO c:\\\\windows\\\\cmd.exe \"/k calc\"");
  EXPECT_EQ(external_field_keyword(f[0]).value_or(""), "DDEAUTO");
  EXPECT_FALSE(external_field_keyword(f[1]));
  EXPECT_TRUE(rtf::field_instructions(view(std::string_view("\\fldinst")), 8).size() <= 1);
}

}  // namespace
}  // namespace sluice::formats::office
