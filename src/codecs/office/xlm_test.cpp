// Excel 4.0 (XLM) macro facts. Corpus: oletools' excel4-macros and encrypted
// samples, read in place. The expectations were established by hand, not by
// this parser: olefile (Debian's python3-olefile) pulled the Workbook/Book
// streams, a ten-line record walker listed the records, and the bytes of each
// record below were decoded against MS-XLS (offsets cited per test); oletools'
// own test (tests/olevba/test_basic.py, test_xlm) only asserts that XLM is found
// in these samples. The xlsb's parts were unzipped with Python's zipfile to
// model the synthetic BIFF12 records on (nothing of the corpus is stored here).
#include "codecs/office/xlm.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "codecs/cfb/cfb.hpp"
#include "test_support.hpp"

namespace sluice::codecs::office {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

ByteView view(const Bytes& b) { return {b.data(), b.size()}; }

fs::path excel4_dir() { return testing::corpora() / "office" / "oletools" / "excel4-macros"; }
fs::path encrypted_dir() { return testing::corpora() / "office" / "oletools" / "encrypted"; }

// The `Workbook` (or BIFF5 `Book`) stream, through the repo's own CFB reader.
std::optional<Bytes> workbook_stream(const fs::path& p) {
  const Bytes file = testing::read_file(p);
  std::vector<Anomaly> issues;
  auto cf = codecs::cfb::CompoundFile::parse(view(file), issues);
  if (!cf) return std::nullopt;
  for (const std::uint32_t id : cf->children(0, issues)) {
    const auto& e = cf->entries()[id];
    if (e.name != "Workbook" && e.name != "Book") continue;
    const auto stream = cf->read(id, 64u << 20, issues);
    const ByteView b = stream.bytes();
    return Bytes(b.data(), b.data() + b.size());
  }
  return std::nullopt;
}

// ---- byte builders for synthetic records ----------------------------------

void put8(Bytes& b, std::uint32_t v) { b.push_back(static_cast<std::uint8_t>(v)); }
void put16(Bytes& b, std::uint32_t v) {
  put8(b, v & 0xFF);
  put8(b, (v >> 8) & 0xFF);
}
void put32(Bytes& b, std::uint32_t v) {
  put16(b, v & 0xFFFF);
  put16(b, v >> 16);
}
void append(Bytes& b, const Bytes& more) { b.insert(b.end(), more.begin(), more.end()); }

// A BIFF record: type (2), size (2), body (MS-XLS §2.1.4).
Bytes rec(std::uint16_t type, const Bytes& body) {
  Bytes b;
  put16(b, type);
  put16(b, static_cast<std::uint32_t>(body.size()));
  append(b, body);
  return b;
}

// BOF (MS-XLS §2.4.21): BIFF8 is 16 bytes, vers 0x0600.
Bytes bof8(std::uint16_t dt) {
  Bytes body;
  put16(body, 0x0600);
  put16(body, dt);
  body.resize(16, 0);
  return rec(0x0809, body);
}
Bytes eof() { return rec(0x000A, {}); }

Bytes boundsheet8(std::uint32_t pos, std::uint8_t hs, std::uint8_t dt, const std::string& name) {
  Bytes body;
  put32(body, pos);
  put8(body, hs);
  put8(body, dt);
  put8(body, static_cast<std::uint32_t>(name.size()));
  put8(body, 0);  // fHighByte = 0: 8-bit characters
  body.insert(body.end(), name.begin(), name.end());
  return rec(0x0085, body);
}

// Lbl (MS-XLS §2.4.150) without a formula; `text` is the code char for built-ins.
Bytes lbl8(std::uint16_t flags, const std::string& text) {
  Bytes body;
  put16(body, flags);
  put8(body, 0);  // chKey
  put8(body, static_cast<std::uint32_t>(text.size()));
  put16(body, 0);  // cce
  put16(body, 0);
  put16(body, 0);  // itab
  put32(body, 0);
  put8(body, 0);  // fHighByte
  body.insert(body.end(), text.begin(), text.end());
  return rec(0x0018, body);
}

// Formula (MS-XLS §2.4.127) with the given rgce and, when set, a lying cce.
Bytes formula8(std::uint16_t row, std::uint16_t col, const Bytes& rgce, std::optional<std::uint16_t> cce = {}) {
  Bytes body;
  put16(body, row);
  put16(body, col);
  put16(body, 0x0F);  // ixfe
  body.resize(body.size() + 8, 0);  // cached value
  put16(body, 0);  // grbit
  put32(body, 0);  // chn
  put16(body, cce.value_or(static_cast<std::uint16_t>(rgce.size())));
  append(body, rgce);
  return rec(0x0006, body);
}

// Ptg builders (BIFF8 sizes, MS-XLS §2.5.198).
Bytes ptg_str8(const std::string& s) {
  Bytes b{0x17, static_cast<std::uint8_t>(s.size()), 0x00};
  b.insert(b.end(), s.begin(), s.end());
  return b;
}
Bytes ptg_int(std::uint16_t v) {
  Bytes b{0x1E};
  put16(b, v);
  return b;
}
Bytes ptg_func(std::uint16_t iftab) {
  Bytes b{0x41};
  put16(b, iftab);
  return b;
}
Bytes ptg_funcvar(std::uint8_t argc, std::uint16_t tab) {
  Bytes b{0x42, argc};
  put16(b, tab);
  return b;
}
Bytes ptg_name8(std::uint16_t index) {
  Bytes b{0x43};
  put16(b, index);
  put16(b, 0);
  return b;
}
Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes b;
  for (const auto& p : parts) append(b, p);
  return b;
}

// A BIFF12 record (MS-XLSB §2.1.4): 7-bit varint type (1-2 bytes) and size (1-4).
Bytes brt(std::uint32_t type, const Bytes& body) {
  Bytes b;
  auto varint = [&b](std::uint32_t v) {
    do {
      std::uint8_t byte = v & 0x7F;
      v >>= 7;
      if (v != 0) byte |= 0x80;
      b.push_back(byte);
    } while (v != 0);
  };
  varint(type);
  varint(static_cast<std::uint32_t>(body.size()));
  append(b, body);
  return b;
}
void put_wide(Bytes& b, const std::string& ascii) {
  put32(b, static_cast<std::uint32_t>(ascii.size()));
  for (char c : ascii) put16(b, static_cast<std::uint8_t>(c));
}

// ---- corpus -----------------------------------------------------------------

// excel4_sample_macro.xls / .xlt: the Workbook stream's BOUNDSHEETs (at 11833 and
// 11851 in the .xls) say Macro1 (hsState 0, dt 1) at lbPlyPos 15039 and Sheet1
// (dt 0) at 15610; the LBL at 11945 has fBuiltin with code 0x01 (Auto_Open) and
// a PtgRef3d to Macro1!A1. The substream at 15039 has BOF dt 0x0040 and two
// FORMULA records: 15397 (A1) rgce = PtgStr "This is a sample Excel 4 macro",
// PtgFuncVar(1, 0x8076 = Cetab ALERT); 15460 (A2) rgce = PtgFuncVar(0, 0x0036 =
// HALT). The .xlt differs only by four bytes of offsets (15043, 15614).
void expect_sample_facts(const Workbook& wb, std::uint32_t macro_at, std::uint32_t sheet_at) {
  EXPECT_FALSE(wb.encrypted());
  EXPECT_FALSE(wb.truncated);
  ASSERT_EQ(wb.sheets.size(), 2u);
  EXPECT_EQ(wb.sheets[0].name, "Macro1");
  EXPECT_EQ(wb.sheets[0].kind, SheetKind::macro);
  EXPECT_EQ(wb.sheets[0].state, SheetState::visible);
  EXPECT_EQ(wb.sheets[0].stream_offset, macro_at);
  EXPECT_EQ(wb.sheets[1].name, "Sheet1");
  EXPECT_EQ(wb.sheets[1].kind, SheetKind::worksheet);
  EXPECT_EQ(wb.sheets[1].stream_offset, sheet_at);
  ASSERT_EQ(wb.names.size(), 1u);
  EXPECT_EQ(wb.names[0].name, "Auto_Open");
  EXPECT_TRUE(wb.names[0].builtin);
  EXPECT_EQ(wb.names[0].builtin_code, 0x01);
  EXPECT_FALSE(wb.names[0].hidden);
  ASSERT_EQ(wb.substreams.size(), 3u);
  EXPECT_EQ(wb.substreams[1].offset, macro_at);
  EXPECT_EQ(wb.substreams[1].dt, 0x0040);
  EXPECT_EQ(wb.substreams[1].kind, SheetKind::macro);

  const MacroFacts& m = wb.macros;
  EXPECT_EQ(m.formulas, 2u);
  EXPECT_EQ(m.unparsed_formulas, 0u);
  EXPECT_EQ(m.functions, (std::map<std::string, std::uint32_t>{{"ALERT", 1}, {"HALT", 1}}));
  EXPECT_TRUE(m.udf_calls.empty());
  EXPECT_EQ(m.strings, std::vector<std::string>{"This is a sample Excel 4 macro"});
  ASSERT_EQ(m.cells.size(), 2u);
  EXPECT_EQ(m.cells[0].sheet, "Macro1");
  EXPECT_EQ(m.cells[0].row, 0u);
  EXPECT_EQ(m.cells[0].col, 0u);
  EXPECT_EQ(m.cells[0].functions, std::vector<std::string>{"ALERT"});
  EXPECT_EQ(m.cells[1].row, 1u);
  EXPECT_EQ(m.cells[1].functions, std::vector<std::string>{"HALT"});
}

TEST(Xlm, AutoNamesAsExcelRunsThem) {
  for (const char* n : {"Auto_Open", "AUTO_CLOSE", "auto_open1", "_xlnm.Auto_Open", "_xlnm.auto_activate",
                        "Auto_Deactivate"}) {
    EXPECT_TRUE(is_auto_name(n)) << n;
  }
  for (const char* n : {"Print_Area", "_xlnm.Print_Titles", "MyAuto_Open", "Auto", ""}) EXPECT_FALSE(is_auto_name(n)) << n;
}

TEST(XlmCorpus, Biff8SampleXls) {
  if (sluice::testing::corpora().empty()) { SLUICE_SKIP_UNLESS_CI() << "no corpora"; }
  const auto stream = workbook_stream(excel4_dir() / "excel4_sample_macro.xls");
  ASSERT_TRUE(stream.has_value());
  const auto wb = read_biff8_workbook(view(*stream));
  ASSERT_TRUE(wb.has_value()) << wb.error().what;
  EXPECT_EQ(wb->version, BiffVersion::biff8);
  expect_sample_facts(*wb, 15039, 15610);
}

TEST(XlmCorpus, Biff8SampleXlt) {
  if (sluice::testing::corpora().empty()) { SLUICE_SKIP_UNLESS_CI() << "no corpora"; }
  const auto stream = workbook_stream(excel4_dir() / "excel4_sample_macro.xlt");
  ASSERT_TRUE(stream.has_value());
  const auto wb = read_biff8_workbook(view(*stream));
  ASSERT_TRUE(wb.has_value()) << wb.error().what;
  expect_sample_facts(*wb, 15043, 15614);
}

// excel4_sample_macro_excel5_format.xls: a `Book` stream, BOF vers 0x0500. The
// NAME at 180 (fBuiltin, code 0x01, then a BIFF5 PtgRef3d of 17 bytes);
// BOUNDSHEETs at 7016/7033 with 8-bit names; FORMULA records at 7362 and 7424
// whose PtgStr has no flags byte (cce 36 = 1 + 1 + 30 + 4).
TEST(XlmCorpus, Biff5Sample) {
  if (sluice::testing::corpora().empty()) { SLUICE_SKIP_UNLESS_CI() << "no corpora"; }
  const auto stream = workbook_stream(excel4_dir() / "excel4_sample_macro_excel5_format.xls");
  ASSERT_TRUE(stream.has_value());
  const auto wb = read_biff8_workbook(view(*stream));
  ASSERT_TRUE(wb.has_value()) << wb.error().what;
  EXPECT_EQ(wb->version, BiffVersion::biff5);
  expect_sample_facts(*wb, 7054, 7563);
}

// encrypted/*.xls: FILEPASS at offset 20, wEncryptionType 1 with an
// EncryptionHeader of version 1.1 (plain RC4, Excel's default "VelvetSweatshop"
// password); one BOUNDSHEET whose lbPlyPos alone is clear, pointing at a
// worksheet BOF (dt 0x0010). No macro sheet, so no formulas are counted.
TEST(XlmCorpus, EncryptedWorkbooks) {
  if (sluice::testing::corpora().empty()) { SLUICE_SKIP_UNLESS_CI() << "no corpora"; }
  const std::map<std::string, std::uint32_t> sheet_at = {{"autostart-encrypt-standardpassword.xls", 12618},
                                                         {"dde-test-encrypt-standardpassword.xls", 16148},
                                                         {"encrypted.xls", 12461}};
  for (const auto& [file, at] : sheet_at) {
    SCOPED_TRACE(file);
    const auto stream = workbook_stream(encrypted_dir() / file);
    ASSERT_TRUE(stream.has_value());
    const auto wb = read_biff8_workbook(view(*stream));
    ASSERT_TRUE(wb.has_value()) << wb.error().what;
    EXPECT_EQ(wb->encryption, Encryption::rc4);
    ASSERT_EQ(wb->sheets.size(), 1u);
    EXPECT_TRUE(wb->sheets[0].opaque);
    EXPECT_TRUE(wb->sheets[0].name.empty());
    EXPECT_EQ(wb->sheets[0].stream_offset, at);
    ASSERT_EQ(wb->substreams.size(), 2u);
    EXPECT_EQ(wb->substreams[1].offset, at);
    EXPECT_EQ(wb->substreams[1].kind, SheetKind::worksheet);
    EXPECT_TRUE(wb->names.empty());  // LBLs are ciphertext
    EXPECT_EQ(wb->macros.formulas, 0u);
  }
}

// Every prefix and a few thousand single-byte corruptions of a real stream:
// never a crash, never a failure past the first record.
TEST(XlmCorpus, TruncatedAndCorruptedRealStream) {
  if (sluice::testing::corpora().empty()) { SLUICE_SKIP_UNLESS_CI() << "no corpora"; }
  const auto stream = workbook_stream(excel4_dir() / "excel4_sample_macro.xls");
  ASSERT_TRUE(stream.has_value());
  std::set<std::size_t> boundaries;  // where a record ends, by a plain header walk
  for (std::size_t at = 0; at + 4 <= stream->size();) {
    at += 4u + ((*stream)[at + 2] | ((*stream)[at + 3] << 8));
    boundaries.insert(at);
  }
  ASSERT_TRUE(boundaries.contains(stream->size()));
  for (std::size_t n = 0; n <= stream->size(); n += (n < 20 || n > 15000) ? 1 : 7) {
    const auto wb = read_biff8_workbook(ByteView(stream->data(), n));
    if (n >= 20) {  // past the first BOF
      ASSERT_TRUE(wb.has_value()) << n;
      EXPECT_EQ(wb->truncated, !boundaries.contains(n)) << n;
    }
  }
  // Corrupt bytes of the macro substream (15039..16013) and the globals.
  Bytes copy = *stream;
  std::uint32_t seed = 12345;
  for (int i = 0; i < 4000; ++i) {
    seed = seed * 1103515245u + 12345u;
    const std::size_t at = 15039 + (seed >> 8) % (copy.size() - 15039);
    const std::size_t at2 = (seed >> 4) % 15039;
    const std::uint8_t old = copy[at], old2 = copy[at2];
    copy[at] = static_cast<std::uint8_t>(seed >> 24);
    copy[at2] = static_cast<std::uint8_t>(seed >> 16);
    const auto wb = read_biff8_workbook(view(copy));
    if (wb) {
      EXPECT_LE(wb->macros.strings.size(), MacroFacts::kMaxStrings);
    }
    copy[at] = old;
    copy[at2] = old2;
  }
}

// ---- synthetic BIFF8 ----------------------------------------------------------

// A dropper-shaped workbook: a very hidden macro sheet whose BOF claims to be a
// worksheet (BOUNDSHEET alone says macro), a non-builtin "Auto_Open21", a
// REGISTER alias called through PtgName, a _xlfn. function through PtgNameX, and
// a formula on a plain worksheet that must not count.
Bytes dropper_stream() {
  Bytes globals = bof8(0x0005);
  const std::size_t bs_at = globals.size();
  append(globals, boundsheet8(0, 2, 1, "Macro1"));       // patched below
  append(globals, boundsheet8(0, 0, 0, "Sheet1"));       // patched below
  append(globals, lbl8(0x0001, "Auto_Open21"));          // fHidden, not built-in
  append(globals, lbl8(0x0020 | 0x0001, std::string(1, '\x02')));  // built-in Auto_Close, hidden
  append(globals, lbl8(0x0002 | 0x0008, "VAlloc"));      // fFunc | fProc: a REGISTER alias
  {
    Bytes sb;
    put16(sb, 1);
    put16(sb, 0x3A01);  // add-in SUPBOOK
    append(globals, rec(0x01AE, sb));
    Bytes en;
    put16(en, 0);
    put32(en, 0);
    const std::string x = "_xlfn.SHELLISH";
    put8(en, static_cast<std::uint32_t>(x.size()));
    put8(en, 0);
    en.insert(en.end(), x.begin(), x.end());
    append(globals, rec(0x0023, en));
    Bytes es;
    put16(es, 1);
    put16(es, 0);       // iSupBook 0
    put16(es, 0xFFFE);  // itabFirst
    put16(es, 0xFFFE);
    append(globals, rec(0x0017, es));
  }
  append(globals, eof());

  Bytes macro = bof8(0x0010);  // lies: a worksheet BOF for a macro sheet
  // A1: =EXEC("cmd /c calc")
  append(macro, formula8(0, 0, cat({ptg_str8("cmd /c calc"), ptg_funcvar(1, 0x006E)})));
  // A2: =VAlloc(0, CHAR(65)): PtgName 3, PtgInt, PtgInt, PtgFunc CHAR, FuncVar(3, 0xFF)
  append(macro, formula8(1, 0, cat({ptg_name8(3), ptg_int(0), ptg_int(65), ptg_func(111), ptg_funcvar(3, 0x00FF)})));
  // A3: =_xlfn.SHELLISH("x") via PtgNameX (ixti 0, index 1)
  append(macro, formula8(2, 0, cat({Bytes{0x59, 0, 0, 1, 0, 0, 0}, ptg_str8("x"), ptg_funcvar(2, 0x00FF)})));
  // A4: =FORMULA.FILL("a", Sheet1!A1:B2) with a PtgArea3d, a PtgAttrChoose
  // jump table and an unknown Ftab number.
  append(macro, formula8(3, 0,
                         cat({ptg_str8("a"), Bytes{0x3B, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0},
                              Bytes{0x19, 0x04, 2, 0, 1, 0, 2, 0, 3, 0}, ptg_funcvar(2, 0x8061),
                              ptg_funcvar(0, 0x7FFE)})));
  // A5: =GOTO(R1C1) with a PtgRef, and a PtgMemFunc subexpression.
  append(macro, formula8(4, 0, cat({Bytes{0x29, 5, 0}, Bytes{0x44, 0, 0, 0, 0}, ptg_func(53)})));
  append(macro, eof());

  Bytes sheet = bof8(0x0010);
  append(sheet, formula8(0, 0, cat({ptg_str8("not a macro"), ptg_funcvar(1, 0x006E)})));
  append(sheet, eof());

  const auto macro_at = static_cast<std::uint32_t>(globals.size());
  const auto sheet_at = static_cast<std::uint32_t>(globals.size() + macro.size());
  // Patch the lbPlyPos of both BOUNDSHEETs (body offset 0 after the 4-byte header).
  auto patch = [&globals](std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) globals[at + 4 + i] = static_cast<std::uint8_t>(v >> (8 * i));
  };
  patch(bs_at, macro_at);
  patch(bs_at + 4 + 14, sheet_at);
  Bytes out = globals;
  append(out, macro);
  append(out, sheet);
  return out;
}

TEST(XlmBiff8, DropperShapedWorkbook) {
  const Bytes s = dropper_stream();
  const auto wb = read_biff8_workbook(view(s));
  ASSERT_TRUE(wb.has_value()) << wb.error().what;
  ASSERT_EQ(wb->sheets.size(), 2u);
  EXPECT_EQ(wb->sheets[0].state, SheetState::very_hidden);
  EXPECT_EQ(wb->sheets[0].kind, SheetKind::macro);
  ASSERT_EQ(wb->names.size(), 3u);
  EXPECT_EQ(wb->names[0].name, "Auto_Open21");
  EXPECT_FALSE(wb->names[0].builtin);
  EXPECT_TRUE(wb->names[0].hidden);
  EXPECT_EQ(wb->names[1].name, "Auto_Close");
  EXPECT_TRUE(wb->names[1].builtin);
  EXPECT_EQ(wb->names[1].builtin_code, 0x02);
  EXPECT_TRUE(wb->names[2].function);
  EXPECT_TRUE(wb->names[2].procedure);

  const MacroFacts& m = wb->macros;
  EXPECT_EQ(m.formulas, 5u);  // the worksheet's formula is not counted
  EXPECT_EQ(m.unparsed_formulas, 0u);
  EXPECT_EQ(m.functions.at("EXEC"), 1u);
  EXPECT_EQ(m.functions.at("CHAR"), 1u);
  EXPECT_EQ(m.functions.at("FORMULA.FILL"), 1u);
  EXPECT_EQ(m.functions.at("FTAB#0x7FFE"), 1u);
  EXPECT_EQ(m.functions.at("GOTO"), 1u);
  EXPECT_EQ(m.udf_calls, (std::map<std::string, std::uint32_t>{{"VAlloc", 1}, {"_xlfn.SHELLISH", 1}}));
  EXPECT_EQ(m.strings, (std::vector<std::string>{"cmd /c calc", "x", "a"}));
  ASSERT_EQ(m.cells.size(), 5u);
  EXPECT_EQ(m.cells[1].functions, (std::vector<std::string>{"CHAR", "VAlloc"}));
  EXPECT_EQ(m.cells[1].sheet, "Macro1");
}

TEST(XlmBiff8, FilePassKinds) {
  auto with_filepass = [](const Bytes& fp) {
    Bytes s = bof8(0x0005);
    append(s, rec(0x002F, fp));
    append(s, lbl8(0x0020, std::string(1, '\x01')));  // ciphertext: must not be read
    append(s, eof());
    append(s, bof8(0x0040));
    append(s, formula8(0, 0, ptg_funcvar(0, 0x0036)));
    append(s, eof());
    return s;
  };
  Bytes xor_fp;
  put16(xor_fp, 0);
  put32(xor_fp, 0x12345678);
  Bytes capi_fp;
  put16(capi_fp, 1);
  put16(capi_fp, 4);
  put16(capi_fp, 2);
  put32(capi_fp, 0);
  Bytes odd_fp;
  put16(odd_fp, 7);
  for (const auto& [fp, want] : {std::pair{xor_fp, Encryption::xor_obfuscation},
                                 std::pair{capi_fp, Encryption::rc4_cryptoapi},
                                 std::pair{odd_fp, Encryption::unknown}, std::pair{Bytes{}, Encryption::unknown}}) {
    const Bytes s = with_filepass(fp);
    const auto wb = read_biff8_workbook(view(s));
    ASSERT_TRUE(wb.has_value());
    EXPECT_EQ(wb->encryption, want);
    EXPECT_TRUE(wb->names.empty());
    EXPECT_EQ(wb->macros.formulas, 1u);  // the BOF dt is clear, the body is not
    EXPECT_EQ(wb->macros.opaque_formulas, 1u);
    EXPECT_TRUE(wb->macros.functions.empty());
  }
}

// ---- hostile BIFF8 ------------------------------------------------------------

TEST(XlmBiff8, RejectsWhatIsNotAWorkbook) {
  EXPECT_FALSE(read_biff8_workbook({}).has_value());
  const Bytes three{0x09, 0x08, 0x10};
  EXPECT_FALSE(read_biff8_workbook(view(three)).has_value());
  const Bytes not_bof = rec(0x0006, Bytes(20, 0));
  EXPECT_EQ(read_biff8_workbook(view(not_bof)).error().code, Errc::malformed);
  Bytes biff4 = rec(0x0409, {0, 4, 0x10, 0, 0, 0});
  EXPECT_EQ(read_biff8_workbook(view(biff4)).error().code, Errc::unsupported);
  const Bytes bof_only_header = rec(0x0809, {});
  EXPECT_EQ(read_biff8_workbook(view(bof_only_header)).error().code, Errc::truncated);
}

TEST(XlmBiff8, SizePastTheEndKeepsWhatCameBefore) {
  Bytes s = bof8(0x0005);
  append(s, boundsheet8(0, 1, 1, "Hidden"));
  put16(s, 0x0018);
  put16(s, 0xFFFF);  // a LBL claiming 65535 bytes
  s.resize(s.size() + 10, 0x41);
  const auto wb = read_biff8_workbook(view(s));
  ASSERT_TRUE(wb.has_value());
  EXPECT_TRUE(wb->truncated);
  EXPECT_TRUE(wb->macros.truncated);
  ASSERT_EQ(wb->sheets.size(), 1u);
  EXPECT_EQ(wb->sheets[0].state, SheetState::hidden);
  EXPECT_TRUE(wb->names.empty());
}

TEST(XlmBiff8, LyingFormulas) {
  Bytes s = bof8(0x0040);  // a macro sheet with no globals at all
  // cce says 200, the record holds a whole PtgStr and PtgFuncVar: partial facts.
  append(s, formula8(0, 0, cat({ptg_str8("partial"), ptg_funcvar(1, 0x006E)}), 200));
  // A PtgStr whose cch runs past cce.
  append(s, formula8(1, 0, Bytes{0x17, 0xF0, 0x00, 'a', 'b'}));
  // Unknown tokens: 0x00, 0x1A (BIFF4 PtgSheet), a BIFF8 0x18 with a bad eptg, >= 0x80.
  append(s, formula8(2, 0, Bytes{0x00}));
  append(s, formula8(3, 0, Bytes{0x1A, 0, 0}));
  append(s, formula8(4, 0, Bytes{0x18, 0x55, 0, 0, 0, 0}));
  append(s, formula8(5, 0, Bytes{0x9F}));
  // PtgAttrChoose with a jump table far past the end.
  append(s, formula8(6, 0, Bytes{0x19, 0x04, 0xFF, 0xFF}));
  // PtgFuncVar cut after its argc; a PtgFunc whose argc underflows the stack.
  append(s, formula8(7, 0, Bytes{0x42, 0x01}));
  append(s, formula8(8, 0, cat({ptg_func(31), ptg_funcvar(4, 0x00FF)})));  // MID with nothing under it
  // A formula record too short for its fixed part.
  append(s, rec(0x0006, Bytes(10, 0)));
  append(s, eof());
  const auto wb = read_biff8_workbook(view(s));
  ASSERT_TRUE(wb.has_value());
  const MacroFacts& m = wb->macros;
  EXPECT_EQ(m.formulas, 10u);
  EXPECT_EQ(m.unparsed_formulas, 9u);  // all but the MID one, whose tokens are whole: only its stack is lost
  EXPECT_EQ(m.functions.at("EXEC"), 1u);
  EXPECT_EQ(m.functions.at("MID"), 1u);
  EXPECT_EQ(m.udf_calls.at("?"), 1u);  // the stack lost, the callee unknown
  EXPECT_EQ(m.strings, std::vector<std::string>{"partial"});
}

TEST(XlmBiff8, CapsHoldOnRepetition) {
  Bytes s = bof8(0x0040);
  for (int i = 0; i < 400; ++i) {
    const Bytes rgce = cat({ptg_str8("s" + std::to_string(i)), ptg_funcvar(1, 0x006E)});
    append(s, formula8(static_cast<std::uint16_t>(i), 0, rgce));
  }
  // Forty levels of nested BOFs, unbalanced.
  for (int i = 0; i < 40; ++i) append(s, bof8(0x0040));
  append(s, formula8(0, 0, ptg_funcvar(0, 0x0036)));
  const auto wb = read_biff8_workbook(view(s));
  ASSERT_TRUE(wb.has_value());
  const MacroFacts& m = wb->macros;
  EXPECT_EQ(m.strings.size(), MacroFacts::kMaxStrings);
  EXPECT_EQ(m.strings_dropped, 400u - MacroFacts::kMaxStrings);
  EXPECT_EQ(m.cells.size(), MacroFacts::kMaxCells);
  EXPECT_EQ(m.cells_dropped, 400u - MacroFacts::kMaxCells);
  EXPECT_EQ(m.functions.at("EXEC"), 400u);
  EXPECT_EQ(m.functions.count("HALT"), 0u);  // past the depth limit: not interpreted
}

TEST(XlmBiff8, EveryPrefixOfTheDropper) {
  const Bytes s = dropper_stream();
  for (std::size_t n = 0; n <= s.size(); ++n) {
    const auto wb = read_biff8_workbook(ByteView(s.data(), n));
    if (wb) {
      EXPECT_LE(wb->macros.formulas, 5u);
    }
  }
}

// ---- BIFF12 (synthetic, modelled on excel4_sample_macro.xlsb) ----------------

// xl/workbook.bin of the sample holds BrtBeginBook (0x83), BrtBundleSh (0x9C,
// hsState 0, iTabID 2, "rId1", "Macro1"; then iTabID 1, "rId2", "Sheet1") and a
// BrtName (0x27) with fBuiltin whose text is "Auto_Open" spelled out. These
// records rebuild that shape with a very hidden sheet and a second name.
Bytes biff12_workbook() {
  Bytes out = brt(0x0083, {});
  Bytes sh1;
  put32(sh1, 2);  // very hidden
  put32(sh1, 2);
  put_wide(sh1, "rId1");
  put_wide(sh1, "Macro1");
  append(out, brt(0x009C, sh1));
  Bytes sh2;
  put32(sh2, 0);
  put32(sh2, 1);
  put32(sh2, 0xFFFFFFFF);  // null relationship ID
  put_wide(sh2, "Sheet1");
  append(out, brt(0x009C, sh2));
  Bytes n1;
  put32(n1, 0x20);
  put8(n1, 0);
  put32(n1, 0xFFFFFFFF);
  put_wide(n1, "Auto_Open");
  append(out, brt(0x0027, n1));
  Bytes n2;
  put32(n2, 0x01 | 0x02);
  put8(n2, 0);
  put32(n2, 0xFFFFFFFF);
  put_wide(n2, "Kick");
  append(out, brt(0x0027, n2));
  append(out, brt(0x0084, {}));  // BrtEndBook
  return out;
}

TEST(XlmBiff12, Workbook) {
  const Bytes b = biff12_workbook();
  const auto wb = read_biff12_workbook(view(b));
  ASSERT_TRUE(wb.has_value()) << wb.error().what;
  EXPECT_FALSE(wb->truncated);
  ASSERT_EQ(wb->sheets.size(), 2u);
  EXPECT_EQ(wb->sheets[0].name, "Macro1");
  EXPECT_EQ(wb->sheets[0].rel_id, "rId1");
  EXPECT_EQ(wb->sheets[0].tab_id, 2u);
  EXPECT_EQ(wb->sheets[0].state, SheetState::very_hidden);
  EXPECT_EQ(wb->sheets[1].rel_id, "");
  ASSERT_EQ(wb->names.size(), 2u);
  EXPECT_EQ(wb->names[0].name, "Auto_Open");
  EXPECT_TRUE(wb->names[0].builtin);
  EXPECT_EQ(wb->names[0].builtin_code, 0x01);
  EXPECT_EQ(wb->names[1].name, "Kick");
  EXPECT_TRUE(wb->names[1].hidden);
  EXPECT_TRUE(wb->names[1].function);
}

// xl/macrosheets/sheet1.bin of the sample: BrtRowHdr (0x00, rw 0), BrtFmlaBool
// (0x0A, 86 bytes: Cell 8, bool 1, grbitFlags 2, cce 67, rgce = PtgStr with a
// 2-byte cch and UTF-16 "This is a sample Excel 4 macro", PtgFuncVar(1, 0x8076),
// cb 0), then rw 1 and a BrtFmlaBool with PtgFuncVar(0, 0x0036). Rebuilt here,
// plus a BrtFmlaNum calling a name through PtgName (4-byte index) and a
// BrtFmlaString with a BIFF12-sized PtgRef3d.
Bytes biff12_macrosheet() {
  auto fmla = [](std::uint32_t type, std::uint32_t col, const Bytes& value, const Bytes& rgce,
                 std::optional<std::uint32_t> cce = {}) {
    Bytes b;
    put32(b, col);
    put32(b, 0);  // iStyleRef + flags
    append(b, value);
    put16(b, 0);  // grbitFlags
    put32(b, cce.value_or(static_cast<std::uint32_t>(rgce.size())));
    append(b, rgce);
    put32(b, 0);  // cb
    return brt(type, b);
  };
  auto row = [](std::uint32_t rw) {
    Bytes b;
    put32(b, rw);
    b.resize(17, 0);
    return brt(0x0000, b);
  };
  Bytes str12{0x17};
  const std::string text = "This is a sample Excel 4 macro";
  put16(str12, static_cast<std::uint32_t>(text.size()));
  for (char c : text) put16(str12, static_cast<std::uint8_t>(c));
  Bytes name12{0x43};
  put32(name12, 2);  // "Kick"
  Bytes ref3d12{0x3A, 0, 0, 5, 0, 0, 0, 1, 0};
  Bytes wide_value;
  put_wide(wide_value, "cached");

  Bytes out = brt(0x0081, {});  // BrtBeginSheet
  append(out, row(0));
  append(out, fmla(0x0A, 0, {0}, cat({str12, ptg_funcvar(1, 0x8076)})));
  append(out, row(1));
  append(out, fmla(0x0A, 0, {1}, ptg_funcvar(0, 0x0036)));
  append(out, row(2));
  append(out, fmla(0x09, 0, Bytes(8, 0), cat({name12, ptg_int(1), ptg_funcvar(2, 0x00FF)})));
  append(out, fmla(0x08, 1, wide_value, cat({ref3d12, ptg_funcvar(1, 0x0095)})));
  append(out, brt(0x0082, {}));  // BrtEndSheet
  return out;
}

TEST(XlmBiff12, MacroSheet) {
  const Bytes wbb = biff12_workbook();
  const auto wb = read_biff12_workbook(view(wbb));
  ASSERT_TRUE(wb.has_value());
  const Bytes b = biff12_macrosheet();
  const MacroFacts m = read_biff12_macrosheet(view(b), wb->names, "Macro1");
  EXPECT_FALSE(m.truncated);
  EXPECT_EQ(m.formulas, 4u);
  EXPECT_EQ(m.unparsed_formulas, 0u);
  EXPECT_EQ(m.functions,
            (std::map<std::string, std::uint32_t>{{"ALERT", 1}, {"HALT", 1}, {"REGISTER", 1}}));
  EXPECT_EQ(m.udf_calls, (std::map<std::string, std::uint32_t>{{"Kick", 1}}));
  EXPECT_EQ(m.strings, std::vector<std::string>{"This is a sample Excel 4 macro"});
  ASSERT_EQ(m.cells.size(), 4u);
  EXPECT_EQ(m.cells[0].sheet, "Macro1");
  EXPECT_EQ(m.cells[1].row, 1u);
  EXPECT_EQ(m.cells[3].row, 2u);
  EXPECT_EQ(m.cells[3].col, 1u);
}

TEST(XlmBiff12, Hostile) {
  EXPECT_FALSE(read_biff12_workbook({}).has_value());
  const Bytes not_book = brt(0x0081, {});
  EXPECT_EQ(read_biff12_workbook(view(not_book)).error().code, Errc::malformed);
  const Bytes long_type{0x83, 0x81, 0x01, 0x00};  // a third type byte
  EXPECT_FALSE(read_biff12_workbook(view(long_type)).has_value());

  Bytes runaway = brt(0x0083, {});
  append(runaway, Bytes{0x9C, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x01});  // a fifth size byte
  auto wb = read_biff12_workbook(view(runaway));
  ASSERT_TRUE(wb.has_value());
  EXPECT_TRUE(wb->truncated);

  Bytes past = brt(0x0083, {});
  append(past, Bytes{0x9C, 0x01, 0x7F, 0x00});  // 127 bytes claimed, 1 there
  wb = read_biff12_workbook(view(past));
  ASSERT_TRUE(wb.has_value());
  EXPECT_TRUE(wb->truncated);
  EXPECT_TRUE(wb->sheets.empty());

  Bytes huge_name = brt(0x0083, {});
  Bytes sh;
  put32(sh, 0);
  put32(sh, 1);
  put32(sh, 0x7FFFFFFF);  // a relationship ID of two billion characters
  append(huge_name, brt(0x009C, sh));
  wb = read_biff12_workbook(view(huge_name));
  ASSERT_TRUE(wb.has_value());
  EXPECT_TRUE(wb->sheets.empty());

  // A formula whose cce claims four billion bytes; a string value that lies.
  Bytes sheet;
  Bytes f;
  put32(f, 0);
  put32(f, 0);
  put8(f, 0);
  put16(f, 0);
  put32(f, 0xFFFFFFF0);
  append(f, ptg_funcvar(0, 0x0036));
  append(sheet, brt(0x0A, f));
  Bytes fs;
  put32(fs, 0);
  put32(fs, 0);
  put32(fs, 0x40000000);
  append(sheet, brt(0x08, fs));
  const MacroFacts m = read_biff12_macrosheet(view(sheet));
  EXPECT_EQ(m.formulas, 2u);
  EXPECT_EQ(m.unparsed_formulas, 2u);
  EXPECT_EQ(m.functions.at("HALT"), 1u);
  EXPECT_TRUE(read_biff12_macrosheet({}).functions.empty());
}

TEST(XlmBiff12, EveryPrefix) {
  const Bytes wbb = biff12_workbook();
  for (std::size_t n = 0; n <= wbb.size(); ++n) (void)read_biff12_workbook(ByteView(wbb.data(), n));
  const Bytes b = biff12_macrosheet();
  for (std::size_t n = 0; n <= b.size(); ++n) {
    const MacroFacts m = read_biff12_macrosheet(ByteView(b.data(), n));
    EXPECT_LE(m.formulas, 4u);
  }
}

TEST(XlmTables, KnownNumbers) {
  // Spot checks against MS-XLS §2.5.198.17 (Ftab) and §2.5.198.4 (Cetab).
  EXPECT_EQ(function_name(110, false), "EXEC");
  EXPECT_EQ(function_name(150, false), "CALL");
  EXPECT_EQ(function_name(149, false), "REGISTER");
  EXPECT_EQ(function_name(267, false), "REGISTER.ID");
  EXPECT_EQ(function_name(54, false), "HALT");
  EXPECT_EQ(function_name(53, false), "GOTO");
  EXPECT_EQ(function_name(132, false), "FOPEN");
  EXPECT_EQ(function_name(138, false), "FWRITE");
  EXPECT_EQ(function_name(137, false), "FWRITELN");
  EXPECT_EQ(function_name(133, false), "FCLOSE");
  EXPECT_EQ(function_name(111, false), "CHAR");
  EXPECT_EQ(function_name(31, false), "MID");
  EXPECT_EQ(function_name(186, false), "GET.WORKSPACE");
  EXPECT_EQ(function_name(187, false), "GET.WINDOW");
  EXPECT_EQ(function_name(185, false), "GET.CELL");
  EXPECT_EQ(function_name(74, false), "NOW");
  EXPECT_EQ(function_name(108, false), "SET.VALUE");
  EXPECT_EQ(function_name(88, false), "SET.NAME");
  EXPECT_EQ(function_name(84, false), "ERROR");
  EXPECT_EQ(function_name(55, false), "RETURN");
  EXPECT_EQ(function_name(166, false), "FILES");
  EXPECT_EQ(function_name(123, false), "DIRECTORY");
  EXPECT_EQ(function_name(257, false), "EVALUATE");
  EXPECT_EQ(function_name(0x11, true), "RUN");
  EXPECT_EQ(function_name(0x60, true), "FORMULA");
  EXPECT_EQ(function_name(0x61, true), "FORMULA.FILL");
  EXPECT_EQ(function_name(0x76, true), "ALERT");
  EXPECT_EQ(function_name(0x95, true), "WAIT");
  EXPECT_EQ(function_name(0xAD, true), "APP.MAXIMIZE");
  EXPECT_EQ(function_name(0x7FFF, true), "");
  EXPECT_EQ(builtin_name(1), "Auto_Open");
  EXPECT_EQ(builtin_name(2), "Auto_Close");
  EXPECT_EQ(builtin_name(0x0D), "_FilterDatabase");
  EXPECT_EQ(builtin_name(0x0E), "");
}

}  // namespace
}  // namespace sluice::codecs::office
