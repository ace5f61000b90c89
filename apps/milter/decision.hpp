#pragma once
// From a scan outcome to what the milter does: the verdict it reports, the
// action the configuration maps it to, and the texts for the SMTP reply,
// headers and log. Pure functions: the libmilter glue only carries them out.
#include <string>
#include <vector>

#include "metrics.hpp"
#include "scanner.hpp"
#include "settings.hpp"

namespace sluice::milter {

// Why a message was not scanned (empty when it was).
struct Unscanned {
  std::string reason;  // "oversize", "busy", "authenticated", "sender_allow", "recipient_allow",
                      // "error" (the message could not be held for its scan)
  Action action = Action::accept;
};

struct Decision {
  Outcome verdict = Outcome::unscanned;
  Action action = Action::accept;
  double score = 0;
  std::vector<std::string> findings;  // top finding IDs, no repeats, highest score first
  std::string reason;                 // one word: "timeout", "deadline", "engine", an Unscanned reason
  std::string detail;                 // the engine's error message, for the log only
  std::string scan_id;
  std::chrono::microseconds scan_time{0};  // the engine's own time (0 when nothing ran)
};

[[nodiscard]] Decision decide(const MilterSettings& settings, const ScanOutcome& outcome, std::string scan_id);
[[nodiscard]] Decision unscanned(const Unscanned& why, std::string scan_id);

// A reply/quarantine template with {verdict} {score} {scan_id} {findings}
// filled in; '%' doubled because libmilter treats the text as a format.
[[nodiscard]] std::string render_text(std::string_view templ, const Decision& d);
// "suspicious score=35", "unscanned reason=oversize"
[[nodiscard]] std::string verdict_header(const Decision& d);
[[nodiscard]] std::string findings_header(const Decision& d);

// 16 hex digits from the system's random source: unique enough to name
// quarantine files and to find a message again in the logs.
[[nodiscard]] std::string new_scan_id();

}  // namespace sluice::milter
