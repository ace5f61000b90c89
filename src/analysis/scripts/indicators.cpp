#include "analysis/scripts/indicators.hpp"

#include <array>

#include "analysis/names/lolbins.hpp"
#include "formats/script/squeeze.hpp"

namespace sluice::analysis::scripts {

using formats::script::ObfuscationCounts;
using formats::script::squeeze;
namespace {

enum class Group : std::uint8_t { download, lolbin, run, dynamic, char_code, part };

struct Needle {
  std::string_view text;  // lower case, as it appears in the squeezed text
  Group group;
  std::string_view label;  // how the finding names it
};

// Parts (Group::part) only count in combination; see find_indicators.
constexpr std::array kOwnNeedles{
    // Download cradles.
    Needle{"net.webclient", Group::download, "Net.WebClient"},
    Needle{"downloadstring", Group::download, "DownloadString"},
    Needle{"downloadfile", Group::download, "DownloadFile"},
    Needle{"downloaddata", Group::download, "DownloadData"},
    Needle{"invoke-webrequest", Group::download, "Invoke-WebRequest"},
    Needle{"iwr ", Group::download, "iwr"},
    Needle{"invoke-restmethod", Group::download, "Invoke-RestMethod"},
    Needle{"irm ", Group::download, "irm"},
    Needle{"start-bitstransfer", Group::download, "Start-BitsTransfer"},
    Needle{"msxml2.xmlhttp", Group::download, "MSXML2.XMLHTTP"},
    Needle{"msxml2.serverxmlhttp", Group::download, "MSXML2.ServerXMLHTTP"},
    Needle{"microsoft.xmlhttp", Group::download, "Microsoft.XMLHTTP"},
    Needle{"winhttp.winhttprequest", Group::download, "WinHttp.WinHttpRequest"},
    Needle{"urldownloadtofile", Group::download, "URLDownloadToFile"},
    Needle{"bitsadmin /transfer", Group::download, "bitsadmin /transfer"},
    Needle{"bitsadmin.exe /transfer", Group::download, "bitsadmin /transfer"},
    Needle{"certutil -urlcache", Group::download, "certutil -urlcache"},
    Needle{"certutil /urlcache", Group::download, "certutil -urlcache"},
    Needle{"certutil.exe -urlcache", Group::download, "certutil -urlcache"},
    Needle{"certutil.exe /urlcache", Group::download, "certutil -urlcache"},
    Needle{"curl http", Group::download, "curl"},
    Needle{"curl.exe ", Group::download, "curl"},
    Needle{"wget http", Group::download, "wget"},
    Needle{"wget.exe ", Group::download, "wget"},
    Needle{"adodb.stream", Group::part, "ADODB.Stream"},
    Needle{"savetofile", Group::part, "SaveToFile"},
    // Signed Windows programs that run other code: analysis/names/lolbins.cpp,
    // appended by needles(); these two only count together with regsvr32.
    Needle{"scrobj", Group::part, "scrobj.dll"},
    Needle{"/i:http", Group::part, "/i:http"},
    // Starting programs from script.
    Needle{"start-process", Group::run, "Start-Process"},
    Needle{"saps ", Group::run, "Start-Process"},
    Needle{".shellexecute", Group::run, "Shell.Application.ShellExecute"},
    Needle{"shellexecute(", Group::run, "ShellExecute"},
    Needle{"wscript.shell", Group::part, "WScript.Shell"},
    Needle{".run(", Group::part, ".Run"},
    Needle{".run ", Group::part, ".Run"},
    Needle{".exec(", Group::part, ".Exec"},
    Needle{".exec ", Group::part, ".Exec"},
    Needle{"win32_process", Group::part, "Win32_Process"},
    Needle{".create(", Group::part, ".Create"},
    Needle{".create ", Group::part, ".Create"},
    // Code built at run time.
    Needle{"eval(", Group::dynamic, "eval"},
    Needle{"eval (", Group::dynamic, "eval"},
    Needle{"execute(", Group::dynamic, "Execute"},
    Needle{"execute ", Group::dynamic, "Execute"},
    Needle{"executeglobal", Group::dynamic, "ExecuteGlobal"},
    Needle{"new function(", Group::dynamic, "new Function"},
    Needle{"invoke-expression", Group::dynamic, "Invoke-Expression"},
    Needle{"iex(", Group::dynamic, "IEX"},
    Needle{"iex ", Group::dynamic, "IEX"},
    Needle{"|iex", Group::dynamic, "IEX"},
    Needle{"| iex", Group::dynamic, "IEX"},
    Needle{"scriptblock]::create", Group::dynamic, "ScriptBlock::Create"},
    // Character-code runs (counted, not listed).
    Needle{"chr(", Group::char_code, "chr"},
    Needle{"chrw(", Group::char_code, "chrw"},
    Needle{"chrb(", Group::char_code, "chrb"},
    Needle{"fromcharcode", Group::char_code, "fromCharCode"},
    Needle{"[char]", Group::char_code, "[char]"},
};

// Every needle once, the LOLBin spellings in the one table's order, indexed
// by first byte so a scan looks only at the needles that can start at a
// position. Built on first use and never changed: a constant that happens to
// be computed (docs/ARCHITECTURE.md, "No globals").
struct Needles {
  std::vector<Needle> all;
  std::array<std::vector<std::uint16_t>, 256> by_first;
};

const Needles& needles() {
  static const Needles table = [] {
    Needles t;
    t.all.assign(kOwnNeedles.begin(), kOwnNeedles.end());
    for (const auto& l : names::lolbin_script_spellings()) t.all.push_back({l.text, Group::lolbin, l.label});
    for (std::size_t n = 0; n < t.all.size(); ++n) {
      t.by_first[static_cast<std::uint8_t>(t.all[n].text[0])].push_back(static_cast<std::uint16_t>(n));
    }
    return t;
  }();
  return table;
}

using Found = std::vector<bool>;

// Thresholds for "obfuscated": well above what hand-written admin scripts
// show (a few chr() calls for quotes, one or two caret escapes for "&"), and
// far below what generators emit (hundreds to thousands).
constexpr std::uint64_t kManyJoins = 30;
constexpr std::uint64_t kManyCharCodes = 20;
constexpr std::uint64_t kManyCarets = 10;
constexpr std::uint64_t kManyBackticks = 10;
constexpr std::uint64_t kManySubstrings = 5;

bool word_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

std::string join_labels(const Found& found, Group g) {
  const auto& all = needles().all;
  std::string out;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (!found[i] || all[i].group != g) continue;
    if (out.find(all[i].label) != std::string::npos) continue;  // one label, many spellings
    if (!out.empty()) out += ", ";
    out += all[i].label;
  }
  return out;
}

bool found_text(const Found& found, std::string_view text) {
  const auto& all = needles().all;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (found[i] && all[i].text == text) return true;
  }
  return false;
}

bool prefix_of(std::string_view word, std::string_view full, std::size_t min) noexcept {
  return word.size() >= min && word.size() <= full.size() && full.starts_with(word);
}

// PowerShell switches that hide what runs. PowerShell accepts any unambiguous
// prefix of a parameter name, and "-" or "/", so "-w hid", "/WindowStyle 1",
// "-nop", "-ep bypass", "-exec bypass" all count. Judged only near a
// "powershell"/"pwsh" word (or in a PowerShell script), where "-e" cannot be
// some other program's switch.
std::vector<std::string> powershell_switches(std::string_view t, bool ps_script) {
  std::vector<std::string> out;
  auto add = [&](std::string s) {
    for (const auto& o : out) {
      if (o == s) return;
    }
    out.push_back(std::move(s));
  };
  std::size_t last_ps = std::string_view::npos;
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    if (t.compare(i, 10, "powershell") == 0 || t.compare(i, 4, "pwsh") == 0) last_ps = i;
    if (!(t[i] == ' ' && (t[i + 1] == '-' || t[i + 1] == '/'))) continue;
    if (!ps_script && (last_ps == std::string_view::npos || i - last_ps > 512)) continue;
    std::size_t j = i + 2, k = j;
    while (k < t.size() && k - j < 32 && t[k] >= 'a' && t[k] <= 'z') ++k;
    const std::string_view word = t.substr(j, k - j);
    if (word.empty()) continue;
    std::size_t v = k;
    if (v < t.size() && (t[v] == ' ' || t[v] == ':')) ++v;
    std::size_t w = v;
    while (w < t.size() && w - v < 32 && (word_char(t[w]))) ++w;
    const std::string_view value = t.substr(v, w - v);
    if (prefix_of(word, "windowstyle", 1) && (value.starts_with("hid") || value == "h" || value == "1" ||
                                               value.starts_with("min"))) {
      add("-WindowStyle " + std::string(value));
    } else if (prefix_of(word, "noprofile", 3)) {
      add("-NoProfile");
    } else if (prefix_of(word, "noninteractive", 4)) {
      add("-NonInteractive");
    } else if ((word == "ep" || prefix_of(word, "executionpolicy", 2)) && word[1] != 'n' &&
               (value.starts_with("byp") || value.starts_with("unr"))) {
      add("-ExecutionPolicy " + std::string(value));
    } else if ((word == "ec" || prefix_of(word, "encodedcommand", 1)) && w - v >= 16) {
      add("-EncodedCommand");
    }
  }
  return out;
}

}  // namespace

std::vector<Indicator> find_indicators(std::string_view text, FileType type) {
  ObfuscationCounts counts;
  const std::string t = squeeze(text, counts);

  // One pass: at each position, only the needles starting with that byte.
  const Needles& table = needles();
  Found found(table.all.size(), false);
  for (std::size_t i = 0; i < t.size(); ++i) {
    for (std::uint16_t n : table.by_first[static_cast<std::uint8_t>(t[i])]) {
      const std::string_view needle = table.all[n].text;
      if (t.compare(i, needle.size(), needle) != 0) continue;
      // "iwr " must not be the end of "skiwr "; ".run(" has its own edge.
      if (word_char(needle[0]) && i > 0 && word_char(t[i - 1])) continue;
      found[n] = true;
      if (table.all[n].group == Group::char_code) ++counts.char_codes;
    }
  }

  std::vector<Indicator> out;
  std::string download = join_labels(found, Group::download);
  if (found_text(found, "adodb.stream") && found_text(found, "savetofile")) {
    download += download.empty() ? "ADODB.Stream.SaveToFile" : ", ADODB.Stream.SaveToFile";
  }
  if (!download.empty()) {
    out.push_back({"script.download_cradle", Severity::high, "the script downloads: " + download});
  }

  std::string lolbins = join_labels(found, Group::lolbin);
  // A PowerShell script naming powershell is not a launch in itself.
  if (type == FileType::script_ps1 && lolbins == "powershell") lolbins.clear();
  if (!lolbins.empty()) {
    std::string msg = "the script starts signed Windows programs that run other code: " + lolbins;
    if (found_text(found, "regsvr32") && found_text(found, "scrobj") && found_text(found, "/i:http")) {
      msg += " (regsvr32 /i:http scrobj.dll: a remote scriptlet, \"Squiblydoo\")";
    }
    out.push_back({"script.lolbin", Severity::high, std::move(msg)});
  }

  std::vector<std::string> runs;
  if (std::string r = join_labels(found, Group::run); !r.empty()) runs.push_back(std::move(r));
  if (found_text(found, "wscript.shell") &&
      (found_text(found, ".run(") || found_text(found, ".run ") || found_text(found, ".exec(") ||
       found_text(found, ".exec ")))
    runs.emplace_back("WScript.Shell.Run/Exec");
  if (found_text(found, "win32_process") && (found_text(found, ".create(") || found_text(found, ".create ")))
    runs.emplace_back("Win32_Process.Create");
  if (!runs.empty()) {
    std::string msg = "the script starts programs: ";
    for (std::size_t i = 0; i < runs.size(); ++i) msg += (i ? ", " : "") + runs[i];
    out.push_back({"script.runs_program", Severity::medium, std::move(msg)});
  }

  const bool ps_context = type == FileType::script_ps1 || found_text(found, "powershell") || found_text(found, "pwsh");
  if (ps_context) {
    const auto switches = powershell_switches(t, type == FileType::script_ps1);
    if (!switches.empty()) {
      std::string msg = "PowerShell started to hide what it runs:";
      for (const auto& s : switches) msg += " " + s;
      out.push_back({"script.powershell_hidden", Severity::high, std::move(msg)});
    }
  }

  if (std::string d = join_labels(found, Group::dynamic); !d.empty()) {
    out.push_back({"script.dynamic_code", Severity::medium, "the script runs code it builds at run time: " + d});
  }

  std::vector<std::string> signs;
  if (counts.joins >= kManyJoins) signs.push_back(std::to_string(counts.joins) + " string joins");
  if (counts.char_codes >= kManyCharCodes)
    signs.push_back(std::to_string(counts.char_codes) + "+ character-code calls (chr, fromCharCode, [char])");
  if (counts.carets >= kManyCarets) signs.push_back(std::to_string(counts.carets) + " caret escapes inside words");
  if (counts.backticks >= kManyBackticks)
    signs.push_back(std::to_string(counts.backticks) + " backtick escapes inside words");
  if (counts.substrings >= kManySubstrings)
    signs.push_back(std::to_string(counts.substrings) + " %var:~n,m% slices");
  if (!signs.empty()) {
    std::string msg = "obfuscated: ";
    for (std::size_t i = 0; i < signs.size(); ++i) msg += (i ? ", " : "") + signs[i];
    out.push_back({"script.obfuscated", Severity::medium, std::move(msg)});
  }
  return out;
}

}  // namespace sluice::analysis::scripts
