#pragma once
// `sluice campaigns`: reading the campaign store (docs/campaigns.md).
#include <string>

namespace sluice::cli {

struct CampaignsArgs {
  std::string db;           // --db, else [campaigns] db of --config
  std::string config_file;
  std::string action;       // list | show | assignments | export
  std::string id;           // for show and export
  std::string format = "text";
  std::string html_file;    // --html FILE
};

int run_campaigns(const CampaignsArgs& args);

}  // namespace sluice::cli
