#include "analysis/names/extensions.hpp"

#include <algorithm>
#include <array>

#include "core/text.hpp"

namespace sluice::analysis::names {
namespace {

// Extensions Windows runs (or hands to a script host / installer) on double-click.
constexpr std::array<std::string_view, 32> kExecutable{
    "exe", "scr", "com", "pif", "cpl", "dll", "msi", "msp", "lnk", "url", "bat", "cmd",
    "js",  "jse", "vbs", "vbe", "wsf", "wsh", "hta", "ps1", "psm1", "chm", "jar", "reg",
    "inf", "scf", "application", "appref-ms", "gadget", "msc", "iqy", "sct"};
constexpr std::array<std::string_view, 20> kDocument{
    "pdf", "doc", "docx", "docm", "xls", "xlsx", "xlsm", "ppt", "pptx", "rtf",
    "txt", "csv", "odt", "ods", "xps", "html", "htm", "eml", "msg", "one"};
constexpr std::array<std::string_view, 8> kImage{"jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "svg"};
constexpr std::array<std::string_view, 10> kArchive{"zip", "rar", "7z", "gz", "tgz", "tar", "cab", "arj", "lzh", "xz"};
constexpr std::array<std::string_view, 6> kDisk{"iso", "img", "vhd", "vhdx", "udf", "dmg"};

template <std::size_t N>
bool in(const std::array<std::string_view, N>& set, std::string_view e) {
  return std::find(set.begin(), set.end(), e) != set.end();
}

}  // namespace

std::string last_extension(std::string_view name) {
  const auto slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  // Windows ignores trailing dots and spaces when it resolves the extension.
  while (!name.empty() && (name.back() == '.' || name.back() == ' ')) name.remove_suffix(1);
  // ISO 9660 version suffix ";1" is not part of the extension either.
  if (const auto semi = name.rfind(';'); semi != std::string_view::npos) name = name.substr(0, semi);
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == name.size()) return {};
  return core::ascii_lower(name.substr(dot + 1));
}

Claim claim_of(std::string_view e) noexcept {
  if (e.empty()) return Claim::none;
  if (in(kExecutable, e)) return Claim::executable;
  if (in(kDocument, e)) return Claim::document;
  if (in(kImage, e)) return Claim::image;
  if (in(kArchive, e)) return Claim::archive;
  if (in(kDisk, e)) return Claim::disk_image;
  return Claim::other;
}

OfficeClaim office_claim_of(std::string_view e) noexcept {
  struct Row {
    std::string_view ext, application, container;
  };
  static constexpr std::array<Row, 30> kOffice{{
      {"doc", "word", "ole2"},        {"dot", "word", "ole2"},        {"wbk", "word", "ole2"},
      {"docx", "word", "ooxml"},      {"docm", "word", "ooxml"},      {"dotx", "word", "ooxml"},
      {"dotm", "word", "ooxml"},      {"xls", "excel", "ole2"},       {"xlt", "excel", "ole2"},
      {"xla", "excel", "ole2"},       {"xlsx", "excel", "ooxml"},     {"xlsm", "excel", "ooxml"},
      {"xlsb", "excel", "ooxml"},     {"xltx", "excel", "ooxml"},     {"xltm", "excel", "ooxml"},
      {"xlam", "excel", "ooxml"},     {"ppt", "powerpoint", "ole2"},  {"pps", "powerpoint", "ole2"},
      {"pot", "powerpoint", "ole2"},  {"ppa", "powerpoint", "ole2"},  {"pptx", "powerpoint", "ooxml"},
      {"pptm", "powerpoint", "ooxml"}, {"ppsx", "powerpoint", "ooxml"}, {"ppsm", "powerpoint", "ooxml"},
      {"potx", "powerpoint", "ooxml"}, {"potm", "powerpoint", "ooxml"}, {"ppam", "powerpoint", "ooxml"},
      {"sldx", "powerpoint", "ooxml"}, {"sldm", "powerpoint", "ooxml"}, {"thmx", "powerpoint", "ooxml"},
  }};
  for (const Row& r : kOffice) {
    if (r.ext == e) return {r.application, r.container};
  }
  return {};
}

std::string_view to_string(Claim c) noexcept {
  switch (c) {
    case Claim::none: return "none";
    case Claim::executable: return "executable";
    case Claim::document: return "document";
    case Claim::image: return "image";
    case Claim::archive: return "archive";
    case Claim::disk_image: return "disk image";
    case Claim::other: return "other";
  }
  return "other";
}

}  // namespace sluice::analysis::names
