// `sluice campaigns list | show ID | assignments | export ID`, and --html.
#include "campaigns_cmd.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

#include "campaigns/html_report.hpp"
#include "campaigns/render.hpp"
#include "campaigns/stix.hpp"
#include "campaigns/store.hpp"
#include "config_file.hpp"
#include "console.hpp"

namespace sluice::cli {
namespace {

std::string dump(const nlohmann::ordered_json& j, bool pretty) {
  return j.dump(pretty ? 2 : -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  return static_cast<bool>(f);
}

}  // namespace

int run_campaigns(const CampaignsArgs& a) {
  std::string db = a.db;
  if (db.empty()) {
    auto cfg = load_config(a.config_file);
    if (!cfg) return command_error(cfg.error().what);
    db = cfg->campaigns.db;
  }
  if (db.empty()) return command_error("campaigns: no store: give --db PATH or set [campaigns] db in --config");
  auto store = campaigns::Store::open(db);
  if (!store) return command_error(store.error().what);
  const auto now = static_cast<std::int64_t>(std::time(nullptr));

  if (a.action == "label") {
    if (a.id.empty() || a.label.empty()) return command_error("campaigns label: give an ID and malicious, benign or clear");
    const std::string label = a.label == "clear" ? std::string() : a.label;
    if (a.message) {
      std::int64_t id = 0;
      const auto [end, ec] = std::from_chars(a.id.data(), a.id.data() + a.id.size(), id);
      if (ec != std::errc{} || end != a.id.data() + a.id.size()) return command_error("campaigns label: not a message number: " + a.id);
      if (auto s = store->label_message(id, label); !s) return command_error(s.error().what);
      print_out("message " + a.id + ": " + a.label + "\n");
      return kCommandOk;
    }
    auto done = store->label_campaign(a.id, label);
    if (!done) return command_error(done.error().what);
    print_out(*done + ": " + a.label + "\n");
    return kCommandOk;
  }

  std::vector<campaigns::CampaignSummary> shown;
  if (a.action == "list" || (a.action.empty() && !a.html_file.empty())) {
    auto all = store->summaries();
    if (!all) return command_error(all.error().what);
    shown = std::move(*all);
    if (a.format == "json") {
      nlohmann::ordered_json arr = nlohmann::ordered_json::array();
      for (const auto& c : shown) arr.push_back(campaigns::to_json(c));
      print_out(dump(arr, true));
    } else if (a.format == "jsonl") {
      for (const auto& c : shown) print_out(dump(campaigns::to_json(c), false));
    } else if (a.html_file.empty() || a.action == "list") {
      if (shown.empty()) print_out("no campaigns\n");
      for (const auto& c : shown) print_out(campaigns::list_line(c));
    }
  } else if (a.action == "show" || a.action == "export") {
    if (a.id.empty()) return command_error("campaigns " + a.action + ": which campaign? (C-<n>)");
    auto c = store->summary(a.id);
    if (!c) return command_error(c.error().what);
    if (a.action == "export" && a.format == "stix") {
      print_out(dump(campaigns::to_stix_bundle(*c, now), true));
    } else if (a.format == "json" || a.action == "export") {
      print_out(dump(campaigns::to_json(*c), a.format != "jsonl"));
    } else if (a.format == "jsonl") {
      print_out(dump(campaigns::to_json(*c), false));
    } else {
      print_out(campaigns::to_text(*c));
    }
    shown.push_back(std::move(*c));
  } else if (a.action == "assignments") {
    auto rows = store->assignments();
    if (!rows) return command_error(rows.error().what);
    if (a.format == "text") {
      for (const auto& m : *rows) {
        print_out((m.campaign.empty() ? std::string("-") : m.campaign) + "  " + campaigns::iso_time(m.seen_at) + "  " +
            m.verdict + "  " + (m.message_id.empty() ? m.input : m.message_id) + "\n");
      }
    } else if (a.format == "json") {
      nlohmann::ordered_json arr = nlohmann::ordered_json::array();
      for (const auto& m : *rows) arr.push_back(campaigns::to_json(m));
      print_out(dump(arr, true));
    } else {
      for (const auto& m : *rows) print_out(dump(campaigns::to_json(m), false));
    }
  } else {
    return command_error("campaigns: say list, show ID, assignments or export ID");
  }

  if (!a.html_file.empty()) {
    const std::string html = campaigns::render_html(shown, now, "Sluice campaigns");
    if (!write_file(a.html_file, html)) return command_error("campaigns --html: cannot write " + a.html_file);
  }
  return kCommandOk;
}

}  // namespace sluice::cli
