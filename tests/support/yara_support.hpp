#pragma once
// What the YARA shortcut tests share (docs/adr/0039, 0040): the detector's
// counters read off an engine, and an engine with one extra rule file.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "analysis/yara/yara_detector.hpp"
#include "engine/engine_factory.hpp"
#include "test_support.hpp"

namespace sluice::testing {

// Parts the YARA detector left unscanned because their message answered for them.
inline std::uint64_t yara_parts_answered(const Engine& e) {
  std::uint64_t n = 0;
  for (const auto& d : EngineFactory::detectors(e)) n += analysis::yara::parts_answered_by_their_message(*d);
  return n;
}

// Artifacts the YARA detector did not hand to libyara: none of the literals.
inline std::uint64_t yara_artifacts_prefiltered(const Engine& e) {
  std::uint64_t n = 0;
  for (const auto& d : EngineFactory::detectors(e)) n += analysis::yara::artifacts_prefiltered(*d);
  return n;
}

// A scratch rule directory holding `text` as extra.yar, removed afterwards.
struct RuleDir {
  std::filesystem::path path;
  explicit RuleDir(const std::string& text) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-rules-XXXXXX").string();
    path = ::mkdtemp(tmpl.data()) != nullptr ? std::filesystem::path(tmpl) : std::filesystem::path();
    std::ofstream(path / "extra.yar", std::ios::binary) << text;
  }
  ~RuleDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  RuleDir(const RuleDir&) = delete;
  RuleDir& operator=(const RuleDir&) = delete;
};

// An engine with the starter rules and `dir`'s.
inline Engine engine_with_rules(const RuleDir& dir) {
  return engine_with_toml("[yara]\nrule_dirs = [\"" + dir.path.string() + "\"]\n");
}

}  // namespace sluice::testing
