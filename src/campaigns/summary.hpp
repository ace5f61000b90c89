#pragma once
// What the campaign store tells about one campaign: the figures a mail admin
// and a threat hunter ask for ("what is this wave, how big, who is it aimed at,
// is it still going, what do I block"). Filled by Store::summaries(); rendered
// as text, JSON, the HTML report and the STIX bundle.
#include <cstdint>
#include <string>
#include <vector>

namespace sluice::campaigns {

// A value and how many of the campaign's messages carried it, most frequent first.
struct Counted {
  std::string value;
  std::int64_t count = 0;
};

// Messages first seen in [start, start + bucket_seconds).
struct VolumeBucket {
  std::int64_t start = 0;  // Unix seconds, UTC
  std::int64_t messages = 0;
};

struct CampaignSummary {
  std::int64_t id = 0;
  std::string label;  // "C-42": what the CLI, the JSON result and the report show
  std::int64_t size = 0;
  std::int64_t first_seen = 0;  // Unix seconds, UTC
  std::int64_t last_seen = 0;
  std::string max_verdict;      // "suspicious" | "malicious"
  double max_score = 0;
  std::int64_t bucket_seconds = 3600;  // the timeline's step: an hour, or a day for long waves
  std::vector<VolumeBucket> timeline;  // oldest first, empty buckets included
  std::vector<Counted> recipient_domains;  // the sector view
  std::vector<Counted> brands;             // lure brands claimed
  std::vector<Counted> themes;             // lure themes
  std::vector<Counted> sender_domains;     // From registrable domains
  std::vector<Counted> sender_hosts;       // first external Received hosts / addresses
  std::vector<Counted> display_names;
  std::vector<Counted> subjects;           // subject templates (numbers and codes abstracted)
  std::vector<Counted> techniques;         // container chains and layouts ("email>zip>iso9660>pe-exe")
  std::vector<Counted> payload_hashes;     // SHA-256 of executable payloads
  std::vector<Counted> imphashes;
  std::vector<Counted> families;           // "remcos"
  std::vector<Counted> c2;                 // "host:port" from implant configs
  std::vector<Counted> mutexes;
  std::vector<Counted> url_domains;        // registrable domains of links
  std::vector<Counted> findings;           // finding IDs
  std::string sample_evidence;  // the evidence path of the top finding of the first message
  std::string sample_message_id;
  std::vector<std::int64_t> merged;  // campaigns folded into this one (older IDs are kept)
};

}  // namespace sluice::campaigns
