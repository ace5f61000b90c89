// Compiling YARA rules once, at engine start. A rule file that does not compile
// is the administrator's mistake, reported as a config error with file:line;
// scanning with half a rule set would be a silent gap.
#include "analysis/yara/rules.hpp"

#include <yara.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <mutex>

#include "core/text.hpp"

namespace sluice::embedded {
extern const char* const kYaraRuleNames[];
extern const char* const kYaraRuleTexts[];
extern const unsigned kYaraRuleCount;
}  // namespace sluice::embedded

namespace sluice::analysis::yara {
namespace {

// libyara's yr_initialize/yr_finalize count references in a plain int: two
// engines created or destroyed on two threads at once would race on it. This
// lock is the one piece of process-wide state we add, mirroring libyara's own.
std::mutex& library_lock() {
  static std::mutex m;
  return m;
}

bool acquire_library() {
  std::lock_guard lock(library_lock());
  return yr_initialize() == ERROR_SUCCESS;
}

void release_library() {
  std::lock_guard lock(library_lock());
  yr_finalize();
}

struct CompileErrors {
  std::string source;  // used when libyara names no file (rules from a string)
  std::vector<std::string> messages;
};

constexpr std::size_t kMaxErrorsReported = 5;

void on_compile_message(int level, const char* file, int line, const YR_RULE* /*rule*/,
                        const char* message, void* user) {
  if (level != YARA_ERROR_LEVEL_ERROR) return;  // warnings do not stop a rule set
  auto* errors = static_cast<CompileErrors*>(user);
  if (errors->messages.size() >= kMaxErrorsReported) return;
  const std::string where = (file != nullptr && *file != '\0') ? std::string(file) : errors->source;
  errors->messages.push_back(core::to_valid_utf8(where + ":" + std::to_string(line) + ": " +
                                                 (message != nullptr ? message : "error")));
}

struct CompilerDeleter {
  void operator()(YR_COMPILER* c) const noexcept { yr_compiler_destroy(c); }
};

struct FileCloser {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

}  // namespace

Rules::~Rules() {
  if (rules_ != nullptr) yr_rules_destroy(rules_);
  if (library_) release_library();
}

Result<std::shared_ptr<const Rules>> Rules::compile(const std::vector<RuleSource>& sources) {
  std::shared_ptr<Rules> out(new Rules());
  if (!acquire_library()) return fail(Errc::io, 0, "yara: libyara could not be initialised");
  out->library_ = true;

  YR_COMPILER* raw = nullptr;
  if (yr_compiler_create(&raw) != ERROR_SUCCESS) {
    return fail(Errc::io, 0, "yara: could not create a rule compiler");
  }
  std::unique_ptr<YR_COMPILER, CompilerDeleter> compiler(raw);
  CompileErrors errors;
  yr_compiler_set_callback(compiler.get(), on_compile_message, &errors);

  for (const RuleSource& src : sources) {
    errors.source = src.name;
    int failures = 0;
    if (src.from_file) {
      std::unique_ptr<std::FILE, FileCloser> fh(std::fopen(src.name.c_str(), "rb"));
      if (!fh) return fail(Errc::io, 0, "yara: cannot read rule file " + src.name);
      failures = yr_compiler_add_file(compiler.get(), fh.get(), src.rule_namespace.c_str(),
                                      src.name.c_str());
    } else {
      failures = yr_compiler_add_string(compiler.get(), src.text.c_str(), src.rule_namespace.c_str());
    }
    if (failures > 0) {
      // libyara's compiler is unusable after an error: stop at the first bad source.
      std::string what = "yara: rules do not compile: ";
      for (std::size_t i = 0; i < errors.messages.size(); ++i) {
        what += (i == 0 ? "" : "; ") + errors.messages[i];
      }
      if (errors.messages.empty()) what += src.name;
      return fail(Errc::invalid_argument, 0, std::move(what));
    }
  }
  YR_RULES* rules = nullptr;
  if (yr_compiler_get_rules(compiler.get(), &rules) != ERROR_SUCCESS || rules == nullptr) {
    return fail(Errc::io, 0, "yara: could not build the compiled rules");
  }
  out->rules_ = rules;
  YR_RULE* rule = nullptr;
  yr_rules_foreach(rules, rule) { ++out->rule_count_; }
  return std::shared_ptr<const Rules>(std::move(out));
}

std::vector<RuleSource> builtin_sources() {
  std::vector<RuleSource> out;
  for (unsigned i = 0; i < embedded::kYaraRuleCount; ++i) {
    out.push_back({embedded::kYaraRuleNames[i], "sluice", embedded::kYaraRuleTexts[i], false});
  }
  return out;
}

Result<std::vector<RuleSource>> directory_sources(const std::vector<std::string>& dirs) {
  namespace fs = std::filesystem;
  std::vector<RuleSource> out;
  for (const std::string& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      return fail(Errc::invalid_argument, 0, "yara.rule_dirs: " + dir + " is not a directory");
    }
    std::vector<fs::path> files;
    fs::directory_iterator it(dir, ec), end;
    if (ec) return fail(Errc::io, 0, "yara.rule_dirs: cannot list " + dir + ": " + ec.message());
    for (; it != end; it.increment(ec)) {
      if (ec) return fail(Errc::io, 0, "yara.rule_dirs: cannot list " + dir + ": " + ec.message());
      const std::string ext = core::ascii_lower(it->path().extension().string());
      if ((ext == ".yar" || ext == ".yara") && it->is_regular_file(ec)) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) out.push_back({f.string(), f.stem().string(), {}, true});
  }
  return out;
}

}  // namespace sluice::analysis::yara
