// `sluice campaigns list | show ID | assignments | export ID`, and --html.
#include "campaigns_cmd.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

#include "campaigns/html_report.hpp"
#include "campaigns/render.hpp"
#include "campaigns/stix.hpp"
#include "campaigns/store.hpp"
#include "config_file.hpp"

namespace sluice::cli {
namespace {

constexpr int kOk = 0;
constexpr int kError = 2;

int error(const std::string& what) {
  std::fprintf(stderr, "sluice: %s\n", what.c_str());
  return kError;
}

void out(const std::string& s) { std::fwrite(s.data(), 1, s.size(), stdout); }

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
    if (!cfg) return error(cfg.error().what);
    db = cfg->campaigns.db;
  }
  if (db.empty()) return error("campaigns: no store: give --db PATH or set [campaigns] db in --config");
  auto store = campaigns::Store::open(db);
  if (!store) return error(store.error().what);
  const auto now = static_cast<std::int64_t>(std::time(nullptr));

  std::vector<campaigns::CampaignSummary> shown;
  if (a.action == "list" || (a.action.empty() && !a.html_file.empty())) {
    auto all = store->summaries();
    if (!all) return error(all.error().what);
    shown = std::move(*all);
    if (a.format == "json") {
      nlohmann::ordered_json arr = nlohmann::ordered_json::array();
      for (const auto& c : shown) arr.push_back(campaigns::to_json(c));
      out(dump(arr, true));
    } else if (a.format == "jsonl") {
      for (const auto& c : shown) out(dump(campaigns::to_json(c), false));
    } else if (a.html_file.empty() || a.action == "list") {
      if (shown.empty()) out("no campaigns\n");
      for (const auto& c : shown) out(campaigns::list_line(c));
    }
  } else if (a.action == "show" || a.action == "export") {
    if (a.id.empty()) return error("campaigns " + a.action + ": which campaign? (C-<n>)");
    auto c = store->summary(a.id);
    if (!c) return error(c.error().what);
    if (a.action == "export" && a.format == "stix") {
      out(dump(campaigns::to_stix_bundle(*c, now), true));
    } else if (a.format == "json" || a.action == "export") {
      out(dump(campaigns::to_json(*c), a.format != "jsonl"));
    } else if (a.format == "jsonl") {
      out(dump(campaigns::to_json(*c), false));
    } else {
      out(campaigns::to_text(*c));
    }
    shown.push_back(std::move(*c));
  } else if (a.action == "assignments") {
    auto rows = store->assignments();
    if (!rows) return error(rows.error().what);
    if (a.format == "text") {
      for (const auto& m : *rows) {
        out((m.campaign.empty() ? std::string("-") : m.campaign) + "  " + campaigns::iso_time(m.seen_at) + "  " +
            m.verdict + "  " + (m.message_id.empty() ? m.input : m.message_id) + "\n");
      }
    } else if (a.format == "json") {
      nlohmann::ordered_json arr = nlohmann::ordered_json::array();
      for (const auto& m : *rows) arr.push_back(campaigns::to_json(m));
      out(dump(arr, true));
    } else {
      for (const auto& m : *rows) out(dump(campaigns::to_json(m), false));
    }
  } else {
    return error("campaigns: say list, show ID, assignments or export ID");
  }

  if (!a.html_file.empty()) {
    const std::string html = campaigns::render_html(shown, now, "Sluice campaigns");
    if (!write_file(a.html_file, html)) return error("campaigns --html: cannot write " + a.html_file);
  }
  return kOk;
}

}  // namespace sluice::cli
