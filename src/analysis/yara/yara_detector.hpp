#pragma once
// The YARA detector. Unlike the detectors registered by sluice_add_detector(),
// it needs configuration (rule directories, timeouts) and work done once per
// engine (compiling rules), so Engine::create builds it from the Config
// (docs/adr/0007-yara-detector.md).
#include <cstdint>
#include <memory>

#include "analysis/detector.hpp"
#include "sluice/policy.hpp"
#include "sluice/result.hpp"

namespace sluice::analysis::yara {

// Compiles the configured rules (built-in starter rules and rule_dirs). A rule
// that does not compile is an error naming its file and line. An empty rule
// set (everything switched off) yields nullptr: nothing to run.
[[nodiscard]] Result<std::unique_ptr<Detector>> make_detector(const YaraConfig& config);

// How many parts this YARA detector did not scan because their message's
// scan answered for them (docs/adr/0039); 0 for any other detector.
[[nodiscard]] std::uint64_t parts_answered_by_their_message(const Detector& d);

// How many artifacts this YARA detector did not hand to libyara because none
// of the literals its strings need was in them (docs/adr/0040); 0 for any
// other detector.
[[nodiscard]] std::uint64_t artifacts_prefiltered(const Detector& d);

}  // namespace sluice::analysis::yara
