// LNK → meta ("lnk.*") and anomalies. A shortcut has no members: what matters is
// what it runs, how (hidden window, arguments) and what it looks like (the
// icon). This records those facts; src/analysis/shortcuts judges them.
#include <array>

#include "core/text.hpp"
#include "core/unpacker.hpp"
#include "formats/lnk/layout.hpp"
#include "formats/lnk/parser.hpp"
#include "meta/lnk.hpp"

namespace sluice::formats::lnk {
namespace {

class LnkUnpacker final : public core::Unpacker {
 public:
  std::string_view name() const noexcept override { return "lnk"; }
  std::span<const FileType> handles() const noexcept override { return kTypes; }

  Status unpack(core::UnpackContext& ctx) const override {
    auto parsed = parse(ctx.bytes(), ctx.limits());
    if (!parsed) return std::unexpected(parsed.error());
    const Shortcut& s = parsed->model;
    ctx.meta(meta::lnk::flags, static_cast<std::int64_t>(s.flags));
    ctx.meta(meta::lnk::file_attributes, static_cast<std::int64_t>(s.attributes));
    ctx.meta(meta::lnk::creation_time, static_cast<std::int64_t>(s.creation_time));
    ctx.meta(meta::lnk::access_time, static_cast<std::int64_t>(s.access_time));
    ctx.meta(meta::lnk::write_time, static_cast<std::int64_t>(s.write_time));
    ctx.meta(meta::lnk::icon_index, static_cast<std::int64_t>(s.icon_index));
    ctx.meta(meta::lnk::show_command, static_cast<std::int64_t>(s.show_command));

    const std::string target = ctx.clean_name(s.target());
    auto text = [&](const MetaKey<std::string>& key, const std::string& v) {
      if (!v.empty()) ctx.meta(key, ctx.clean_name(v));
    };
    text(meta::lnk::target, target);
    text(meta::lnk::idlist_path, s.idlist_path);
    text(meta::lnk::local_base_path, s.local_base_path);
    text(meta::lnk::network_share, s.network_share);
    text(meta::lnk::name, s.name);
    text(meta::lnk::relative_path, s.relative_path);
    text(meta::lnk::working_dir, s.working_dir);
    text(meta::lnk::arguments, s.arguments);
    if (s.arguments_chars > 0) ctx.meta(meta::lnk::arguments_chars, static_cast<std::int64_t>(s.arguments_chars));
    text(meta::lnk::icon_location, s.icon_location);
    text(meta::lnk::environment_target, s.env_target);
    text(meta::lnk::icon_environment, s.icon_env_target);
    text(meta::lnk::known_folder, s.known_folder);
    text(meta::lnk::machine_id, s.machine_id);
    text(meta::lnk::droid_volume, s.droid_volume);
    text(meta::lnk::droid_file, s.droid_file);
    text(meta::lnk::mac, s.mac);
    if (!target.empty()) {
      ctx.meta(meta::lnk::command_line, s.arguments.empty() ? target : target + " " + ctx.clean_name(s.arguments));
    }

    if (s.show_command == kSwShowMinNoActive || s.show_command == kSwHide) {
      ctx.anomaly("lnk.hidden_window", Severity::medium, kShowCommandOffset,
                  s.show_command == kSwHide ? "ShowCommand 0 (SW_HIDE)"
                                            : "ShowCommand SW_SHOWMINNOACTIVE: the program runs minimised, unseen");
    }
    for (const Anomaly& p : parsed->anomalies) {
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
