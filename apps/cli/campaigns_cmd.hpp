#pragma once
// `sluice campaigns`: reading the campaign store (docs/campaigns.md).
#include <string>

namespace sluice::cli {

struct CampaignsArgs {
  std::string db;           // --db, else [campaigns] db of --config
  std::string config_file;
  std::string action;       // list | show | assignments | export
  std::string id;           // for show, export and label (a message number with --message)
  std::string label;        // for label: malicious | benign | clear
  bool message = false;     // label: `id` is a stored message's number, not a campaign
  std::string format = "text";
  std::string html_file;    // --html FILE
};

int run_campaigns(const CampaignsArgs& args);

}  // namespace sluice::cli
