#pragma once
// Compiled YARA rules, shared read-only by every scan of one Engine. libyara
// keeps process-wide state (yr_initialize/yr_finalize, refcounted): a Rules
// object holds one reference for as long as it lives, so the library stays
// initialised exactly while some engine can scan (docs/adr/0007-yara-detector.md).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/policy.hpp"
#include "sluice/result.hpp"

struct YR_RULES;
struct YR_SCAN_CONTEXT;  // libyara's YR_SCANNER

namespace sluice::analysis::yara {

// One rule source: what errors name it by, the namespace its rules live in,
// and either its text or (from_file) the path libyara reads, so that `include`
// directives resolve relative to the file as they do for the yara CLI.
struct RuleSource {
  std::string name;
  std::string rule_namespace;
  std::string text;
  bool from_file = false;
};

struct ScannerDeleter {
  void operator()(YR_SCAN_CONTEXT* s) const noexcept;
};
using Scanner = std::unique_ptr<YR_SCAN_CONTEXT, ScannerDeleter>;

class Rules {
 public:
  // Compiles every source; the first source with an error fails the whole set,
  // its message naming file and line ("rules/x.yar:12: syntax error ...").
  static Result<std::shared_ptr<const Rules>> compile(const std::vector<RuleSource>& sources);
  // Rules compiled earlier and saved (save() below; libyara's own format, what
  // yarac writes). The starter rules are compiled when Sluice is built and
  // loaded at start: libyara's compiler costs a one-file scan about a fifth of
  // its time (docs/adr/0030). Fails on bytes this libyara did not write.
  static Result<std::shared_ptr<const Rules>> load(std::span<const std::uint8_t> compiled);
  [[nodiscard]] Result<std::vector<std::uint8_t>> save() const;
  ~Rules();
  Rules(const Rules&) = delete;
  Rules& operator=(const Rules&) = delete;

  [[nodiscard]] YR_RULES* get() const noexcept { return rules_; }
  // A scanner over these rules, null when libyara cannot make one (out of
  // memory). Scanners hold one scan's matches: one per scan, never shared
  // between threads; the rules are.
  [[nodiscard]] Scanner new_scanner() const noexcept;
  [[nodiscard]] std::size_t rule_count() const noexcept { return rule_count_; }
  // Whether some rule imports a module (pe, elf, dotnet, math …): module code
  // parses the artifact itself, so scans keep libyara's fault guard on
  // (docs/adr/0031). Pattern-and-condition rules read only through libyara's
  // bounds-checked matcher and need none.
  [[nodiscard]] bool imports_modules() const noexcept { return imports_modules_; }
  // Whether some string is searched only at one offset (`$a at 0` lets
  // libyara skip the automaton for it): a match at a part's start is then not
  // found in its message, so parts are never skipped (docs/adr/0039).
  [[nodiscard]] bool fixed_offset_strings() const noexcept { return fixed_offset_strings_; }

 private:
  Rules() = default;
  static Result<std::shared_ptr<Rules>> with_library();  // empty, holding a yr_initialize reference
  void count_rules() noexcept;
  void probe_modules() noexcept;
  bool library_ = false;  // this object holds one yr_initialize reference
  YR_RULES* rules_ = nullptr;
  std::size_t rule_count_ = 0;
  bool imports_modules_ = true;
  bool fixed_offset_strings_ = true;
};

// The starter rules compiled into the binary (data/yara/*.yar), namespace "sluice".
[[nodiscard]] std::vector<RuleSource> builtin_sources();
// *.yar and *.yara files directly in each directory, sorted by path; each file
// is its own namespace (its stem) so two vendors' rule names cannot clash.
[[nodiscard]] Result<std::vector<RuleSource>> directory_sources(const std::vector<std::string>& dirs);

}  // namespace sluice::analysis::yara
