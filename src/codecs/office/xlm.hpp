#pragma once
// Excel 4.0 (XLM) macro facts from the three containers that carry them: the
// BIFF5/BIFF8 `Book`/`Workbook` stream of .xls/.xlt (MS-XLS), and the BIFF12
// parts `xl/workbook.bin` and `xl/macrosheets/*.bin` of .xlsb (MS-XLSB).
//
// A format reports facts and a detector judges, so this is a model (sheets and
// their visibility, defined names such as Auto_Open, the functions and string
// constants in macro-sheet formulas), never a verdict. Pure and bounded by the
// input: every loop advances by at least one byte of it, every list that a
// hostile file could grow without growing the facts is capped.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/byte_view.hpp"
#include "sluice/result.hpp"

namespace sluice::codecs::office {

enum class SheetState : std::uint8_t { visible, hidden, very_hidden, unknown };
enum class SheetKind : std::uint8_t { worksheet, macro, chart, vba_module, unknown };
enum class BiffVersion : std::uint8_t { biff5, biff8, biff12 };
// FILEPASS (MS-XLS §2.4.117): XOR obfuscation, RC4 (EncryptionHeader 1.1) or RC4
// CryptoAPI (2.2, 3.2, 4.2); `unknown` is a FILEPASS whose header we cannot name.
enum class Encryption : std::uint8_t { none, xor_obfuscation, rc4, rc4_cryptoapi, unknown };

[[nodiscard]] std::string_view to_string(SheetState s) noexcept;
[[nodiscard]] std::string_view to_string(SheetKind k) noexcept;
[[nodiscard]] std::string_view to_string(Encryption e) noexcept;

struct Sheet {
  std::string name;  // UTF-8; empty when `opaque`
  SheetState state = SheetState::unknown;
  SheetKind kind = SheetKind::unknown;  // BIFF12 leaves it unknown: the relationship type says
  std::uint32_t stream_offset = 0;      // BIFF: lbPlyPos, where the sheet's BOF is
  std::string rel_id;                   // BIFF12: strRelID ("rId1"), for the caller to map to a part
  std::uint32_t tab_id = 0;             // BIFF12: iTabID
  // Encrypted workbooks keep only lbPlyPos in clear (MS-XLS §2.2.10): name,
  // state and kind are ciphertext and reported unknown.
  bool opaque = false;
};

// A substream found by its BOF (MS-XLS §2.4.21), whose dt is never encrypted:
// even an encrypted workbook tells whether it holds a macro sheet.
struct Substream {
  std::uint32_t offset = 0;
  std::uint16_t dt = 0;  // 0x0005 globals, 0x0010 sheet, 0x0020 chart, 0x0040 macro sheet, 0x0100 workspace
  SheetKind kind = SheetKind::unknown;
};

struct DefinedName {
  std::string name;  // raw text as UTF-8; for a BIFF built-in the display name ("Auto_Open")
  bool builtin = false;
  std::uint8_t builtin_code = 0xFF;  // 0x01 Auto_Open, 0x02 Auto_Close, ...; 0xFF when not known
  bool hidden = false;
  bool function = false;   // fFunc: the name is an XLM function or command macro
  bool vba = false;        // fOB: a VBA macro
  bool procedure = false;  // fProc: a macro (function or command) rather than a range
  std::uint32_t sheet = 0;  // itab: 0 for workbook scope (BIFF12: 0xFFFFFFFF)
};

// "Auto_Open", "Auto_Close", ... for a built-in name code (MS-XLS §2.4.150 Lbl);
// empty for codes past the table.
[[nodiscard]] std::string_view builtin_name(std::uint8_t code) noexcept;
// A defined name Excel runs by itself: Auto_Open, Auto_Close, Auto_Activate or
// Auto_Deactivate, any case, also as "_xlnm.Auto_Open" (Office XML, BIFF12)
// and with a suffix ("Auto_Open1", "auto_openXYZ": Excel still runs them).
[[nodiscard]] bool is_auto_name(std::string_view name);
// The Ftab (MS-XLS §2.5.198.17, MS-XLSB §2.5.98.10) or Cetab (MS-XLS §2.5.198.4) name of
// a function number; empty when the table has none.
[[nodiscard]] std::string_view function_name(std::uint16_t tab, bool command) noexcept;

struct MacroCell {
  std::string sheet;  // sheet name when known
  std::uint32_t row = 0, col = 0;
  std::vector<std::string> functions;  // in token order, capped at kMaxCellFunctions
};

struct MacroFacts {
  static constexpr std::size_t kMaxStrings = 256;
  static constexpr std::size_t kMaxCells = 256;
  static constexpr std::size_t kMaxCellFunctions = 32;
  static constexpr std::size_t kMaxUdfNames = 256;

  std::uint32_t formulas = 0;           // formula cells in macro sheets
  std::uint32_t unparsed_formulas = 0;  // walk stopped early: unknown token, lying cce
  std::uint32_t opaque_formulas = 0;    // formula records after FILEPASS (ciphertext)
  // Built-in function and command calls by name ("EXEC", "ALERT"); numbers
  // missing from the tables appear as "FTAB#0x1234" / "CETAB#0x0123".
  std::map<std::string, std::uint32_t> functions;
  // User-defined calls (PtgFuncVar tab 0x00FF) by the name they call through
  // (a defined name, a REGISTER alias, an add-in or _xlfn. function); "?" when
  // the name operand could not be resolved.
  std::map<std::string, std::uint32_t> udf_calls;
  std::vector<std::string> strings;  // PtgStr constants as UTF-8, first kMaxStrings
  // The strings that are http:// or https:// URLs (any case), in order.
  [[nodiscard]] std::vector<std::string_view> urls() const;
  std::uint32_t strings_dropped = 0;
  std::vector<MacroCell> cells;  // formula cells that call anything, first kMaxCells
  std::uint32_t cells_dropped = 0;
  bool truncated = false;  // a record ran past the end of the input: facts are partial
};

struct Workbook {
  BiffVersion version = BiffVersion::biff8;
  Encryption encryption = Encryption::none;
  [[nodiscard]] bool encrypted() const noexcept { return encryption != Encryption::none; }
  std::vector<Sheet> sheets;
  std::vector<DefinedName> names;
  std::vector<Substream> substreams;
  MacroFacts macros;
  // DDE links of SupBook records (MS-XLS §2.4.271 with a VirtualPath "service
  // \x03 topic"): "cmd /c calc.exe". At most kMaxDdeLinks.
  static constexpr std::size_t kMaxDdeLinks = 256;
  std::vector<std::string> dde_links;
  std::uint32_t records = 0;
  bool truncated = false;  // same as macros.truncated, for the globals too
};

// The `Workbook` (BIFF8) or `Book` (BIFF5) stream. Fails only when the first
// record is not a BIFF5/BIFF8 BOF; later damage yields partial facts with
// `truncated` set.
[[nodiscard]] Result<Workbook> read_biff8_workbook(ByteView workbook_stream);

// FILEPASS (MS-XLS §2.4.117) of a BIFF8 workbook stream: where it is, and the
// encryption header after wEncryptionType (what parse_encryption_info reads).
struct FilePass {
  std::uint64_t offset = 0;
  std::uint16_t encryption_type = 0;  // 0 XOR obfuscation, 1 RC4
  ByteView header;
};
[[nodiscard]] std::optional<FilePass> find_filepass(ByteView workbook_stream);

// A decrypted copy of an encrypted workbook stream: each record body after
// FILEPASS run through `decrypt(offset, bytes)` (the bytes' offset in the
// stream: RC4 is keyed by position), except what MS-XLS §2.2.10 keeps in clear
// (BOF, FILEPASS, InterfaceHdr, UsrExcl, FileLock, RRDInfo, RRDHead, and
// BoundSheet8's lbPlyPos). FILEPASS itself is renamed to a record no reader
// knows, so the copy reads as a plain workbook. At most `max_bytes`.
[[nodiscard]] std::vector<std::uint8_t> decrypt_workbook(
    ByteView workbook_stream, const FilePass& filepass,
    const std::function<void(std::uint64_t, std::span<std::uint8_t>)>& decrypt, std::uint64_t max_bytes);

struct Biff12Workbook {
  std::vector<Sheet> sheets;  // from BrtBundleSh, in tab order
  std::vector<DefinedName> names;  // from BrtName, in record order (PtgName indexes this, 1-based)
  std::uint32_t records = 0;
  bool truncated = false;
};

// `xl/workbook.bin`. Fails when the part does not begin with BrtBeginBook.
[[nodiscard]] Result<Biff12Workbook> read_biff12_workbook(ByteView workbook_bin);

// `xl/externalLinks/*.bin` (MS-XLSB §2.4.300 BrtBeginSupBook): for a DDE link
// (sbt 0x0001) the server and the topic, "cmd /c calc.exe"; nothing otherwise.
[[nodiscard]] std::optional<std::string> read_biff12_dde_link(ByteView supbook_part);

// The part's first record: which reader applies.
enum class Biff12Part : std::uint8_t { workbook, sheet, external_link, other };
[[nodiscard]] Biff12Part biff12_part_kind(ByteView part);

// One `xl/macrosheets/*.bin`: the BrtFmla* cells' formulas. `names` (the
// workbook's BrtName list) resolves user-defined calls made through PtgName;
// `sheet_name` labels the cells.
[[nodiscard]] MacroFacts read_biff12_macrosheet(ByteView sheet_bin, std::span<const DefinedName> names = {},
                                                std::string_view sheet_name = {});

}  // namespace sluice::codecs::office
