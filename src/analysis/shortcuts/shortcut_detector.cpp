// What a Windows shortcut does, judged from the facts the lnk unpacker records
// (src/formats/lnk/README.md): the program it runs, its arguments and the icon
// it wears. The shortcut is the lure that replaced macros: a LOLBin target, a
// download or encoded command in the arguments, a PDF icon on a program.
#include <array>
#include <string>
#include <variant>

#include "analysis/detector.hpp"
#include "analysis/names/extensions.hpp"
#include "analysis/names/lolbins.hpp"
#include "core/text.hpp"
#include "meta/lnk.hpp"

namespace sluice::analysis::shortcuts {
namespace {

using names::basename_lower;

// Windows' own shortcuts never need more than MAX_PATH of arguments; droppers
// pad past 260 so Explorer's properties box shows only whitespace.
constexpr std::int64_t kMaxPlainArguments = 260;

std::string suspicious_argument(std::string_view args, std::int64_t chars) {
  if (chars > kMaxPlainArguments) return std::to_string(chars) + " characters of arguments";
  const std::string a = core::ascii_lower(args);
  for (std::string_view needle : {"-enc", "/enc", "-w hidden", "-windowstyle hidden",
                                  "http://", "https://", "frombase64string"}) {
    if (a.find(needle) != std::string::npos) return "arguments contain \"" + std::string(needle) + "\"";
  }
  return {};
}

// An icon that makes a shortcut to a program look like a document: a document
// type's own file, or the shell's stock icon libraries (imageres.dll and
// shell32.dll hold the PDF/text/folder icons lures pick by index), or the
// installed reader whose icon the victim trusts.
bool is_document_icon(std::string_view icon) {
  const std::string base = basename_lower(icon);
  for (std::string_view ext : {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".rtf", ".txt", ".jpg", ".png"}) {
    if (base.ends_with(ext)) return true;
  }
  for (std::string_view lib : {"imageres.dll", "shell32.dll", "acrord32.exe", "acrobat.exe", "winword.exe",
                               "excel.exe", "msedge.exe"}) {
    if (base == lib) return true;
  }
  return false;
}

std::int64_t meta_int(const Artifact& a, const MetaKey<std::int64_t>& key) {
  const std::int64_t* n = a.meta_value(key);
  return n == nullptr ? 0 : *n;  // absent: the shortcut has no arguments
}

class ShortcutDetector final : public Detector {
 public:
  std::string_view name() const noexcept override { return "shortcuts"; }

  void inspect(const ArtifactTree& tree, FindingSink& sink) const override {
    for (const Artifact& a : tree) {
      if (a.type == FileType::lnk) inspect_one(a, sink);
    }
  }

 private:
  static void inspect_one(const Artifact& a, FindingSink& sink) {
    const std::string target = a.meta_string(meta::lnk::target);
    // The IDList path is what Explorer resolves when LinkInfo is absent; judge each.
    const bool lolbin = names::is_lolbin(target) || names::is_lolbin(a.meta_string(meta::lnk::idlist_path)) ||
                        names::is_lolbin(a.meta_string(meta::lnk::environment_target));
    if (lolbin) sink.add("lnk.lolbin_target", Severity::high, a.id, "the shortcut runs " + basename_lower(target), {});
    const std::string why = suspicious_argument(a.meta_string(meta::lnk::arguments), meta_int(a, meta::lnk::arguments_chars));
    if (!why.empty()) sink.add("lnk.suspicious_arguments", Severity::high, a.id, why, {});
    std::string icon = a.meta_string(meta::lnk::icon_location);
    if (icon.empty()) icon = a.meta_string(meta::lnk::icon_environment);
    const bool program = names::claim_of(names::last_extension(target)) == names::Claim::executable;
    if ((program || lolbin) && is_document_icon(icon) && basename_lower(icon) != basename_lower(target)) {
      sink.add("lnk.document_icon", Severity::medium, a.id,
               "a shortcut to " + basename_lower(target) + " wears the icon of " + icon, {});
    }
  }
};

}  // namespace

Status register_detector(Detectors& d, const Config&) {
  d.push_back(std::make_unique<ShortcutDetector>());
  return {};
}

}  // namespace sluice::analysis::shortcuts
