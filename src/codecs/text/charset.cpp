#include "codecs/text/charset.hpp"

#include <dlfcn.h>
#include <iconv.h>
#include <link.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "core/text.hpp"

namespace sluice::codecs::text {
namespace {

struct Alias {
  std::string_view label;
  std::string_view iconv;
};
// Labels (lower-case) whose iconv name differs or whose decoding clients
// widen. Everything else goes to iconv_open as written.
constexpr Alias kAliases[] = {
    {"utf8", "UTF-8"},
    {"utf-8", "UTF-8"},
    {"unicode-1-1-utf-8", "UTF-8"},
    {"us-ascii", "UTF-8"},  // ASCII is UTF-8; 8-bit bytes in it are then replaced
    {"ascii", "UTF-8"},
    {"ansi_x3.4-1968", "UTF-8"},
    {"latin1", "ISO-8859-1"},
    {"latin-1", "ISO-8859-1"},
    {"l1", "ISO-8859-1"},
    {"iso8859-1", "ISO-8859-1"},
    {"iso_8859-1", "ISO-8859-1"},
    {"cp1250", "WINDOWS-1250"},
    {"cp1251", "WINDOWS-1251"},
    {"cp1252", "WINDOWS-1252"},
    {"x-cp1252", "WINDOWS-1252"},
    {"cp1253", "WINDOWS-1253"},
    {"cp1254", "WINDOWS-1254"},
    {"cp1255", "WINDOWS-1255"},
    {"cp1256", "WINDOWS-1256"},
    {"cp1257", "WINDOWS-1257"},
    {"cp1258", "WINDOWS-1258"},
    {"koi8r", "KOI8-R"},
    {"koi8u", "KOI8-U"},
    // GB2312 mail is written by GBK encoders; GB18030 decodes all of them.
    {"gb2312", "GB18030"},
    {"gb_2312-80", "GB18030"},
    {"euc-cn", "GB18030"},
    {"gbk", "GB18030"},
    {"x-gbk", "GB18030"},
    {"cp936", "GB18030"},
    {"gb18030", "GB18030"},
    // Outlook labels Korean "ks_c_5601-1987" and means Windows code page 949.
    {"ks_c_5601-1987", "CP949"},
    {"ks_c_5601", "CP949"},
    {"ksc5601", "CP949"},
    {"euc-kr", "CP949"},
    {"korean", "CP949"},
    {"windows-949", "CP949"},
    // Shift_JIS mail comes from Windows: Windows-31J (CP932) is the superset.
    {"shift_jis", "CP932"},
    {"shift-jis", "CP932"},
    {"sjis", "CP932"},
    {"x-sjis", "CP932"},
    {"ms_kanji", "CP932"},
    {"windows-31j", "CP932"},
    {"cp932", "CP932"},
    {"iso-2022-jp", "ISO-2022-JP-2"},
    {"csiso2022jp", "ISO-2022-JP-2"},
    {"big5", "BIG5-HKSCS"},
    {"x-x-big5", "BIG5-HKSCS"},
    {"cp950", "BIG5-HKSCS"},
    {"utf-7", "UTF-7"},
    {"unicode-1-1-utf-7", "UTF-7"},
    {"x-mac-roman", "MACINTOSH"},
    {"macintosh", "MACINTOSH"},
};

// Labels that look like charsets but name none (writers' placeholders).
constexpr std::string_view kPlaceholders[] = {"unknown-8bit", "x-unknown", "unknown", "default",
                                              "charset", "x-user-defined", "8bit", "none"};

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Single-byte charsets whose bytes 0x00-0x7F are ASCII, as glibc decodes them
// (not Shift_JIS, whose 0x5C is the yen sign; not the stateful or multi-byte
// ones, not EBCDIC). Names as iconv_charset_name() gives them.
bool ascii_superset(std::string_view cs) {
  static constexpr std::string_view kNames[] = {
      "iso-8859-1",   "iso-8859-2",   "iso-8859-3",   "iso-8859-4",   "iso-8859-5",   "iso-8859-6",
      "iso-8859-7",   "iso-8859-8",   "iso-8859-9",   "iso-8859-10",  "iso-8859-11",  "iso-8859-13",
      "iso-8859-14",  "iso-8859-15",  "iso-8859-16",  "windows-1250", "windows-1251", "windows-1252",
      "windows-1253", "windows-1254", "windows-1255", "windows-1256", "windows-1257", "windows-1258",
      "koi8-r",       "koi8-u"};
  // The aliases give upper-case names, labels as written lower-case ones.
  return std::ranges::any_of(kNames, [&](std::string_view name) { return core::ascii_lower_equals(cs, name); });
}

bool all_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// glibc unloads a converter module soon after its last descriptor closes (two
// closes of any later, gconv_dl.c) and loads it again for the next text in
// that charset: over the ham folders some 75 loads, each an open, mmaps and
// relocations, and as many munmaps, whose TLB shootdowns interrupt every other
// scan thread. Each module loaded is made RTLD_NODELETE once iconv_open has
// it: glibc's later dlclose then drops only its reference, and its next
// dlopen finds the module mapped. RTLD_NOLOAD opens no file, so this is also
// safe under a sandboxed worker's filter (whose modules are pinned already).
// The loaded modules' paths only: dlopen inside dl_iterate_phdr's callback
// would take the loader's locks in the opposite order to a dlopen on another
// thread (a deadlock seen at -j 2).
int note_converter(dl_phdr_info* info, std::size_t, void* data) {
  if (info->dlpi_name != nullptr && std::strstr(info->dlpi_name, "/gconv/") != nullptr) {
    static_cast<std::vector<std::string>*>(data)->emplace_back(info->dlpi_name);
  }
  return 0;
}

void pin_converters() {
  std::vector<std::string> loaded;
  ::dl_iterate_phdr(note_converter, &loaded);
  for (const std::string& path : loaded) {
    if (void* h = ::dlopen(path.c_str(), RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE)) ::dlclose(h);
  }
}

}  // namespace

std::string iconv_charset_name(std::string_view cs) {
  // RFC 2231 5: "charset*language".
  if (const auto star = cs.find('*'); star != std::string_view::npos) cs = cs.substr(0, star);
  while (!cs.empty() && (is_space(cs.front()) || cs.front() == '"')) cs.remove_prefix(1);
  while (!cs.empty() && (is_space(cs.back()) || cs.back() == '"')) cs.remove_suffix(1);
  std::string name;
  for (char c : cs) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return {};
    name.push_back(c);
  }
  name = core::ascii_lower(name);
  if (name.empty()) return {};
  for (const Alias& a : kAliases) {
    if (a.label == name) return std::string(a.iconv);
  }
  for (std::string_view p : kPlaceholders) {
    if (p == name) return {};
  }
  return name;
}

Utf8Text to_utf8(std::string_view label, std::string_view bytes, std::uint64_t max_out) {
  Utf8Text r;
  const std::string cs = iconv_charset_name(label);
  r.known = !cs.empty() || label.empty();
  // Most mail text is ASCII under a Latin label: that decodes to itself, so
  // no converter is opened (iconv_open costs more than a short part's text).
  if (ascii_superset(cs) && all_ascii(bytes)) {
    const std::size_t keep = static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), max_out));
    r.text.assign(bytes.substr(0, keep));
    r.capped = bytes.size() > max_out;
    return r;
  }
  iconv_t cd = reinterpret_cast<iconv_t>(-1);
  if (!cs.empty() && cs != "UTF-8") {
    cd = iconv_open("UTF-8", cs.c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) {
      r.known = false;
    } else {
      pin_converters();
    }
  }
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    // UTF-8 (declared, or the fallback): only invalid sequences change.
    const std::string_view in =
        bytes.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), max_out)));
    r.text = core::to_valid_utf8(in);
    r.replaced = r.text != in;
    if (bytes.size() > max_out || r.text.size() > max_out) {
      r.capped = true;
      r.text = core::truncate_utf8(std::move(r.text), static_cast<std::size_t>(max_out));
    }
    return r;
  }
  // POSIX declares iconv's input as char** for historical reasons; glibc never
  // writes through it, so the caller's bytes are read in place, not copied.
  char* in_ptr = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  std::array<char, 4096> buf{};
  bool incomplete = false;
  // Every iteration either consumes input or emits a replacement and skips a
  // byte, so the loop ends within bytes.size() + 1 rounds of refusals.
  while (in_left > 0 && r.text.size() < max_out) {
    char* out_ptr = buf.data();
    std::size_t out_left = buf.size();
    const std::size_t rc = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
    r.text.append(buf.data(), buf.size() - out_left);
    if (rc != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) continue;
    r.text += kReplacement;
    r.replaced = true;
    if (errno != EILSEQ) {  // EINVAL: an incomplete sequence at the end
      incomplete = true;
      break;
    }
    ++in_ptr;  // skip the refused byte, as a 'replace' decoder does
    --in_left;
  }
  // The end of the input: a decoder that holds a character back to combine
  // it with the next (glibc's CP1255 and CP1258) gives it up now; one that
  // holds only a shift state (ISO-2022-JP) gives nothing in UTF-8. Without
  // this, Vietnamese and Hebrew text lost its last character.
  if (in_left == 0 && !incomplete && r.text.size() < max_out) {
    char* out_ptr = buf.data();
    std::size_t out_left = buf.size();
    if (iconv(cd, nullptr, nullptr, &out_ptr, &out_left) != static_cast<std::size_t>(-1)) {
      r.text.append(buf.data(), buf.size() - out_left);
    }
  }
  iconv_close(cd);
  r.capped = in_left > 0 && !incomplete;
  if (r.text.size() > max_out) {
    r.capped = true;
    r.text = core::truncate_utf8(std::move(r.text), static_cast<std::size_t>(max_out));
  }
  // iconv emits valid UTF-8; this only guards the truncation and the fallback.
  core::make_valid_utf8(r.text);
  return r;
}

}  // namespace sluice::codecs::text
