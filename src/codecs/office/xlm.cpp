#include "codecs/office/xlm.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <optional>
#include <utility>

#include "core/reader.hpp"
#include "core/text.hpp"

namespace sluice::codecs::office {
namespace {

using core::load_le;

// ---------------------------------------------------------------------------
// Function tables. Ftab: MS-XLS §2.5.198.17 (numbers past 0x17B are the BIFF12
// additions of MS-XLSB §2.5.98.10, which BIFF8 writes as _xlfn. names instead).
// Cetab: MS-XLS §2.5.198.4. Cross-checked against two independent readers'
// tables (oledump's plugin_biff and SheetJS), which agree on every number both
// list. `argc` is the fixed argument count a PtgFunc implies (PtgFunc carries no
// count, MS-XLS §2.5.198.62); kVar marks functions only PtgFuncVar may call.
// ---------------------------------------------------------------------------

constexpr std::uint8_t kVar = 0xFF;

struct FtabEntry {
  std::uint16_t id;
  std::uint8_t argc;
  const char* name;
};
struct CetabEntry {
  std::uint16_t id;
  const char* name;
};

constexpr FtabEntry kFtab[] = {
    {0x000, kVar, "COUNT"}, {0x001, kVar, "IF"}, {0x002, 1, "ISNA"}, {0x003, 1, "ISERROR"}, {0x004, kVar, "SUM"},
    {0x005, kVar, "AVERAGE"}, {0x006, kVar, "MIN"}, {0x007, kVar, "MAX"}, {0x008, kVar, "ROW"},
    {0x009, kVar, "COLUMN"}, {0x00A, 0, "NA"}, {0x00B, kVar, "NPV"}, {0x00C, kVar, "STDEV"}, {0x00D, kVar, "DOLLAR"},
    {0x00E, kVar, "FIXED"}, {0x00F, 1, "SIN"}, {0x010, 1, "COS"}, {0x011, 1, "TAN"}, {0x012, 1, "ATAN"},
    {0x013, 0, "PI"}, {0x014, 1, "SQRT"}, {0x015, 1, "EXP"}, {0x016, 1, "LN"}, {0x017, 1, "LOG10"}, {0x018, 1, "ABS"},
    {0x019, 1, "INT"}, {0x01A, 1, "SIGN"}, {0x01B, 2, "ROUND"}, {0x01C, kVar, "LOOKUP"}, {0x01D, kVar, "INDEX"},
    {0x01E, 2, "REPT"}, {0x01F, 3, "MID"}, {0x020, 1, "LEN"}, {0x021, 1, "VALUE"}, {0x022, 0, "TRUE"},
    {0x023, 0, "FALSE"}, {0x024, kVar, "AND"}, {0x025, kVar, "OR"}, {0x026, 1, "NOT"}, {0x027, 2, "MOD"},
    {0x028, 3, "DCOUNT"}, {0x029, 3, "DSUM"}, {0x02A, 3, "DAVERAGE"}, {0x02B, 3, "DMIN"}, {0x02C, 3, "DMAX"},
    {0x02D, 3, "DSTDEV"}, {0x02E, kVar, "VAR"}, {0x02F, 3, "DVAR"}, {0x030, 2, "TEXT"}, {0x031, kVar, "LINEST"},
    {0x032, kVar, "TREND"}, {0x033, kVar, "LOGEST"}, {0x034, kVar, "GROWTH"}, {0x035, 1, "GOTO"},
    {0x036, kVar, "HALT"}, {0x037, kVar, "RETURN"}, {0x038, kVar, "PV"}, {0x039, kVar, "FV"}, {0x03A, kVar, "NPER"},
    {0x03B, kVar, "PMT"}, {0x03C, kVar, "RATE"}, {0x03D, 3, "MIRR"}, {0x03E, kVar, "IRR"}, {0x03F, 0, "RAND"},
    {0x040, kVar, "MATCH"}, {0x041, 3, "DATE"}, {0x042, 3, "TIME"}, {0x043, 1, "DAY"}, {0x044, 1, "MONTH"},
    {0x045, 1, "YEAR"}, {0x046, 1, "WEEKDAY"}, {0x047, 1, "HOUR"}, {0x048, 1, "MINUTE"}, {0x049, 1, "SECOND"},
    {0x04A, 0, "NOW"}, {0x04B, 1, "AREAS"}, {0x04C, 1, "ROWS"}, {0x04D, 1, "COLUMNS"}, {0x04E, kVar, "OFFSET"},
    {0x04F, 2, "ABSREF"}, {0x050, 2, "RELREF"}, {0x051, kVar, "ARGUMENT"}, {0x052, kVar, "SEARCH"},
    {0x053, 1, "TRANSPOSE"}, {0x054, kVar, "ERROR"}, {0x055, 0, "STEP"}, {0x056, 1, "TYPE"}, {0x057, kVar, "ECHO"},
    {0x058, kVar, "SET.NAME"}, {0x059, 0, "CALLER"}, {0x05A, 1, "DEREF"}, {0x05B, kVar, "WINDOWS"},
    {0x05C, kVar, "SERIES"}, {0x05D, kVar, "DOCUMENTS"}, {0x05E, 0, "ACTIVE.CELL"}, {0x05F, 0, "SELECTION"},
    {0x060, kVar, "RESULT"}, {0x061, 2, "ATAN2"}, {0x062, 1, "ASIN"}, {0x063, 1, "ACOS"}, {0x064, kVar, "CHOOSE"},
    {0x065, 3, "HLOOKUP"}, {0x066, 3, "VLOOKUP"}, {0x067, kVar, "LINKS"}, {0x068, kVar, "INPUT"}, {0x069, 1, "ISREF"},
    {0x06A, 1, "GET.FORMULA"}, {0x06B, kVar, "GET.NAME"}, {0x06C, 2, "SET.VALUE"}, {0x06D, kVar, "LOG"},
    {0x06E, kVar, "EXEC"}, {0x06F, 1, "CHAR"}, {0x070, 1, "LOWER"}, {0x071, 1, "UPPER"}, {0x072, 1, "PROPER"},
    {0x073, kVar, "LEFT"}, {0x074, kVar, "RIGHT"}, {0x075, 2, "EXACT"}, {0x076, 1, "TRIM"}, {0x077, 4, "REPLACE"},
    {0x078, kVar, "SUBSTITUTE"}, {0x079, 1, "CODE"}, {0x07A, kVar, "NAMES"}, {0x07B, kVar, "DIRECTORY"},
    {0x07C, kVar, "FIND"}, {0x07D, kVar, "CELL"}, {0x07E, 1, "ISERR"}, {0x07F, 1, "ISTEXT"}, {0x080, 1, "ISNUMBER"},
    {0x081, 1, "ISBLANK"}, {0x082, 1, "T"}, {0x083, 1, "N"}, {0x084, kVar, "FOPEN"}, {0x085, 1, "FCLOSE"},
    {0x086, 1, "FSIZE"}, {0x087, 1, "FREADLN"}, {0x088, 2, "FREAD"}, {0x089, 2, "FWRITELN"}, {0x08A, 2, "FWRITE"},
    {0x08B, kVar, "FPOS"}, {0x08C, 1, "DATEVALUE"}, {0x08D, 1, "TIMEVALUE"}, {0x08E, 3, "SLN"}, {0x08F, 4, "SYD"},
    {0x090, 4, "DDB"}, {0x091, kVar, "GET.DEF"}, {0x092, kVar, "REFTEXT"}, {0x093, kVar, "TEXTREF"},
    {0x094, kVar, "INDIRECT"}, {0x095, kVar, "REGISTER"}, {0x096, kVar, "CALL"}, {0x097, kVar, "ADD.BAR"},
    {0x098, kVar, "ADD.MENU"}, {0x099, kVar, "ADD.COMMAND"}, {0x09A, kVar, "ENABLE.COMMAND"},
    {0x09B, kVar, "CHECK.COMMAND"}, {0x09C, kVar, "RENAME.COMMAND"}, {0x09D, kVar, "SHOW.BAR"},
    {0x09E, kVar, "DELETE.MENU"}, {0x09F, kVar, "DELETE.COMMAND"}, {0x0A0, kVar, "GET.CHART.ITEM"},
    {0x0A1, 1, "DIALOG.BOX"}, {0x0A2, 1, "CLEAN"}, {0x0A3, 1, "MDETERM"}, {0x0A4, 1, "MINVERSE"}, {0x0A5, 2, "MMULT"},
    {0x0A6, kVar, "FILES"}, {0x0A7, kVar, "IPMT"}, {0x0A8, kVar, "PPMT"}, {0x0A9, kVar, "COUNTA"},
    {0x0AA, kVar, "CANCEL.KEY"}, {0x0AB, kVar, "FOR"}, {0x0AC, 1, "WHILE"}, {0x0AD, kVar, "BREAK"},
    {0x0AE, kVar, "NEXT"}, {0x0AF, 2, "INITIATE"}, {0x0B0, 2, "REQUEST"}, {0x0B1, 3, "POKE"}, {0x0B2, 2, "EXECUTE"},
    {0x0B3, 1, "TERMINATE"}, {0x0B4, kVar, "RESTART"}, {0x0B5, kVar, "HELP"}, {0x0B6, kVar, "GET.BAR"},
    {0x0B7, kVar, "PRODUCT"}, {0x0B8, 1, "FACT"}, {0x0B9, kVar, "GET.CELL"}, {0x0BA, 1, "GET.WORKSPACE"},
    {0x0BB, kVar, "GET.WINDOW"}, {0x0BC, kVar, "GET.DOCUMENT"}, {0x0BD, 3, "DPRODUCT"}, {0x0BE, 1, "ISNONTEXT"},
    {0x0BF, kVar, "GET.NOTE"}, {0x0C0, kVar, "NOTE"}, {0x0C1, kVar, "STDEVP"}, {0x0C2, kVar, "VARP"},
    {0x0C3, 3, "DSTDEVP"}, {0x0C4, 3, "DVARP"}, {0x0C5, 1, "TRUNC"}, {0x0C6, 1, "ISLOGICAL"}, {0x0C7, 3, "DCOUNTA"},
    {0x0C8, kVar, "DELETE.BAR"}, {0x0C9, 1, "UNREGISTER"}, {0x0CC, kVar, "USDOLLAR"}, {0x0CD, kVar, "FINDB"},
    {0x0CE, kVar, "SEARCHB"}, {0x0CF, 4, "REPLACEB"}, {0x0D0, kVar, "LEFTB"}, {0x0D1, kVar, "RIGHTB"},
    {0x0D2, 3, "MIDB"}, {0x0D3, 1, "LENB"}, {0x0D4, 2, "ROUNDUP"}, {0x0D5, 2, "ROUNDDOWN"}, {0x0D6, 1, "ASC"},
    {0x0D7, 1, "DBCS"}, {0x0D8, kVar, "RANK"}, {0x0DB, kVar, "ADDRESS"}, {0x0DC, kVar, "DAYS360"},
    {0x0DD, 0, "TODAY"}, {0x0DE, kVar, "VDB"}, {0x0DF, kVar, "ELSE"}, {0x0E0, kVar, "ELSE.IF"}, {0x0E1, 0, "END.IF"},
    {0x0E2, kVar, "FOR.CELL"}, {0x0E3, kVar, "MEDIAN"}, {0x0E4, kVar, "SUMPRODUCT"}, {0x0E5, 1, "SINH"},
    {0x0E6, 1, "COSH"}, {0x0E7, 1, "TANH"}, {0x0E8, 1, "ASINH"}, {0x0E9, 1, "ACOSH"}, {0x0EA, 1, "ATANH"},
    {0x0EB, 3, "DGET"}, {0x0EC, kVar, "CREATE.OBJECT"}, {0x0ED, kVar, "VOLATILE"}, {0x0EE, kVar, "LAST.ERROR"},
    {0x0EF, kVar, "CUSTOM.UNDO"}, {0x0F0, kVar, "CUSTOM.REPEAT"}, {0x0F1, kVar, "FORMULA.CONVERT"},
    {0x0F2, kVar, "GET.LINK.INFO"}, {0x0F3, kVar, "TEXT.BOX"}, {0x0F4, 1, "INFO"}, {0x0F5, kVar, "GROUP"},
    {0x0F6, kVar, "GET.OBJECT"}, {0x0F7, 4, "DB"}, {0x0F8, kVar, "PAUSE"}, {0x0FB, kVar, "RESUME"},
    {0x0FC, 2, "FREQUENCY"}, {0x0FD, kVar, "ADD.TOOLBAR"}, {0x0FE, kVar, "DELETE.TOOLBAR"},
    {0x100, kVar, "RESET.TOOLBAR"}, {0x101, 1, "EVALUATE"},
    {0x102, kVar, "GET.TOOLBAR"}, {0x103, kVar, "GET.TOOL"}, {0x104, kVar, "SPELLING.CHECK"},
    {0x105, 1, "ERROR.TYPE"}, {0x106, kVar, "APP.TITLE"}, {0x107, kVar, "WINDOW.TITLE"},
    {0x108, kVar, "SAVE.TOOLBAR"}, {0x109, kVar, "ENABLE.TOOL"}, {0x10A, kVar, "PRESS.TOOL"},
    {0x10B, kVar, "REGISTER.ID"}, {0x10C, kVar, "GET.WORKBOOK"}, {0x10D, kVar, "AVEDEV"}, {0x10E, kVar, "BETADIST"},
    {0x10F, 1, "GAMMALN"}, {0x110, kVar, "BETAINV"}, {0x111, 4, "BINOMDIST"}, {0x112, 2, "CHIDIST"},
    {0x113, 2, "CHIINV"}, {0x114, 2, "COMBIN"}, {0x115, 3, "CONFIDENCE"}, {0x116, 3, "CRITBINOM"}, {0x117, 1, "EVEN"},
    {0x118, 3, "EXPONDIST"}, {0x119, 3, "FDIST"}, {0x11A, 3, "FINV"}, {0x11B, 1, "FISHER"}, {0x11C, 1, "FISHERINV"},
    {0x11D, 2, "FLOOR"}, {0x11E, 4, "GAMMADIST"}, {0x11F, 3, "GAMMAINV"}, {0x120, 2, "CEILING"},
    {0x121, 4, "HYPGEOMDIST"}, {0x122, 3, "LOGNORMDIST"}, {0x123, 3, "LOGINV"}, {0x124, 3, "NEGBINOMDIST"},
    {0x125, 4, "NORMDIST"}, {0x126, 1, "NORMSDIST"}, {0x127, 3, "NORMINV"}, {0x128, 1, "NORMSINV"},
    {0x129, 3, "STANDARDIZE"}, {0x12A, 1, "ODD"}, {0x12B, 2, "PERMUT"}, {0x12C, 3, "POISSON"}, {0x12D, 3, "TDIST"},
    {0x12E, 4, "WEIBULL"}, {0x12F, 2, "SUMXMY2"}, {0x130, 2, "SUMX2MY2"}, {0x131, 2, "SUMX2PY2"},
    {0x132, 2, "CHITEST"}, {0x133, 2, "CORREL"}, {0x134, 2, "COVAR"}, {0x135, 3, "FORECAST"}, {0x136, 2, "FTEST"},
    {0x137, 2, "INTERCEPT"}, {0x138, 2, "PEARSON"}, {0x139, 2, "RSQ"}, {0x13A, 2, "STEYX"}, {0x13B, 2, "SLOPE"},
    {0x13C, 4, "TTEST"}, {0x13D, kVar, "PROB"}, {0x13E, kVar, "DEVSQ"}, {0x13F, kVar, "GEOMEAN"},
    {0x140, kVar, "HARMEAN"}, {0x141, kVar, "SUMSQ"}, {0x142, kVar, "KURT"}, {0x143, kVar, "SKEW"},
    {0x144, kVar, "ZTEST"}, {0x145, 2, "LARGE"}, {0x146, 2, "SMALL"}, {0x147, 2, "QUARTILE"},
    {0x148, 2, "PERCENTILE"}, {0x149, kVar, "PERCENTRANK"}, {0x14A, kVar, "MODE"}, {0x14B, 2, "TRIMMEAN"},
    {0x14C, 2, "TINV"}, {0x14E, kVar, "MOVIE.COMMAND"}, {0x14F, kVar, "GET.MOVIE"}, {0x150, kVar, "CONCATENATE"},
    {0x151, 2, "POWER"}, {0x152, kVar, "PIVOT.ADD.DATA"}, {0x153, kVar, "GET.PIVOT.TABLE"},
    {0x154, kVar, "GET.PIVOT.FIELD"}, {0x155, kVar, "GET.PIVOT.ITEM"}, {0x156, 1, "RADIANS"}, {0x157, 1, "DEGREES"},
    {0x158, kVar, "SUBTOTAL"}, {0x159, kVar, "SUMIF"}, {0x15A, 2, "COUNTIF"}, {0x15B, 1, "COUNTBLANK"},
    {0x15C, kVar, "SCENARIO.GET"}, {0x15D, kVar, "OPTIONS.LISTS.GET"}, {0x15E, 4, "ISPMT"}, {0x15F, 3, "DATEDIF"},
    {0x160, 1, "DATESTRING"}, {0x161, 2, "NUMBERSTRING"}, {0x162, kVar, "ROMAN"}, {0x163, kVar, "OPEN.DIALOG"},
    {0x164, kVar, "SAVE.DIALOG"}, {0x165, kVar, "VIEW.GET"}, {0x166, kVar, "GETPIVOTDATA"},
    {0x167, kVar, "HYPERLINK"}, {0x168, 1, "PHONETIC"}, {0x169, kVar, "AVERAGEA"}, {0x16A, kVar, "MAXA"},
    {0x16B, kVar, "MINA"}, {0x16C, kVar, "STDEVPA"}, {0x16D, kVar, "VARPA"}, {0x16E, kVar, "STDEVA"},
    {0x16F, kVar, "VARA"}, {0x170, 1, "BAHTTEXT"}, {0x171, 1, "THAIDAYOFWEEK"}, {0x172, 1, "THAIDIGIT"},
    {0x173, 1, "THAIMONTHOFYEAR"}, {0x174, 1, "THAINUMSOUND"}, {0x175, 1, "THAINUMSTRING"},
    {0x176, 1, "THAISTRINGLENGTH"}, {0x177, 1, "ISTHAIDIGIT"}, {0x178, 1, "ROUNDBAHTDOWN"}, {0x179, 1, "ROUNDBAHTUP"},
    {0x17A, 1, "THAIYEAR"}, {0x17B, kVar, "RTD"}, {0x17C, kVar, "CUBEVALUE"}, {0x17D, kVar, "CUBEMEMBER"},
    {0x17E, 3, "CUBEMEMBERPROPERTY"}, {0x17F, kVar, "CUBERANKEDMEMBER"}, {0x180, kVar, "HEX2BIN"},
    {0x181, 1, "HEX2DEC"}, {0x182, kVar, "HEX2OCT"}, {0x183, kVar, "DEC2BIN"}, {0x184, kVar, "DEC2HEX"},
    {0x185, kVar, "DEC2OCT"}, {0x186, kVar, "OCT2BIN"}, {0x187, kVar, "OCT2HEX"}, {0x188, 1, "OCT2DEC"},
    {0x189, 1, "BIN2DEC"}, {0x18A, kVar, "BIN2OCT"}, {0x18B, kVar, "BIN2HEX"}, {0x18C, 2, "IMSUB"},
    {0x18D, 2, "IMDIV"}, {0x18E, 2, "IMPOWER"}, {0x18F, 1, "IMABS"}, {0x190, 1, "IMSQRT"}, {0x191, 1, "IMLN"},
    {0x192, 1, "IMLOG2"}, {0x193, 1, "IMLOG10"}, {0x194, 1, "IMSIN"}, {0x195, 1, "IMCOS"}, {0x196, 1, "IMEXP"},
    {0x197, 1, "IMARGUMENT"}, {0x198, 1, "IMCONJUGATE"}, {0x199, 1, "IMAGINARY"}, {0x19A, 1, "IMREAL"},
    {0x19B, kVar, "COMPLEX"}, {0x19C, kVar, "IMSUM"}, {0x19D, kVar, "IMPRODUCT"}, {0x19E, 4, "SERIESSUM"},
    {0x19F, 1, "FACTDOUBLE"}, {0x1A0, 1, "SQRTPI"}, {0x1A1, 2, "QUOTIENT"}, {0x1A2, kVar, "DELTA"},
    {0x1A3, kVar, "GESTEP"}, {0x1A4, 1, "ISEVEN"}, {0x1A5, 1, "ISODD"}, {0x1A6, 2, "MROUND"}, {0x1A7, kVar, "ERF"},
    {0x1A8, 1, "ERFC"}, {0x1A9, 2, "BESSELJ"}, {0x1AA, 2, "BESSELK"}, {0x1AB, 2, "BESSELY"}, {0x1AC, 2, "BESSELI"},
    {0x1AD, kVar, "XIRR"}, {0x1AE, 3, "XNPV"}, {0x1AF, kVar, "PRICEMAT"}, {0x1B0, kVar, "YIELDMAT"},
    {0x1B1, kVar, "INTRATE"}, {0x1B2, kVar, "RECEIVED"}, {0x1B3, kVar, "DISC"}, {0x1B4, kVar, "PRICEDISC"},
    {0x1B5, kVar, "YIELDDISC"}, {0x1B6, 3, "TBILLEQ"}, {0x1B7, 3, "TBILLPRICE"}, {0x1B8, 3, "TBILLYIELD"},
    {0x1B9, kVar, "PRICE"}, {0x1BA, kVar, "YIELD"}, {0x1BB, 2, "DOLLARDE"}, {0x1BC, 2, "DOLLARFR"},
    {0x1BD, 2, "NOMINAL"}, {0x1BE, 2, "EFFECT"}, {0x1BF, 6, "CUMPRINC"}, {0x1C0, 6, "CUMIPMT"}, {0x1C1, 2, "EDATE"},
    {0x1C2, 2, "EOMONTH"}, {0x1C3, kVar, "YEARFRAC"}, {0x1C4, kVar, "COUPDAYBS"}, {0x1C5, kVar, "COUPDAYS"},
    {0x1C6, kVar, "COUPDAYSNC"}, {0x1C7, kVar, "COUPNCD"}, {0x1C8, kVar, "COUPNUM"}, {0x1C9, kVar, "COUPPCD"},
    {0x1CA, kVar, "DURATION"}, {0x1CB, kVar, "MDURATION"}, {0x1CC, kVar, "ODDLPRICE"}, {0x1CD, kVar, "ODDLYIELD"},
    {0x1CE, kVar, "ODDFPRICE"}, {0x1CF, kVar, "ODDFYIELD"}, {0x1D0, 2, "RANDBETWEEN"}, {0x1D1, kVar, "WEEKNUM"},
    {0x1D2, kVar, "AMORDEGRC"}, {0x1D3, kVar, "AMORLINC"}, {0x1D4, 3, "CONVERT"}, {0x1D5, kVar, "ACCRINT"},
    {0x1D6, kVar, "ACCRINTM"}, {0x1D7, kVar, "WORKDAY"}, {0x1D8, kVar, "NETWORKDAYS"}, {0x1D9, kVar, "GCD"},
    {0x1DA, kVar, "MULTINOMIAL"}, {0x1DB, kVar, "LCM"}, {0x1DC, 2, "FVSCHEDULE"}, {0x1DD, kVar, "CUBEKPIMEMBER"},
    {0x1DE, kVar, "CUBESET"}, {0x1DF, 1, "CUBESETCOUNT"}, {0x1E0, 2, "IFERROR"}, {0x1E1, kVar, "COUNTIFS"},
    {0x1E2, kVar, "SUMIFS"}, {0x1E3, kVar, "AVERAGEIF"}, {0x1E4, kVar, "AVERAGEIFS"}, {0x2D4, kVar, "SHEETJS"},};

constexpr CetabEntry kCetab[] = {
    {0x000, "BEEP"}, {0x001, "OPEN"}, {0x002, "OPEN.LINKS"}, {0x003, "CLOSE.ALL"}, {0x004, "SAVE"},
    {0x005, "SAVE.AS"}, {0x006, "FILE.DELETE"}, {0x007, "PAGE.SETUP"}, {0x008, "PRINT"}, {0x009, "PRINTER.SETUP"},
    {0x00A, "QUIT"}, {0x00B, "NEW.WINDOW"}, {0x00C, "ARRANGE.ALL"}, {0x00D, "WINDOW.SIZE"}, {0x00E, "WINDOW.MOVE"},
    {0x00F, "FULL"}, {0x010, "CLOSE"}, {0x011, "RUN"}, {0x016, "SET.PRINT.AREA"}, {0x017, "SET.PRINT.TITLES"},
    {0x018, "SET.PAGE.BREAK"}, {0x019, "REMOVE.PAGE.BREAK"}, {0x01A, "FONT"}, {0x01B, "DISPLAY"},
    {0x01C, "PROTECT.DOCUMENT"}, {0x01D, "PRECISION"}, {0x01E, "A1.R1C1"}, {0x01F, "CALCULATE.NOW"},
    {0x020, "CALCULATION"}, {0x022, "DATA.FIND"}, {0x023, "EXTRACT"}, {0x024, "DATA.DELETE"}, {0x025, "SET.DATABASE"},
    {0x026, "SET.CRITERIA"}, {0x027, "SORT"}, {0x028, "DATA.SERIES"}, {0x029, "TABLE"}, {0x02A, "FORMAT.NUMBER"},
    {0x02B, "ALIGNMENT"}, {0x02C, "STYLE"}, {0x02D, "BORDER"}, {0x02E, "CELL.PROTECTION"}, {0x02F, "COLUMN.WIDTH"},
    {0x030, "UNDO"}, {0x031, "CUT"}, {0x032, "COPY"}, {0x033, "PASTE"}, {0x034, "CLEAR"}, {0x035, "PASTE.SPECIAL"},
    {0x036, "EDIT.DELETE"}, {0x037, "INSERT"}, {0x038, "FILL.RIGHT"}, {0x039, "FILL.DOWN"}, {0x03D, "DEFINE.NAME"},
    {0x03E, "CREATE.NAMES"}, {0x03F, "FORMULA.GOTO"}, {0x040, "FORMULA.FIND"}, {0x041, "SELECT.LAST.CELL"},
    {0x042, "SHOW.ACTIVE.CELL"}, {0x043, "GALLERY.AREA"}, {0x044, "GALLERY.BAR"}, {0x045, "GALLERY.COLUMN"},
    {0x046, "GALLERY.LINE"}, {0x047, "GALLERY.PIE"}, {0x048, "GALLERY.SCATTER"}, {0x049, "COMBINATION"},
    {0x04A, "PREFERRED"}, {0x04B, "ADD.OVERLAY"}, {0x04C, "GRIDLINES"}, {0x04D, "SET.PREFERRED"}, {0x04E, "AXES"},
    {0x04F, "LEGEND"}, {0x050, "ATTACH.TEXT"}, {0x051, "ADD.ARROW"}, {0x052, "SELECT.CHART"},
    {0x053, "SELECT.PLOT.AREA"}, {0x054, "PATTERNS"}, {0x055, "MAIN.CHART"}, {0x056, "OVERLAY"}, {0x057, "SCALE"},
    {0x058, "FORMAT.LEGEND"}, {0x059, "FORMAT.TEXT"}, {0x05A, "EDIT.REPEAT"}, {0x05B, "PARSE"}, {0x05C, "JUSTIFY"},
    {0x05D, "HIDE"}, {0x05E, "UNHIDE"}, {0x05F, "WORKSPACE"}, {0x060, "FORMULA"}, {0x061, "FORMULA.FILL"},
    {0x062, "FORMULA.ARRAY"}, {0x063, "DATA.FIND.NEXT"}, {0x064, "DATA.FIND.PREV"}, {0x065, "FORMULA.FIND.NEXT"},
    {0x066, "FORMULA.FIND.PREV"}, {0x067, "ACTIVATE"}, {0x068, "ACTIVATE.NEXT"}, {0x069, "ACTIVATE.PREV"},
    {0x06A, "UNLOCKED.NEXT"}, {0x06B, "UNLOCKED.PREV"}, {0x06C, "COPY.PICTURE"}, {0x06D, "SELECT"},
    {0x06E, "DELETE.NAME"}, {0x06F, "DELETE.FORMAT"}, {0x070, "VLINE"}, {0x071, "HLINE"}, {0x072, "VPAGE"},
    {0x073, "HPAGE"}, {0x074, "VSCROLL"}, {0x075, "HSCROLL"}, {0x076, "ALERT"}, {0x077, "NEW"},
    {0x078, "CANCEL.COPY"}, {0x079, "SHOW.CLIPBOARD"}, {0x07A, "MESSAGE"}, {0x07C, "PASTE.LINK"},
    {0x07D, "APP.ACTIVATE"}, {0x07E, "DELETE.ARROW"}, {0x07F, "ROW.HEIGHT"}, {0x080, "FORMAT.MOVE"},
    {0x081, "FORMAT.SIZE"}, {0x082, "FORMULA.REPLACE"}, {0x083, "SEND.KEYS"}, {0x084, "SELECT.SPECIAL"},
    {0x085, "APPLY.NAMES"}, {0x086, "REPLACE.FONT"}, {0x087, "FREEZE.PANES"}, {0x088, "SHOW.INFO"}, {0x089, "SPLIT"},
    {0x08A, "ON.WINDOW"}, {0x08B, "ON.DATA"}, {0x08C, "DISABLE.INPUT"}, {0x08E, "OUTLINE"}, {0x08F, "LIST.NAMES"},
    {0x090, "FILE.CLOSE"}, {0x091, "SAVE.WORKBOOK"}, {0x092, "DATA.FORM"}, {0x093, "COPY.CHART"}, {0x094, "ON.TIME"},
    {0x095, "WAIT"}, {0x096, "FORMAT.FONT"}, {0x097, "FILL.UP"}, {0x098, "FILL.LEFT"}, {0x099, "DELETE.OVERLAY"},
    {0x09B, "SHORT.MENUS"}, {0x09F, "SET.UPDATE.STATUS"}, {0x0A1, "COLOR.PALETTE"}, {0x0A2, "DELETE.STYLE"},
    {0x0A3, "WINDOW.RESTORE"}, {0x0A4, "WINDOW.MAXIMIZE"}, {0x0A6, "CHANGE.LINK"}, {0x0A7, "CALCULATE.DOCUMENT"},
    {0x0A8, "ON.KEY"}, {0x0A9, "APP.RESTORE"}, {0x0AA, "APP.MOVE"}, {0x0AB, "APP.SIZE"}, {0x0AC, "APP.MINIMIZE"},
    {0x0AD, "APP.MAXIMIZE"}, {0x0AE, "BRING.TO.FRONT"}, {0x0AF, "SEND.TO.BACK"}, {0x0B9, "MAIN.CHART.TYPE"},
    {0x0BA, "OVERLAY.CHART.TYPE"}, {0x0BB, "SELECT.END"}, {0x0BC, "OPEN.MAIL"}, {0x0BD, "SEND.MAIL"},
    {0x0BE, "STANDARD.FONT"}, {0x0BF, "CONSOLIDATE"}, {0x0C0, "SORT.SPECIAL"}, {0x0C1, "GALLERY.3D.AREA"},
    {0x0C2, "GALLERY.3D.COLUMN"}, {0x0C3, "GALLERY.3D.LINE"}, {0x0C4, "GALLERY.3D.PIE"}, {0x0C5, "VIEW.3D"},
    {0x0C6, "GOAL.SEEK"}, {0x0C7, "WORKGROUP"}, {0x0C8, "FILL.GROUP"}, {0x0C9, "UPDATE.LINK"}, {0x0CA, "PROMOTE"},
    {0x0CB, "DEMOTE"}, {0x0CC, "SHOW.DETAIL"}, {0x0CE, "UNGROUP"}, {0x0CF, "OBJECT.PROPERTIES"},
    {0x0D0, "SAVE.NEW.OBJECT"}, {0x0D1, "SHARE"}, {0x0D2, "SHARE.NAME"}, {0x0D3, "DUPLICATE"}, {0x0D4, "APPLY.STYLE"},
    {0x0D5, "ASSIGN.TO.OBJECT"}, {0x0D6, "OBJECT.PROTECTION"}, {0x0D7, "HIDE.OBJECT"}, {0x0D8, "SET.EXTRACT"},
    {0x0D9, "CREATE.PUBLISHER"}, {0x0DA, "SUBSCRIBE.TO"}, {0x0DB, "ATTRIBUTES"}, {0x0DC, "SHOW.TOOLBAR"},
    {0x0DE, "PRINT.PREVIEW"}, {0x0DF, "EDIT.COLOR"}, {0x0E0, "SHOW.LEVELS"}, {0x0E1, "FORMAT.MAIN"},
    {0x0E2, "FORMAT.OVERLAY"}, {0x0E3, "ON.RECALC"}, {0x0E4, "EDIT.SERIES"}, {0x0E5, "DEFINE.STYLE"},
    {0x0F0, "LINE.PRINT"}, {0x0F3, "ENTER.DATA"}, {0x0F9, "GALLERY.RADAR"}, {0x0FA, "MERGE.STYLES"},
    {0x0FB, "EDITION.OPTIONS"}, {0x0FC, "PASTE.PICTURE"}, {0x0FD, "PASTE.PICTURE.LINK"}, {0x0FE, "SPELLING"},
    {0x100, "ZOOM"}, {0x103, "INSERT.OBJECT"}, {0x104, "WINDOW.MINIMIZE"}, {0x109, "SOUND.NOTE"},
    {0x10A, "SOUND.PLAY"}, {0x10B, "FORMAT.SHAPE"}, {0x10C, "EXTEND.POLYGON"}, {0x10D, "FORMAT.AUTO"},
    {0x110, "GALLERY.3D.BAR"}, {0x111, "GALLERY.3D.SURFACE"}, {0x112, "FILL.AUTO"}, {0x114, "CUSTOMIZE.TOOLBAR"},
    {0x115, "ADD.TOOL"}, {0x116, "EDIT.OBJECT"}, {0x117, "ON.DOUBLECLICK"}, {0x118, "ON.ENTRY"},
    {0x119, "WORKBOOK.ADD"}, {0x11A, "WORKBOOK.MOVE"}, {0x11B, "WORKBOOK.COPY"}, {0x11C, "WORKBOOK.OPTIONS"},
    {0x11D, "SAVE.WORKSPACE"}, {0x120, "CHART.WIZARD"}, {0x121, "DELETE.TOOL"}, {0x122, "MOVE.TOOL"},
    {0x123, "WORKBOOK.SELECT"}, {0x124, "WORKBOOK.ACTIVATE"}, {0x125, "ASSIGN.TO.TOOL"}, {0x127, "COPY.TOOL"},
    {0x128, "RESET.TOOL"}, {0x129, "CONSTRAIN.NUMERIC"}, {0x12A, "PASTE.TOOL"}, {0x12E, "WORKBOOK.NEW"},
    {0x131, "SCENARIO.CELLS"}, {0x132, "SCENARIO.DELETE"}, {0x133, "SCENARIO.ADD"}, {0x134, "SCENARIO.EDIT"},
    {0x135, "SCENARIO.SHOW"}, {0x136, "SCENARIO.SHOW.NEXT"}, {0x137, "SCENARIO.SUMMARY"},
    {0x138, "PIVOT.TABLE.WIZARD"}, {0x139, "PIVOT.FIELD.PROPERTIES"}, {0x13A, "PIVOT.FIELD"}, {0x13B, "PIVOT.ITEM"},
    {0x13C, "PIVOT.ADD.FIELDS"}, {0x13E, "OPTIONS.CALCULATION"}, {0x13F, "OPTIONS.EDIT"}, {0x140, "OPTIONS.VIEW"},
    {0x141, "ADDIN.MANAGER"}, {0x142, "MENU.EDITOR"}, {0x143, "ATTACH.TOOLBARS"}, {0x144, "VBAActivate"},
    {0x145, "OPTIONS.CHART"}, {0x148, "VBA.INSERT.FILE"}, {0x14A, "VBA.PROCEDURE.DEFINITION"},
    {0x150, "ROUTING.SLIP"}, {0x152, "ROUTE.DOCUMENT"}, {0x153, "MAIL.LOGON"}, {0x156, "INSERT.PICTURE"},
    {0x157, "EDIT.TOOL"}, {0x158, "GALLERY.DOUGHNUT"}, {0x15E, "CHART.TREND"}, {0x160, "PIVOT.ITEM.PROPERTIES"},
    {0x162, "WORKBOOK.INSERT"}, {0x163, "OPTIONS.TRANSITION"}, {0x164, "OPTIONS.GENERAL"}, {0x172, "FILTER.ADVANCED"},
    {0x175, "MAIL.ADD.MAILER"}, {0x176, "MAIL.DELETE.MAILER"}, {0x177, "MAIL.REPLY"}, {0x178, "MAIL.REPLY.ALL"},
    {0x179, "MAIL.FORWARD"}, {0x17A, "MAIL.NEXT.LETTER"}, {0x17B, "DATA.LABEL"}, {0x17C, "INSERT.TITLE"},
    {0x17D, "FONT.PROPERTIES"}, {0x17E, "MACRO.OPTIONS"}, {0x17F, "WORKBOOK.HIDE"}, {0x180, "WORKBOOK.UNHIDE"},
    {0x181, "WORKBOOK.DELETE"}, {0x182, "WORKBOOK.NAME"}, {0x184, "GALLERY.CUSTOM"}, {0x186, "ADD.CHART.AUTOFORMAT"},
    {0x187, "DELETE.CHART.AUTOFORMAT"}, {0x188, "CHART.ADD.DATA"}, {0x189, "AUTO.OUTLINE"}, {0x18A, "TAB.ORDER"},
    {0x18B, "SHOW.DIALOG"}, {0x18C, "SELECT.ALL"}, {0x18D, "UNGROUP.SHEETS"}, {0x18E, "SUBTOTAL.CREATE"},
    {0x18F, "SUBTOTAL.REMOVE"}, {0x190, "RENAME.OBJECT"}, {0x19C, "WORKBOOK.SCROLL"}, {0x19D, "WORKBOOK.NEXT"},
    {0x19E, "WORKBOOK.PREV"}, {0x19F, "WORKBOOK.TAB.SPLIT"}, {0x1A0, "FULL.SCREEN"}, {0x1A1, "WORKBOOK.PROTECT"},
    {0x1A4, "SCROLLBAR.PROPERTIES"}, {0x1A5, "PIVOT.SHOW.PAGES"}, {0x1A6, "TEXT.TO.COLUMNS"},
    {0x1A7, "FORMAT.CHARTTYPE"}, {0x1A8, "LINK.FORMAT"}, {0x1A9, "TRACER.DISPLAY"}, {0x1AE, "TRACER.NAVIGATE"},
    {0x1AF, "TRACER.CLEAR"}, {0x1B0, "TRACER.ERROR"}, {0x1B1, "PIVOT.FIELD.GROUP"}, {0x1B2, "PIVOT.FIELD.UNGROUP"},
    {0x1B3, "CHECKBOX.PROPERTIES"}, {0x1B4, "LABEL.PROPERTIES"}, {0x1B5, "LISTBOX.PROPERTIES"},
    {0x1B6, "EDITBOX.PROPERTIES"}, {0x1B7, "PIVOT.REFRESH"}, {0x1B8, "LINK.COMBO"}, {0x1B9, "OPEN.TEXT"},
    {0x1BA, "HIDE.DIALOG"}, {0x1BB, "SET.DIALOG.FOCUS"}, {0x1BC, "ENABLE.OBJECT"}, {0x1BD, "PUSHBUTTON.PROPERTIES"},
    {0x1BE, "SET.DIALOG.DEFAULT"}, {0x1BF, "FILTER"}, {0x1C0, "FILTER.SHOW.ALL"}, {0x1C1, "CLEAR.OUTLINE"},
    {0x1C2, "FUNCTION.WIZARD"}, {0x1C3, "ADD.LIST.ITEM"}, {0x1C4, "SET.LIST.ITEM"}, {0x1C5, "REMOVE.LIST.ITEM"},
    {0x1C6, "SELECT.LIST.ITEM"}, {0x1C7, "SET.CONTROL.VALUE"}, {0x1C8, "SAVE.COPY.AS"}, {0x1CA, "OPTIONS.LISTS.ADD"},
    {0x1CB, "OPTIONS.LISTS.DELETE"}, {0x1CC, "SERIES.AXES"}, {0x1CD, "SERIES.X"}, {0x1CE, "SERIES.Y"},
    {0x1CF, "ERRORBAR.X"}, {0x1D0, "ERRORBAR.Y"}, {0x1D1, "FORMAT.CHART"}, {0x1D2, "SERIES.ORDER"},
    {0x1D3, "MAIL.LOGOFF"}, {0x1D4, "CLEAR.ROUTING.SLIP"}, {0x1D5, "APP.ACTIVATE.MICROSOFT"},
    {0x1D6, "MAIL.EDIT.MAILER"}, {0x1D7, "ON.SHEET"}, {0x1D8, "STANDARD.WIDTH"}, {0x1D9, "SCENARIO.MERGE"},
    {0x1DA, "SUMMARY.INFO"}, {0x1DB, "FIND.FILE"}, {0x1DC, "ACTIVE.CELL.FONT"}, {0x1DD, "ENABLE.TIPWIZARD"},
    {0x1DE, "VBA.MAKE.ADDIN"}, {0x1E0, "INSERTDATATABLE"}, {0x1E1, "WORKGROUP.OPTIONS"}, {0x1E2, "MAIL.SEND.MAILER"},
    {0x1E5, "AUTOCORRECT"}, {0x1E9, "POST.DOCUMENT"}, {0x1EB, "PICKLIST"}, {0x1ED, "VIEW.SHOW"},
    {0x1EE, "VIEW.DEFINE"}, {0x1EF, "VIEW.DELETE"}, {0x1FD, "SHEET.BACKGROUND"}, {0x1FE, "INSERT.MAP.OBJECT"},
    {0x1FF, "OPTIONS.MENONO"}, {0x205, "MSOCHECKS"}, {0x206, "NORMAL"}, {0x207, "LAYOUT"}, {0x208, "RM.PRINT.AREA"},
    {0x209, "CLEAR.PRINT.AREA"}, {0x20A, "ADD.PRINT.AREA"}, {0x20B, "MOVE.BRK"}, {0x221, "HIDECURR.NOTE"},
    {0x222, "HIDEALL.NOTES"}, {0x223, "DELETE.NOTE"}, {0x224, "TRAVERSE.NOTES"}, {0x225, "ACTIVATE.NOTES"},
    {0x26C, "PROTECT.REVISIONS"}, {0x26D, "UNPROTECT.REVISIONS"}, {0x287, "OPTIONS.ME"}, {0x28D, "WEB.PUBLISH"},
    {0x29B, "NEWWEBQUERY"}, {0x2A1, "PIVOT.TABLE.CHART"}, {0x2F1, "OPTIONS.SAVE"}, {0x2F3, "OPTIONS.SPELL"},
    {0x328, "HIDEALL.INKANNOTS"},
};

const FtabEntry* find_ftab(std::uint16_t id) noexcept {
  const auto* it = std::lower_bound(std::begin(kFtab), std::end(kFtab), id,
                                    [](const FtabEntry& e, std::uint16_t v) { return e.id < v; });
  return it != std::end(kFtab) && it->id == id ? it : nullptr;
}

const CetabEntry* find_cetab(std::uint16_t id) noexcept {
  const auto* it = std::lower_bound(std::begin(kCetab), std::end(kCetab), id,
                                    [](const CetabEntry& e, std::uint16_t v) { return e.id < v; });
  return it != std::end(kCetab) && it->id == id ? it : nullptr;
}

// Lbl.fBuiltin names (MS-XLS §2.4.150 Lbl, name field).
constexpr std::array<std::string_view, 14> kBuiltinNames = {
    "Consolidate_Area", "Auto_Open",    "Auto_Close",      "Extract",         "Database",
    "Criteria",         "Print_Area",   "Print_Titles",    "Recorder",        "Data_Form",
    "Auto_Activate",    "Auto_Deactivate", "Sheet_Title",  "_FilterDatabase"};

std::string hex_name(const char* prefix, std::uint16_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s#0x%04X", prefix, static_cast<unsigned>(v));
  return buf;
}

std::string call_name(std::uint16_t tab, bool command) {
  const std::string_view n = function_name(tab, command);
  return n.empty() ? hex_name(command ? "CETAB" : "FTAB", tab) : std::string(n);
}

// ---------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------

struct Text {
  std::string utf8;
  std::uint64_t consumed = 0;  // bytes of the structure, header included
};

// `count` characters at `off`: UTF-16LE when `wide`, else one byte each
// (BIFF8's compressed form is the low byte of UTF-16, i.e. Latin-1; BIFF5 is in
// the CODEPAGE, which Latin-1 renders without inventing characters).
Result<std::string> chars_at(ByteView v, std::uint64_t off, std::uint64_t count, bool wide) {
  auto bytes = v.subview(off, wide ? count * 2 : count);
  if (!bytes) return std::unexpected(bytes.error());
  return wide ? core::utf16_to_utf8(*bytes, std::endian::little) : core::latin1_to_utf8(bytes->chars());
}

// ShortXLUnicodeString (MS-XLS §2.5.240): cch (1), fHighByte (1 bit of 1 byte),
// then the characters. BIFF5 has no flags byte: cch then 8-bit characters.
Result<Text> short_xl_string(ByteView v, std::uint64_t off, BiffVersion version) {
  auto cch = load_le<std::uint8_t>(v, off);
  if (!cch) return std::unexpected(cch.error());
  if (version == BiffVersion::biff5) {
    auto s = chars_at(v, off + 1, *cch, false);
    if (!s) return std::unexpected(s.error());
    return Text{std::move(*s), 1u + *cch};
  }
  auto flags = load_le<std::uint8_t>(v, off + 1);
  if (!flags) return std::unexpected(flags.error());
  const bool wide = (*flags & 0x01) != 0;
  auto s = chars_at(v, off + 2, *cch, wide);
  if (!s) return std::unexpected(s.error());
  return Text{std::move(*s), 2u + (wide ? 2u : 1u) * *cch};
}

// XLWideString (MS-XLSB §2.5.168): 4-byte cch then UTF-16LE. `nullable`
// admits 0xFFFFFFFF as the null string (XLNullableWideString, §2.5.166).
Result<Text> xl_wide_string(ByteView v, std::uint64_t off, bool nullable) {
  auto cch = load_le<std::uint32_t>(v, off);
  if (!cch) return std::unexpected(cch.error());
  if (nullable && *cch == 0xFFFFFFFFu) return Text{{}, 4};
  auto s = chars_at(v, off + 4, *cch, true);
  if (!s) return std::unexpected(s.error());
  return Text{std::move(*s), 4u + 2ull * *cch};
}

// ---------------------------------------------------------------------------
// Ptg walker (MS-XLS §2.5.198.25 Ptg, MS-XLSB §2.5.98.16 Ptg): sizes every token it knows
// in the dialect at hand, counts function calls and string constants, and
// keeps an operand stack only so that a user-defined call (PtgFuncVar tab
// 0x00FF) can name the PtgName/PtgNameX operand it calls through.
// ---------------------------------------------------------------------------

struct NameContext {
  std::span<const DefinedName> names;                        // PtgName: 1-based index
  std::span<const std::uint16_t> xti_supbook;                // BIFF8 EXTERNSHEET: ixti → SUPBOOK
  std::span<const std::vector<std::string>> extern_names;    // per SUPBOOK, EXTERNNAME order
};

// Operand bytes after the ptg byte of a classified token (base 0x20..0x3D), by
// dialect: {BIFF5, BIFF8, BIFF12}. 0 = not a token we can size.
struct OperandSize {
  std::uint8_t base;
  std::uint8_t biff5, biff8, biff12;
};
constexpr OperandSize kClassified[] = {
    {0x20, 7, 7, 14},    // PtgArray: the values live in RgbExtra
    {0x21, 2, 2, 2},     // PtgFunc
    {0x22, 3, 3, 3},     // PtgFuncVar
    {0x23, 14, 4, 4},    // PtgName
    {0x24, 3, 4, 6},     // PtgRef
    {0x25, 6, 8, 12},    // PtgArea
    {0x26, 6, 6, 6},     // PtgMemArea
    {0x27, 6, 6, 6},     // PtgMemErr
    {0x28, 6, 6, 6},     // PtgMemNoMem
    {0x29, 2, 2, 2},     // PtgMemFunc
    {0x2A, 3, 4, 6},     // PtgRefErr
    {0x2B, 6, 8, 12},    // PtgAreaErr
    {0x2C, 3, 4, 6},     // PtgRefN
    {0x2D, 6, 8, 12},    // PtgAreaN
    {0x39, 24, 6, 6},    // PtgNameX
    {0x3A, 17, 6, 8},    // PtgRef3d
    {0x3B, 20, 10, 14},  // PtgArea3d
    {0x3C, 17, 6, 8},    // PtgRefErr3d
    {0x3D, 20, 10, 14},  // PtgAreaErr3d
};

std::uint8_t classified_size(std::uint8_t base, BiffVersion version) noexcept {
  for (const auto& e : kClassified) {
    if (e.base != base) continue;
    switch (version) {
      case BiffVersion::biff5: return e.biff5;
      case BiffVersion::biff8: return e.biff8;
      case BiffVersion::biff12: return e.biff12;
    }
  }
  return 0;
}

class PtgWalker {
 public:
  PtgWalker(BiffVersion version, const NameContext& ctx, MacroFacts& facts, std::vector<std::string>& cell)
      : version_(version), ctx_(ctx), facts_(facts), cell_(cell) {}

  // True when every byte of `rgce` was consumed as whole tokens.
  bool walk(ByteView rgce) {
    std::uint64_t pos = 0;
    while (pos < rgce.size()) {
      std::uint8_t ptg = 0;
      if (!rgce.byte_at(pos, ptg)) return false;
      const auto size = token(rgce, pos, ptg);
      if (size == 0 || !rgce.contains(pos, size)) return false;
      pos += size;
    }
    return true;
  }

 private:
  // Whole size of the token at `pos` (ptg byte included), 0 when it cannot be
  // sized or runs past the end; records what it means on the way.
  std::uint64_t token(ByteView r, std::uint64_t pos, std::uint8_t ptg) {
    if (ptg >= 0x80) return 0;
    if (ptg >= 0x20) return classified(r, pos, static_cast<std::uint8_t>(0x20 | (ptg & 0x1F)));
    switch (ptg) {
      case 0x01:  // PtgExp: part of a shared or array formula kept elsewhere
        push();
        return 5;
      case 0x02:  // PtgTbl: a data table; BIFF12 has none
        if (version_ == BiffVersion::biff12) return 0;
        push();
        return 5;
      case 0x12: case 0x13: case 0x14:  // unary operators
        pop(1);
        push();
        return 1;
      case 0x15:  // PtgParen: display only
        return 1;
      case 0x16:  // PtgMissArg
        push();
        return 1;
      case 0x17:
        return string_constant(r, pos);
      case 0x18:
        return extended(r, pos);
      case 0x19:
        return attr(r, pos);
      case 0x1C: case 0x1D:  // PtgErr, PtgBool
        push();
        return 2;
      case 0x1E:  // PtgInt
        push();
        return 3;
      case 0x1F:  // PtgNum
        push();
        return 9;
      default:
        break;
    }
    if (ptg >= 0x03 && ptg <= 0x11) {  // binary operators
      pop(2);
      push();
      return 1;
    }
    return 0;  // 0x00, 0x1A/0x1B (BIFF2-4 PtgSheet/PtgEndSheet)
  }

  std::uint64_t classified(ByteView r, std::uint64_t pos, std::uint8_t base) {
    const std::uint8_t n = classified_size(base, version_);
    if (n == 0 || !r.contains(pos, 1u + n)) return 0;
    switch (base) {
      case 0x21: func(r, pos); break;
      case 0x22: func_var(r, pos); break;
      case 0x23: push(name_operand(r, pos)); break;
      case 0x39: push(namex_operand(r, pos)); break;
      case 0x26: case 0x27: case 0x28: case 0x29:
        break;  // PtgMem*: the subexpression that follows yields the operand
      default:
        push();
        break;
    }
    return 1u + n;
  }

  // PtgStr: a ShortXLUnicodeString in BIFF8 (MS-XLS §2.5.198.96), 8-bit in
  // BIFF5, a 2-byte cch and UTF-16 in BIFF12 (MS-XLSB PtgStr).
  std::uint64_t string_constant(ByteView r, std::uint64_t pos) {
    Text t;
    if (version_ == BiffVersion::biff12) {
      auto cch = load_le<std::uint16_t>(r, pos + 1);
      if (!cch) return 0;
      auto s = chars_at(r, pos + 3, *cch, true);
      if (!s) return 0;
      t = Text{std::move(*s), 2ull + 2ull * *cch};
    } else {
      auto s = short_xl_string(r, pos + 1, version_);
      if (!s) return 0;
      t = std::move(*s);
    }
    const std::uint64_t size = 1 + t.consumed;
    if (facts_.strings.size() < MacroFacts::kMaxStrings) {
      facts_.strings.push_back(std::move(t.utf8));
    } else {
      ++facts_.strings_dropped;
    }
    push();
    return size;
  }

  // Ptg 0x18: BIFF8's PtgElf* and PtgSxName are six bytes each (MS-XLS
  // §2.5.198.25); BIFF12 keeps PtgSxName and adds PtgList (MS-XLSB PtgList:
  // fourteen bytes). BIFF5 has none we can size.
  std::uint64_t extended(ByteView r, std::uint64_t pos) {
    std::uint8_t eptg = 0;
    if (!r.byte_at(pos + 1, eptg)) return 0;
    std::uint64_t size = 0;
    if (version_ == BiffVersion::biff8) {
      switch (eptg) {
        case 0x01: case 0x02: case 0x03: case 0x06: case 0x07: case 0x0A: case 0x0B:
        case 0x0D: case 0x0F: case 0x10: case 0x1D:
          size = 6;
          break;
        default:
          return 0;
      }
    } else if (version_ == BiffVersion::biff12) {
      if (eptg == 0x19) {
        size = 14;
      } else if (eptg == 0x1D) {
        size = 6;
      } else {
        return 0;
      }
    } else {
      return 0;
    }
    push();
    return size;
  }

  // PtgAttr (MS-XLS §2.5.198.28..38): 4 bytes, PtgAttrChoose adds its jump
  // table of wCount + 1 offsets. Only AttrSum touches the stack (pop 1, push 1).
  std::uint64_t attr(ByteView r, std::uint64_t pos) {
    std::uint8_t grbit = 0;
    if (!r.byte_at(pos + 1, grbit)) return 0;
    std::uint64_t size = 4;
    if ((grbit & 0x04) != 0) {
      auto count = load_le<std::uint16_t>(r, pos + 2);
      if (!count) return 0;
      size += 2ull * (static_cast<std::uint64_t>(*count) + 1);
    }
    return size;
  }

  // value_or in func, func_var, name_operand and namex_operand: in bounds,
  // classified() checked the token's whole size before calling them.
  void func(ByteView r, std::uint64_t pos) {
    const auto iftab = load_le<std::uint16_t>(r, pos + 1).value_or(0);
    // MS-XLS allows only Ftab numbers here; a set high bit is still reported
    // as the command it names rather than dropped.
    const bool command = (iftab & 0x8000) != 0;
    const auto id = static_cast<std::uint16_t>(iftab & 0x7FFF);
    record(call_name(id, command));
    const FtabEntry* e = command ? nullptr : find_ftab(id);
    if (e == nullptr || e->argc == kVar) {
      lose_stack();
    } else {
      pop(e->argc);
    }
    push();
  }

  void func_var(ByteView r, std::uint64_t pos) {
    std::uint8_t cparams = 0;
    (void)r.byte_at(pos + 1, cparams);
    // MS-XLS and MS-XLSB give cparams the whole byte; BIFF5 kept the
    // "prompt" flag of a command's dialog form in bit 7.
    const std::uint32_t argc = version_ == BiffVersion::biff5 ? (cparams & 0x7Fu) : cparams;
    const auto tab = load_le<std::uint16_t>(r, pos + 2).value_or(0);  // value_or: in bounds (classified)
    const bool command = (tab & 0x8000) != 0;
    const auto id = static_cast<std::uint16_t>(tab & 0x7FFF);
    if (!command && id == 0x00FF) {
      // The callee is the first argument: argc - 1 operands above it.
      std::string callee = "?";
      if (stack_ok_ && argc >= 1 && argc <= stack_.size() && !stack_[stack_.size() - argc].empty()) {
        callee = stack_[stack_.size() - argc];
      }
      record_udf(callee);
    } else {
      record(call_name(id, command));
    }
    pop(argc);
    push();
  }

  // The text of a PtgName operand: the LBL/BrtName it indexes (1-based).
  std::string name_operand(ByteView r, std::uint64_t pos) const {
    std::uint64_t index = 0;
    if (version_ == BiffVersion::biff12) {
      index = load_le<std::uint32_t>(r, pos + 1).value_or(0);  // value_or: in bounds (classified)
    } else {
      index = load_le<std::uint16_t>(r, pos + 1).value_or(0);  // value_or: in bounds (classified)
    }
    if (index == 0 || index > ctx_.names.size()) return {};
    return ctx_.names[index - 1].name;
  }

  // PtgNameX (MS-XLS §2.5.198.75): ixti → XTI's SUPBOOK → its EXTERNNAMEs.
  // Only BIFF8 keeps those tables here; BIFF5 and BIFF12 leave it unresolved.
  std::string namex_operand(ByteView r, std::uint64_t pos) const {
    if (version_ != BiffVersion::biff8) return {};
    const auto ixti = load_le<std::uint16_t>(r, pos + 1).value_or(0xFFFF);
    const auto index = load_le<std::uint16_t>(r, pos + 3).value_or(0);  // value_or: in bounds (classified)
    if (ixti >= ctx_.xti_supbook.size()) return {};
    const std::uint16_t book = ctx_.xti_supbook[ixti];
    if (book >= ctx_.extern_names.size()) return {};
    const auto& names = ctx_.extern_names[book];
    if (index == 0 || index > names.size()) return {};
    return names[index - 1];
  }

  void record(std::string name) {
    ++facts_.functions[name];
    if (cell_.size() < MacroFacts::kMaxCellFunctions) cell_.push_back(std::move(name));
  }
  void record_udf(const std::string& name) {
    auto it = facts_.udf_calls.find(name);
    if (it == facts_.udf_calls.end() && facts_.udf_calls.size() >= MacroFacts::kMaxUdfNames) {
      it = facts_.udf_calls.try_emplace("(more)", 0).first;
    } else if (it == facts_.udf_calls.end()) {
      it = facts_.udf_calls.try_emplace(name, 0).first;
    }
    ++it->second;
    if (cell_.size() < MacroFacts::kMaxCellFunctions) cell_.push_back(name);
  }

  void push(std::string name = {}) {
    if (stack_ok_) stack_.push_back(std::move(name));
  }
  void pop(std::size_t n) {
    if (!stack_ok_) return;
    if (n > stack_.size()) {
      lose_stack();
      return;
    }
    stack_.resize(stack_.size() - n);
  }
  // An operand count we cannot know: later callees stay unresolved rather
  // than misnamed.
  void lose_stack() {
    stack_ok_ = false;
    stack_.clear();
  }

  BiffVersion version_;
  const NameContext& ctx_;
  MacroFacts& facts_;
  std::vector<std::string>& cell_;
  std::vector<std::string> stack_;  // at most one entry per token, so bounded by rgce
  bool stack_ok_ = true;
};

// Walks one formula's rgce (`complete` says whether cce told the truth) and
// files the cell.
void file_formula(ByteView rgce, bool complete, BiffVersion version, const NameContext& ctx, MacroFacts& facts,
                  std::string_view sheet, std::uint32_t row, std::uint32_t col) {
  ++facts.formulas;
  std::vector<std::string> calls;
  PtgWalker walker(version, ctx, facts, calls);
  if (!walker.walk(rgce) || !complete) ++facts.unparsed_formulas;
  if (calls.empty()) return;
  if (facts.cells.size() >= MacroFacts::kMaxCells) {
    ++facts.cells_dropped;
    return;
  }
  facts.cells.push_back(MacroCell{std::string(sheet), row, col, std::move(calls)});
}

SheetState state_of(std::uint32_t hs) noexcept {
  switch (hs & 0x03) {
    case 0: return SheetState::visible;
    case 1: return SheetState::hidden;
    case 2: return SheetState::very_hidden;
    default: return SheetState::unknown;
  }
}

// BoundSheet8.dt (MS-XLS §2.4.28).
SheetKind kind_of_dt(std::uint8_t dt) noexcept {
  switch (dt) {
    case 0x00: return SheetKind::worksheet;
    case 0x01: return SheetKind::macro;
    case 0x02: return SheetKind::chart;
    case 0x06: return SheetKind::vba_module;
    default: return SheetKind::unknown;
  }
}

// BOF.dt (MS-XLS §2.4.21).
SheetKind kind_of_bof(std::uint16_t dt) noexcept {
  switch (dt) {
    case 0x0010: return SheetKind::worksheet;
    case 0x0020: return SheetKind::chart;
    case 0x0040: return SheetKind::macro;
    case 0x0006: return SheetKind::vba_module;  // BIFF5's VB module sheet
    default: return SheetKind::unknown;
  }
}

// The built-in code a BIFF12 name spells out ("Auto_Open" or "_xlnm.Auto_Open").
std::uint8_t builtin_code_of(std::string_view text) noexcept {
  constexpr std::string_view kPrefix = "_xlnm.";
  if (text.starts_with(kPrefix)) text.remove_prefix(kPrefix.size());
  for (std::size_t i = 0; i < kBuiltinNames.size(); ++i) {
    if (kBuiltinNames[i] == text) return static_cast<std::uint8_t>(i);
  }
  return 0xFF;
}

// ---------------------------------------------------------------------------
// BIFF5/BIFF8 records (MS-XLS §2.4)
// ---------------------------------------------------------------------------

constexpr std::uint16_t kFormula = 0x0006;
constexpr std::uint16_t kEof = 0x000A;
constexpr std::uint16_t kExternSheet = 0x0017;
constexpr std::uint16_t kLbl = 0x0018;
constexpr std::uint16_t kExternName = 0x0023;
constexpr std::uint16_t kFilePass = 0x002F;
constexpr std::uint16_t kBoundSheet = 0x0085;
constexpr std::uint16_t kSupBook = 0x01AE;
constexpr std::uint16_t kBof = 0x0809;

// Substreams nest (a chart inside a sheet has its own BOF..EOF); deeper than
// this is no workbook Excel writes, and only the depth is then tracked.
constexpr std::size_t kMaxDepth = 16;
constexpr std::size_t kMaxSubstreams = 4096;
constexpr std::size_t kMaxSupBooks = 4096;

// FilePass (MS-XLS §2.4.117): wEncryptionType 0 = XOR, 1 = RC4 with an
// EncryptionHeader whose version says plain RC4 (1.1) or CryptoAPI (2/3/4.2).
Encryption encryption_of(ByteView body, BiffVersion version) {
  if (version == BiffVersion::biff5) return Encryption::xor_obfuscation;  // BIFF5 knows no other
  const auto type = load_le<std::uint16_t>(body, 0);
  if (!type) return Encryption::unknown;
  if (*type == 0) return Encryption::xor_obfuscation;
  if (*type != 1) return Encryption::unknown;
  const auto major = load_le<std::uint16_t>(body, 2);
  const auto minor = load_le<std::uint16_t>(body, 4);
  if (!major || !minor) return Encryption::unknown;
  if (*major == 1 && *minor == 1) return Encryption::rc4;
  if ((*major == 2 || *major == 3 || *major == 4) && *minor == 2) return Encryption::rc4_cryptoapi;
  return Encryption::unknown;
}

// BoundSheet8 (MS-XLS §2.4.28); BIFF5's BOUNDSHEET has an 8-bit name.
std::optional<Sheet> bound_sheet(ByteView body, BiffVersion version, bool encrypted) {
  const auto pos = load_le<std::uint32_t>(body, 0);
  if (!pos) return std::nullopt;
  Sheet s;
  s.stream_offset = *pos;
  if (encrypted) {  // only lbPlyPos is in clear (MS-XLS §2.2.10)
    s.opaque = true;
    return s;
  }
  std::uint8_t hs = 0, dt = 0;
  if (!body.byte_at(4, hs) || !body.byte_at(5, dt)) return std::nullopt;
  s.state = state_of(hs);
  s.kind = kind_of_dt(dt);
  if (auto name = short_xl_string(body, 6, version)) s.name = std::move(name->utf8);
  return s;
}

// Lbl (MS-XLS §2.4.150); BIFF5's NAME has the same fixed part and an 8-bit name.
std::optional<DefinedName> lbl(ByteView body, BiffVersion version) {
  const auto flags = load_le<std::uint16_t>(body, 0);
  std::uint8_t cch = 0;
  const auto itab = load_le<std::uint16_t>(body, 8);
  if (!flags || !body.byte_at(3, cch) || !itab) return std::nullopt;
  DefinedName n;
  n.hidden = (*flags & 0x0001) != 0;
  n.function = (*flags & 0x0002) != 0;
  n.vba = (*flags & 0x0004) != 0;
  n.procedure = (*flags & 0x0008) != 0;
  n.builtin = (*flags & 0x0020) != 0;
  n.sheet = *itab;
  std::uint64_t text_at = 14;
  bool wide = false;
  if (version == BiffVersion::biff8) {  // XLUnicodeStringNoCch: fHighByte, then the characters
    std::uint8_t high = 0;
    if (!body.byte_at(14, high)) return std::nullopt;
    wide = (high & 0x01) != 0;
    text_at = 15;
  }
  auto text = chars_at(body, text_at, cch, wide);
  if (!text) return std::nullopt;
  if (n.builtin) {
    // The name is one character, the built-in code.
    std::uint8_t code = 0xFF;
    if (cch >= 1) (void)body.byte_at(text_at, code);
    n.builtin_code = code;
    const std::string_view display = builtin_name(code);
    n.name = display.empty() ? hex_name("BUILTIN", code) : std::string(display);
  } else {
    n.name = std::move(*text);
  }
  return n;
}

struct BiffState {
  Workbook wb;
  std::vector<std::uint16_t> xti_supbook;
  std::vector<std::vector<std::string>> extern_names;
  struct Level {
    bool globals = false;  // the first substream: BOUNDSHEET, LBL, SUPBOOK live there
    bool macro = false;
    std::string sheet;
  };
  std::vector<Level> levels;
  std::uint32_t deep = 0;  // BOFs nested past kMaxDepth, awaiting their EOF
  std::map<std::uint64_t, std::size_t> sheet_at;  // lbPlyPos → first BOUNDSHEET naming it
  bool after_filepass = false;

  void bof(ByteView body, std::uint64_t off) {
    // value_or(0): a BOF too short for its dt field is a sheet of unknown kind.
    const std::uint16_t dt = load_le<std::uint16_t>(body, 2).value_or(0);
    const SheetKind kind = kind_of_bof(dt);
    if (wb.substreams.size() < kMaxSubstreams) {
      wb.substreams.push_back(Substream{static_cast<std::uint32_t>(off), dt, kind});
    }
    if (levels.size() >= kMaxDepth) {
      ++deep;
      return;
    }
    Level level;
    level.globals = wb.records == 1;
    level.macro = kind == SheetKind::macro;
    if (const auto it = sheet_at.find(off); it != sheet_at.end()) {
      const Sheet& s = wb.sheets[it->second];
      level.macro = level.macro || s.kind == SheetKind::macro;
      level.sheet = s.name;
    }
    levels.push_back(std::move(level));
  }

  [[nodiscard]] bool in_globals() const noexcept { return levels.size() == 1 && levels.front().globals; }

  void eof() {
    if (deep > 0) {
      --deep;
    } else if (!levels.empty()) {
      levels.pop_back();
    }
  }

  // CellParsedFormula after the fixed part of Formula (MS-XLS §2.4.127):
  // rw (2), col (2), ixfe (2), val (8), grbit (2), chn (4), cce (2), rgce.
  void formula(ByteView body) {
    if (levels.empty() || !levels.back().macro || deep > 0) return;
    if (after_filepass) {
      ++wb.macros.formulas;
      ++wb.macros.opaque_formulas;
      return;
    }
    const auto row = load_le<std::uint16_t>(body, 0);
    const auto col = load_le<std::uint16_t>(body, 2);
    const auto cce = load_le<std::uint16_t>(body, 20);
    if (!row || !col || !cce) {
      ++wb.macros.formulas;
      ++wb.macros.unparsed_formulas;
      return;
    }
    const ByteView rgce = body.clamp(22, *cce);
    const NameContext ctx{wb.names, xti_supbook, extern_names};
    file_formula(rgce, rgce.size() == *cce, wb.version, ctx, wb.macros, levels.back().sheet, *row,
                 static_cast<std::uint32_t>(*col & 0x3FFF));
  }

  // ExternSheet (MS-XLS §2.4.106): cXTI then XTI {iSupBook, itabFirst, itabLast}.
  void extern_sheet(ByteView body) {
    if (wb.version != BiffVersion::biff8) return;
    const auto count = load_le<std::uint16_t>(body, 0);
    if (!count) return;
    for (std::uint32_t i = 0; i < *count; ++i) {
      const auto book = load_le<std::uint16_t>(body, 2 + 6ull * i);
      if (!book) break;
      xti_supbook.push_back(*book);
    }
  }

  // SupBook (MS-XLS §2.4.271): ctab (2), cch (2), then a VirtualPath
  // (XLUnicodeStringNoCch: flags, cch characters) unless cch marks the
  // workbook itself (0x0401) or add-ins (0x3A01). A DDE link's path is the
  // server, 0x0003, the topic: Excel starts the server to ask the topic.
  void sup_book(ByteView body) {
    if (wb.version != BiffVersion::biff8 || wb.dde_links.size() >= Workbook::kMaxDdeLinks) return;
    const auto cch = load_le<std::uint16_t>(body, 2);
    const auto flags = load_le<std::uint8_t>(body, 4);
    if (!cch || !flags || *cch == 0x0401 || *cch == 0x3A01 || *cch == 0) return;
    auto path = chars_at(body, 5, *cch, (*flags & 0x01) != 0);
    if (!path) return;
    const std::size_t sep = path->find('\x03');
    if (sep == std::string::npos) return;
    std::string link = path->substr(0, sep);
    const std::string topic = path->substr(sep + 1);
    if (!topic.empty()) link += " " + topic;
    wb.dde_links.push_back(std::move(link));
  }

  // ExternName (MS-XLS §2.4.105): every body form (AddinUdf, ExternDocName,
  // ExternOleDdeLink) puts its name, a ShortXLUnicodeString, at offset 6.
  void extern_name(ByteView body) {
    if (wb.version != BiffVersion::biff8 || extern_names.empty()) return;
    auto text = short_xl_string(body, 6, wb.version);
    extern_names.back().push_back(text ? std::move(text->utf8) : std::string{});
  }

  void record(std::uint16_t type, ByteView body, std::uint64_t off) {
    // Record headers, BOF and FILEPASS are never encrypted, nor BoundSheet8's
    // lbPlyPos (MS-XLS §2.2.10); everything else after FILEPASS is ciphertext.
    switch (type) {
      case kBof: bof(body, off); return;
      case kEof: eof(); return;
      case kFormula: formula(body); return;
      case kFilePass:
        if (!after_filepass) wb.encryption = encryption_of(body, wb.version);
        after_filepass = true;
        return;
      case kBoundSheet:
        if (in_globals()) {
          if (auto s = bound_sheet(body, wb.version, after_filepass)) {
            sheet_at.try_emplace(s->stream_offset, wb.sheets.size());
            wb.sheets.push_back(std::move(*s));
          }
        }
        return;
      default:
        break;
    }
    if (after_filepass || !in_globals()) return;  // the rest are globals, in clear
    switch (type) {
      case kLbl:
        if (auto n = lbl(body, wb.version)) wb.names.push_back(std::move(*n));
        return;
      case kSupBook:
        if (extern_names.size() < kMaxSupBooks) extern_names.emplace_back();
        sup_book(body);
        return;
      case kExternName: extern_name(body); return;
      case kExternSheet: extern_sheet(body); return;
      default: return;
    }
  }
};

// ---------------------------------------------------------------------------
// BIFF12 records (MS-XLSB §2.1.4): a type of 1-2 bytes and a size of 1-4
// bytes, each byte carrying 7 bits and a continuation bit.
// ---------------------------------------------------------------------------

struct Brt {
  std::uint32_t type = 0;
  ByteView body;
};

class Biff12Reader {
 public:
  explicit Biff12Reader(ByteView v) noexcept : v_(v) {}

  // False at the end or at damage (then `damaged()`).
  bool next(Brt& out) {
    if (pos_ >= v_.size() || damaged_) return false;
    std::uint32_t type = 0;
    if (!varint(2, type)) return false;
    std::uint32_t size = 0;
    if (!varint(4, size)) return false;
    if (!v_.contains(pos_, size)) {
      damaged_ = true;
      return false;
    }
    out.type = type;
    out.body = ByteView(v_.data() + pos_, size);
    pos_ += size;
    return true;
  }
  [[nodiscard]] bool damaged() const noexcept { return damaged_; }

 private:
  bool varint(int max_bytes, std::uint32_t& out) {
    out = 0;
    for (int i = 0; i < max_bytes; ++i) {
      std::uint8_t b = 0;
      if (!v_.byte_at(pos_, b)) {
        damaged_ = true;
        return false;
      }
      ++pos_;
      out |= static_cast<std::uint32_t>(b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) return true;
    }
    damaged_ = true;  // a continuation bit on the last byte allowed
    return false;
  }

  ByteView v_;
  std::uint64_t pos_ = 0;
  bool damaged_ = false;
};

constexpr std::uint32_t kBrtRowHdr = 0x0000;
constexpr std::uint32_t kBrtFmlaString = 0x0008;
constexpr std::uint32_t kBrtFmlaNum = 0x0009;
constexpr std::uint32_t kBrtFmlaBool = 0x000A;
constexpr std::uint32_t kBrtFmlaError = 0x000B;
constexpr std::uint32_t kBrtName = 0x0027;
constexpr std::uint32_t kBrtBeginBook = 0x0083;
constexpr std::uint32_t kBrtBundleSh = 0x009C;

// BrtBundleSh (MS-XLSB §2.4.304): hsState (4), iTabID (4), strRelID, strName.
std::optional<Sheet> bundle_sheet(ByteView body) {
  const auto hs = load_le<std::uint32_t>(body, 0);
  const auto tab = load_le<std::uint32_t>(body, 4);
  if (!hs || !tab) return std::nullopt;
  Sheet s;
  s.state = state_of(*hs);
  s.tab_id = *tab;
  auto rel = xl_wide_string(body, 8, true);
  if (!rel) return std::nullopt;
  s.rel_id = std::move(rel->utf8);
  auto name = xl_wide_string(body, 8 + rel->consumed, false);
  if (!name) return std::nullopt;
  s.name = std::move(name->utf8);
  return s;
}

// BrtName (MS-XLSB §2.4.647): flags (4, same low bits as Lbl), chKey (1),
// itab (4), name (XLNameWideString); built-ins are spelled out, not coded.
std::optional<DefinedName> brt_name(ByteView body) {
  const auto flags = load_le<std::uint32_t>(body, 0);
  const auto itab = load_le<std::uint32_t>(body, 5);
  if (!flags || !itab) return std::nullopt;
  auto text = xl_wide_string(body, 9, false);
  if (!text) return std::nullopt;
  DefinedName n;
  n.hidden = (*flags & 0x01) != 0;
  n.function = (*flags & 0x02) != 0;
  n.vba = (*flags & 0x04) != 0;
  n.procedure = (*flags & 0x08) != 0;
  n.builtin = (*flags & 0x20) != 0;
  n.sheet = *itab;
  n.name = std::move(text->utf8);
  if (n.builtin) n.builtin_code = builtin_code_of(n.name);
  return n;
}

}  // namespace

std::string_view to_string(SheetState s) noexcept {
  switch (s) {
    case SheetState::visible: return "visible";
    case SheetState::hidden: return "hidden";
    case SheetState::very_hidden: return "very_hidden";
    case SheetState::unknown: break;
  }
  return "unknown";
}

std::string_view to_string(SheetKind k) noexcept {
  switch (k) {
    case SheetKind::worksheet: return "worksheet";
    case SheetKind::macro: return "macro";
    case SheetKind::chart: return "chart";
    case SheetKind::vba_module: return "vba_module";
    case SheetKind::unknown: break;
  }
  return "unknown";
}

std::string_view to_string(Encryption e) noexcept {
  switch (e) {
    case Encryption::none: return "none";
    case Encryption::xor_obfuscation: return "xor";
    case Encryption::rc4: return "rc4";
    case Encryption::rc4_cryptoapi: return "rc4_cryptoapi";
    case Encryption::unknown: break;
  }
  return "unknown";
}

std::vector<std::string_view> MacroFacts::urls() const {
  std::vector<std::string_view> out;
  for (const std::string& s : strings) {
    const std::string lower = core::ascii_lower(std::string_view(s).substr(0, 8));
    if (lower.starts_with("http://") || lower.starts_with("https://")) out.push_back(s);
  }
  return out;
}

bool is_auto_name(std::string_view name) {
  const std::string lower = core::ascii_lower(name.substr(0, 32));
  std::string_view lower_view = lower;
  if (lower_view.starts_with("_xlnm.")) lower_view.remove_prefix(6);
  return std::ranges::any_of(std::array<std::string_view, 4>{"auto_open", "auto_close", "auto_activate", "auto_deactivate"},
                             [&](std::string_view a) { return lower_view.starts_with(a); });
}

std::string_view builtin_name(std::uint8_t code) noexcept {
  return code < kBuiltinNames.size() ? kBuiltinNames[code] : std::string_view{};
}

std::string_view function_name(std::uint16_t tab, bool command) noexcept {
  if (command) {
    const CetabEntry* e = find_cetab(tab);
    return e != nullptr ? std::string_view(e->name) : std::string_view{};
  }
  const FtabEntry* e = find_ftab(tab);
  return e != nullptr ? std::string_view(e->name) : std::string_view{};
}

Result<Workbook> read_biff8_workbook(ByteView stream) {
  const auto type = load_le<std::uint16_t>(stream, 0);
  const auto size = load_le<std::uint16_t>(stream, 2);
  if (!type || !size) return fail(Errc::truncated, 0, "no BIFF record header");
  if (*type == 0x0009 || *type == 0x0209 || *type == 0x0409) {
    return fail(Errc::unsupported, 0, "BIFF2-4 workbook");
  }
  if (*type != kBof) return fail(Errc::malformed, 0, "stream does not begin with a BOF record");
  const auto vers = load_le<std::uint16_t>(stream, 4);
  if (!vers) return fail(Errc::truncated, 4, "BOF record too short");

  BiffState st;
  // BIFF7 (Excel 95) also says 0x0500; BIFF8 says 0x0600.
  st.wb.version = *vers == 0x0500 ? BiffVersion::biff5 : BiffVersion::biff8;
  std::uint64_t off = 0;
  while (off < stream.size()) {
    const auto t = load_le<std::uint16_t>(stream, off);
    const auto n = load_le<std::uint16_t>(stream, off + 2);
    if (!t || !n || !stream.contains(off + 4, *n)) {
      st.wb.truncated = true;
      break;
    }
    ++st.wb.records;
    st.record(*t, ByteView(stream.data() + off + 4, *n), off);
    off += 4ull + *n;
  }
  st.wb.macros.truncated = st.wb.truncated;
  return std::move(st.wb);
}

std::optional<FilePass> find_filepass(ByteView stream) {
  std::uint64_t off = 0;
  // FILEPASS follows BOF in the globals substream: a few records in at most.
  for (int i = 0; i < 64; ++i) {
    const auto t = load_le<std::uint16_t>(stream, off);
    const auto n = load_le<std::uint16_t>(stream, off + 2);
    if (!t || !n || !stream.contains(off + 4, *n)) return std::nullopt;
    if (*t == kFilePass) {
      const ByteView body(stream.data() + off + 4, *n);
      FilePass fp;
      fp.offset = off;
      // value_or(0): an empty FILEPASS reads as XOR obfuscation (type 0),
      // which is reported as not decrypted, like a real one.
      fp.encryption_type = load_le<std::uint16_t>(body, 0).value_or(0);
      fp.header = body.tail(2);
      return fp;
    }
    if (*t == kEof) return std::nullopt;
    off += 4ull + *n;
  }
  return std::nullopt;
}

std::vector<std::uint8_t> decrypt_workbook(ByteView stream, const FilePass& filepass,
                                           const std::function<void(std::uint64_t, std::span<std::uint8_t>)>& decrypt,
                                           std::uint64_t max_bytes) {
  constexpr std::uint16_t kInterfaceHdr = 0x00E1, kUsrExcl = 0x0194, kFileLock = 0x0195, kRrdInfo = 0x0196,
                          kRrdHead = 0x0138;
  const std::uint64_t size = std::min<std::uint64_t>(stream.size(), max_bytes);
  std::vector<std::uint8_t> out(stream.data(), stream.data() + size);
  const std::span<std::uint8_t> all(out);
  // A record type no BIFF reader knows: the copy no longer says "encrypted".
  if (filepass.offset + 2 > size) return out;
  out[filepass.offset] = 0xFF;
  out[filepass.offset + 1] = 0xFF;
  std::uint64_t off = filepass.offset;
  while (off + 4 <= size) {
    const auto t = load_le<std::uint16_t>(stream, off);
    const auto n = load_le<std::uint16_t>(stream, off + 2);
    if (!t || !n) break;
    const std::uint64_t body = off + 4;
    const std::uint64_t len = std::min<std::uint64_t>(*n, size - std::min(size, body));
    const bool clear = off == filepass.offset || *t == kBof || *t == kFilePass || *t == kInterfaceHdr ||
                       *t == kUsrExcl || *t == kFileLock || *t == kRrdInfo || *t == kRrdHead;
    if (!clear && len > 0) {
      const std::uint64_t skip = *t == kBoundSheet ? std::min<std::uint64_t>(4, len) : 0;
      decrypt(body + skip, all.subspan(body + skip, len - skip));
    }
    off = body + *n;
  }
  return out;
}

Result<Biff12Workbook> read_biff12_workbook(ByteView part) {
  Biff12Reader reader(part);
  Brt rec;
  if (!reader.next(rec)) return fail(Errc::truncated, 0, "no BIFF12 record");
  if (rec.type != kBrtBeginBook) return fail(Errc::malformed, 0, "part does not begin with BrtBeginBook");
  Biff12Workbook wb;
  wb.records = 1;
  while (reader.next(rec)) {
    ++wb.records;
    if (rec.type == kBrtBundleSh) {
      if (auto s = bundle_sheet(rec.body)) wb.sheets.push_back(std::move(*s));
    } else if (rec.type == kBrtName) {
      if (auto n = brt_name(rec.body)) wb.names.push_back(std::move(*n));
    }
  }
  wb.truncated = reader.damaged();
  return wb;
}

std::optional<std::string> read_biff12_dde_link(ByteView part) {
  constexpr std::uint32_t kBrtBeginSupBook = 0x0168;
  Biff12Reader reader(part);
  Brt rec;
  if (!reader.next(rec) || rec.type != kBrtBeginSupBook) return std::nullopt;
  // value_or(0): a record too short for sbt is not a DDE SupBook (0x0001).
  if (load_le<std::uint16_t>(rec.body, 0).value_or(0) != 0x0001) return std::nullopt;  // sbt: DDE
  auto service = xl_wide_string(rec.body, 2, false);
  if (!service) return std::nullopt;
  auto topic = xl_wide_string(rec.body, 2 + service->consumed, false);
  std::string link = std::move(service->utf8);
  if (topic && !topic->utf8.empty()) link += " " + topic->utf8;
  return link;
}

Biff12Part biff12_part_kind(ByteView part) {
  Biff12Reader reader(part);
  Brt rec;
  if (!reader.next(rec)) return Biff12Part::other;
  switch (rec.type) {
    case kBrtBeginBook: return Biff12Part::workbook;
    case 0x0081: return Biff12Part::sheet;  // BrtBeginSheet: worksheets and macro sheets alike
    case 0x0168: return Biff12Part::external_link;
    default: return Biff12Part::other;
  }
}

MacroFacts read_biff12_macrosheet(ByteView part, std::span<const DefinedName> names, std::string_view sheet_name) {
  MacroFacts facts;
  const NameContext ctx{names, {}, {}};
  Biff12Reader reader(part);
  Brt rec;
  std::uint32_t row = 0;
  while (reader.next(rec)) {
    // Cell (8: col, iStyleRef and flags), the cached value, grbitFlags (2),
    // then CellParsedFormula: cce (4), rgce (MS-XLSB §2.4.677-680, §2.5.98.4).
    std::uint64_t formula_at = 0;
    switch (rec.type) {
      case kBrtRowHdr:
        row = load_le<std::uint32_t>(rec.body, 0).value_or(row);
        continue;
      case kBrtFmlaString: {
        auto value = xl_wide_string(rec.body, 8, false);
        if (!value) {
          ++facts.formulas;
          ++facts.unparsed_formulas;
          continue;
        }
        formula_at = 8 + value->consumed + 2;
        break;
      }
      case kBrtFmlaNum: formula_at = 8 + 8 + 2; break;
      case kBrtFmlaBool:
      case kBrtFmlaError: formula_at = 8 + 1 + 2; break;
      default: continue;
    }
    const auto col = load_le<std::uint32_t>(rec.body, 0);
    const auto cce = load_le<std::uint32_t>(rec.body, formula_at);
    if (!col || !cce) {
      ++facts.formulas;
      ++facts.unparsed_formulas;
      continue;
    }
    const ByteView rgce = rec.body.clamp(formula_at + 4, *cce);
    file_formula(rgce, rgce.size() == *cce, BiffVersion::biff12, ctx, facts, sheet_name, row, *col);
  }
  facts.truncated = reader.damaged();
  return facts;
}

}  // namespace sluice::codecs::office
