#include "analysis/names/lolbins.hpp"

#include <array>
#include <string>

#include "core/text.hpp"

namespace sluice::analysis::names {
namespace {

// Seen as LNK targets in mail campaigns (Emotet, Qakbot, IcedID, Bumblebee);
// LOLBAS (lolbas-project.github.io) lists each with the way it runs code.
constexpr std::array<std::string_view, 14> kLolbins{
    "cmd.exe",      "powershell.exe", "pwsh.exe",    "mshta.exe",    "rundll32.exe",
    "regsvr32.exe", "wscript.exe",    "cscript.exe", "certutil.exe", "bitsadmin.exe",
    "msiexec.exe",  "forfiles.exe",   "conhost.exe", "wmic.exe"};

}  // namespace

std::string basename_lower(std::string_view path) {
  const auto cut = path.find_last_of("\\/");
  return core::ascii_lower(cut == std::string_view::npos ? path : path.substr(cut + 1));
}

bool is_lolbin(std::string_view path) {
  const std::string base = basename_lower(path);
  for (std::string_view l : kLolbins) {
    if (base == l || base + ".exe" == l) return true;
  }
  return false;
}

}  // namespace sluice::analysis::names
