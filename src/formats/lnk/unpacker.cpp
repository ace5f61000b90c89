// LNK → meta ("lnk.*") and anomalies. A shortcut has no members: what matters is
// what it runs, how (hidden window, encoded arguments) and what it looks like
// (the icon), which is the whole of a shortcut lure.
#include <array>

#include "core/text.hpp"
#include "core/unpacker.hpp"
#include "formats/lnk/layout.hpp"
#include "formats/lnk/parser.hpp"

namespace sluice::formats::lnk {
namespace {

std::string basename_lower(std::string_view path) {
  const auto cut = path.find_last_of("\\/");
  return core::ascii_lower(cut == std::string_view::npos ? path : path.substr(cut + 1));
}

// Living-off-the-land binaries seen as LNK targets in mail campaigns (Emotet,
// Qakbot, IcedID, Bumblebee): signed Windows tools that run attacker code.
bool is_lolbin(std::string_view target) {
  const std::string base = basename_lower(target);
  static constexpr std::array<std::string_view, 14> kLolbins{
      "cmd.exe",      "powershell.exe", "pwsh.exe",  "mshta.exe",    "rundll32.exe",
      "regsvr32.exe", "wscript.exe",    "cscript.exe", "certutil.exe", "bitsadmin.exe",
      "msiexec.exe",  "forfiles.exe",   "conhost.exe", "wmic.exe"};
  for (std::string_view l : kLolbins) {
    if (base == l || base + ".exe" == l) return true;
  }
  return false;
}

std::string suspicious_argument(std::string_view args, std::uint32_t chars) {
  // Windows' own shortcuts never need more than MAX_PATH of arguments; droppers
  // pad past 260 so Explorer's properties box shows only whitespace.
  if (chars > 260) return std::to_string(chars) + " characters of arguments";
  const std::string a = core::ascii_lower(args);
  for (std::string_view needle : {"-enc", "/enc", "-w hidden", "-windowstyle hidden",
                                  "http://", "https://", "frombase64string"}) {
    if (a.find(needle) != std::string::npos) return "arguments contain \"" + std::string(needle) + "\"";
  }
  return {};
}

bool is_executable_target(std::string_view target) {
  const std::string base = basename_lower(target);
  for (std::string_view ext : {".exe", ".com", ".scr", ".bat", ".cmd", ".pif", ".dll", ".cpl", ".hta",
                               ".js", ".vbs", ".ps1", ".msi"}) {
    if (base.ends_with(ext)) return true;
  }
  return false;
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

class LnkUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "lnk"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    ParseCaps caps;
    caps.max_items = ctx.limits().max_children;
    caps.max_string = ctx.limits().max_name_length;
    auto parsed = parse(ctx.bytes(), caps);
    if (!parsed) return std::unexpected(parsed.error());
    const Shortcut& s = *parsed;
    ctx.meta("lnk.flags", static_cast<std::int64_t>(s.flags));
    ctx.meta("lnk.file_attributes", static_cast<std::int64_t>(s.attributes));
    ctx.meta("lnk.creation_time", static_cast<std::int64_t>(s.creation_time));
    ctx.meta("lnk.access_time", static_cast<std::int64_t>(s.access_time));
    ctx.meta("lnk.write_time", static_cast<std::int64_t>(s.write_time));
    ctx.meta("lnk.icon_index", static_cast<std::int64_t>(s.icon_index));
    ctx.meta("lnk.show_command", static_cast<std::int64_t>(s.show_command));

    const std::string target = ctx.clean_name(s.target());
    auto text = [&](std::string_view key, const std::string& v) {
      if (!v.empty()) ctx.meta(std::string(key), ctx.clean_name(v));
    };
    text("lnk.target", target);
    text("lnk.idlist_path", s.idlist_path);
    text("lnk.local_base_path", s.local_base_path);
    text("lnk.network_share", s.network_share);
    text("lnk.name", s.name);
    text("lnk.relative_path", s.relative_path);
    text("lnk.working_dir", s.working_dir);
    text("lnk.arguments", s.arguments);
    text("lnk.icon_location", s.icon_location);
    text("lnk.environment_target", s.env_target);
    text("lnk.icon_environment", s.icon_env_target);
    text("lnk.known_folder", s.known_folder);
    text("lnk.machine_id", s.machine_id);
    text("lnk.droid_volume", s.droid_volume);
    text("lnk.droid_file", s.droid_file);
    text("lnk.mac", s.mac);
    if (!target.empty()) {
      ctx.meta("lnk.command_line", s.arguments.empty() ? target : target + " " + ctx.clean_name(s.arguments));
    }

    if (s.show_command == kSwShowMinNoActive || s.show_command == kSwHide) {
      ctx.anomaly("lnk.hidden_window", Severity::medium, kShowCommandOffset,
                  s.show_command == kSwHide ? "ShowCommand 0 (SW_HIDE)"
                                            : "ShowCommand SW_SHOWMINNOACTIVE: the program runs minimised, unseen");
    }
    // The IDList path is what Explorer resolves when LinkInfo is absent; judge both.
    const bool lolbin = is_lolbin(target) || is_lolbin(s.idlist_path) || is_lolbin(s.env_target);
    if (lolbin) {
      ctx.anomaly("lnk.lolbin_target", Severity::high, 0, "the shortcut runs " + basename_lower(target));
    }
    if (std::string why = suspicious_argument(s.arguments, s.arguments_chars); !why.empty()) {
      ctx.anomaly("lnk.suspicious_arguments", Severity::high, 0, ctx.clean_name(why));
    }
    const std::string icon = s.icon_location.empty() ? s.icon_env_target : s.icon_location;
    if ((is_executable_target(target) || lolbin) && is_document_icon(icon) &&
        basename_lower(icon) != basename_lower(target)) {
      ctx.anomaly("lnk.document_icon", Severity::medium, 0,
                  "a shortcut to " + basename_lower(target) + " wears the icon of " + ctx.clean_name(icon));
    }
    for (const Anomaly& p : s.problems) {
      ctx.anomaly(p.id, p.severity, p.offset, p.message);
    }
    return {};
  }

 private:
  static constexpr std::array kTypes{FileType::lnk};
};

}  // namespace

void register_format(core::Registry& r) { r.add(std::make_unique<LnkUnpacker>()); }

}  // namespace sluice::formats::lnk
