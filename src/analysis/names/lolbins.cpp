#include "analysis/names/lolbins.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "core/text.hpp"

namespace sluice::analysis::names {
namespace {

// The one LOLBin table, in the order script findings list the labels. LOLBAS (lolbas-project.github.io) lists each program
// with the way it runs code. A row is one program and, when scripts start it
// by a spelling worth matching, one such spelling as it reads in squeezed
// script text (lower case, carets and backticks gone, whitespace collapsed:
// analysis/scripts/indicators.cpp) with the label findings name it by.
// `lnk_target` marks the programs seen as targets of mailed shortcuts
// (Emotet, Qakbot, IcedID, Bumblebee); a program scripts start but shortcuts
// have not been seen to (msbuild, regasm ...) would turn ordinary developer
// shortcuts into findings, so it is not one.
struct Row {
  std::string_view program;
  bool lnk_target;
  std::string_view script_text;  // empty: no script spelling of its own
  std::string_view label;
};

constexpr std::array kRows{
    Row{"mshta.exe", true, "mshta", "mshta"},
    Row{"rundll32.exe", true, "rundll32", "rundll32"},
    Row{"regsvr32.exe", true, "regsvr32", "regsvr32"},
    Row{"certutil.exe", true, "certutil -decode", "certutil -decode"},
    Row{"certutil.exe", true, "certutil /decode", "certutil -decode"},
    Row{"certutil.exe", true, "certutil.exe -decode", "certutil -decode"},
    Row{"bitsadmin.exe", true, "bitsadmin", "bitsadmin"},
    Row{"wscript.exe", true, "wscript.exe", "wscript"},
    Row{"cscript.exe", true, "cscript.exe", "cscript"},
    Row{"wscript.exe", true, "wscript //", "wscript"},
    Row{"cscript.exe", true, "cscript //", "cscript"},
    Row{"cmd.exe", true, "cmd /c", "cmd /c"},
    Row{"cmd.exe", true, "cmd/c", "cmd /c"},
    Row{"cmd.exe", true, "cmd.exe /c", "cmd /c"},
    Row{"cmd.exe", true, "cmd /k", "cmd /k"},
    Row{"cmd.exe", true, "cmd.exe /k", "cmd /k"},
    Row{"powershell.exe", true, "powershell", "powershell"},
    Row{"pwsh.exe", true, "pwsh", "powershell"},
    Row{"msiexec.exe", true, "msiexec", "msiexec"},
    Row{"wmic.exe", true, "wmic process call create", "wmic process call create"},
    Row{"schtasks.exe", false, "schtasks /create", "schtasks /create"},
    Row{"forfiles.exe", true, "forfiles", "forfiles"},
    Row{"installutil.exe", false, "installutil", "installutil"},
    Row{"msbuild.exe", false, "msbuild", "msbuild"},
    Row{"regasm.exe", false, "regasm", "regasm"},
    Row{"cmstp.exe", false, "cmstp", "cmstp"},
    Row{"odbcconf.exe", false, "odbcconf", "odbcconf"},
    Row{"conhost.exe", true, "", ""},
};

}  // namespace

std::string basename_lower(std::string_view path) {
  const auto cut = path.find_last_of("\\/");
  return core::ascii_lower(cut == std::string_view::npos ? path : path.substr(cut + 1));
}

bool is_lolbin(std::string_view path) {
  const std::string base = basename_lower(path);
  return std::any_of(kRows.begin(), kRows.end(), [&](const Row& r) {
    return r.lnk_target && (base == r.program || base + ".exe" == r.program);
  });
}

std::vector<ScriptSpelling> lolbin_script_spellings() {
  std::vector<ScriptSpelling> out;
  for (const Row& r : kRows) {
    if (!r.script_text.empty()) out.push_back({r.script_text, r.label});
  }
  return out;
}

}  // namespace sluice::analysis::names
