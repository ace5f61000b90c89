// Compiling YARA rules once, at engine start. A rule file that does not compile
// is the administrator's mistake, reported as a config error with file:line;
// scanning with half a rule set would be a silent gap.
#include "analysis/yara/rules.hpp"

#include <yara.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
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

// libyara's stream: fread-like callbacks over our buffers.
struct ReadCursor {
  std::span<const std::uint8_t> bytes;
  std::size_t at = 0;
};

std::size_t read_stream(void* ptr, std::size_t size, std::size_t count, void* user) {
  auto* c = static_cast<ReadCursor*>(user);
  if (size == 0) return 0;
  const std::size_t whole = std::min(count, (c->bytes.size() - c->at) / size);
  std::memcpy(ptr, c->bytes.data() + c->at, whole * size);
  c->at += whole * size;
  return whole;
}

std::size_t write_stream(const void* ptr, std::size_t size, std::size_t count, void* user) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(user);
  const auto* p = static_cast<const std::uint8_t*>(ptr);
  out->insert(out->end(), p, p + size * count);
  return count;
}

int note_module_import(YR_SCAN_CONTEXT* /*context*/, int message, void* /*data*/, void* user) {
  if (message == CALLBACK_MSG_IMPORT_MODULE) *static_cast<bool*>(user) = true;
  return CALLBACK_CONTINUE;
}

}  // namespace

void ScannerDeleter::operator()(YR_SCAN_CONTEXT* s) const noexcept { yr_scanner_destroy(s); }

Scanner Rules::new_scanner() const noexcept {
  YR_SCANNER* raw = nullptr;
  if (yr_scanner_create(rules_, &raw) != ERROR_SUCCESS) return nullptr;
  return Scanner(raw);
}

Rules::~Rules() {
  if (rules_ != nullptr) yr_rules_destroy(rules_);
  if (library_) release_library();
}

Result<std::shared_ptr<Rules>> Rules::with_library() {
  std::shared_ptr<Rules> out(new Rules());
  if (!acquire_library()) return fail(Errc::io, 0, "yara: libyara could not be initialised");
  out->library_ = true;
  return out;
}

void Rules::count_rules() noexcept {
  YR_RULE* rule = nullptr;
  fixed_offset_strings_ = false;
  yr_rules_foreach(rules_, rule) {
    ++rule_count_;
    const YR_STRING* string = nullptr;
    yr_rule_strings_foreach(rule, string) {
      if ((string->flags & STRING_FLAGS_FIXED_OFFSET) != 0) fixed_offset_strings_ = true;
    }
  }
}

// libyara has no call that lists a rule set's imports, but every scan loads
// each imported module and tells its callback first: one scan of no bytes
// (under libyara's fault guard, as a module parses even an empty input) asks.
// A scanner that cannot be made counts as importing: the guard stays on.
void Rules::probe_modules() noexcept {
  imports_modules_ = true;
  const Scanner scanner = new_scanner();
  if (!scanner) return;
  bool imported = false;
  yr_scanner_set_callback(scanner.get(), note_module_import, &imported);
  static constexpr std::uint8_t kNothing[1] = {0};
  if (yr_scanner_scan_mem(scanner.get(), kNothing, 0) != ERROR_SUCCESS) return;
  imports_modules_ = imported;
}

Result<std::shared_ptr<const Rules>> Rules::load(std::span<const std::uint8_t> compiled) {
  auto out = with_library();
  if (!out) return std::unexpected(out.error());
  ReadCursor cursor{compiled, 0};
  YR_STREAM stream{};
  stream.user_data = &cursor;
  stream.read = read_stream;
  YR_RULES* rules = nullptr;
  if (const int rc = yr_rules_load_stream(&stream, &rules); rc != ERROR_SUCCESS || rules == nullptr) {
    return fail(Errc::unsupported, 0, "yara: saved rules not loadable by this libyara (error " + std::to_string(rc) + ")");
  }
  (*out)->rules_ = rules;
  (*out)->count_rules();
  (*out)->probe_modules();
  return std::shared_ptr<const Rules>(std::move(*out));
}

Result<std::vector<std::uint8_t>> Rules::save() const {
  std::vector<std::uint8_t> bytes;
  YR_STREAM stream{};
  stream.user_data = &bytes;
  stream.write = write_stream;
  if (yr_rules_save_stream(rules_, &stream) != ERROR_SUCCESS) return fail(Errc::io, 0, "yara: could not save the rules");
  return bytes;
}

Result<std::shared_ptr<const Rules>> Rules::compile(const std::vector<RuleSource>& sources) {
  auto begun = with_library();
  if (!begun) return std::unexpected(begun.error());
  std::shared_ptr<Rules> out = std::move(*begun);

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
  out->count_rules();
  out->probe_modules();
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
