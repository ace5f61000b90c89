#include "isolation/charset_preload.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace sluice::isolation {
namespace {

// Where Debian and other glibc systems keep the converters.
constexpr const char* kGconvDirs[] = {
    "/usr/lib/x86_64-linux-gnu/gconv", "/usr/lib/aarch64-linux-gnu/gconv",
    "/usr/lib/i386-linux-gnu/gconv",   "/usr/lib64/gconv",
    "/usr/lib/gconv",
};

// "module FROM// TO// FILE COST": every charset a module converts to glibc's
// INTERNAL form; opening each once loads every module file.
void read_modules(const std::filesystem::path& file, std::set<std::string>& out) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string kind, from, to;
    if (!(words >> kind >> from >> to) || kind != "module" || to != "INTERNAL") continue;
    while (!from.empty() && from.back() == '/') from.pop_back();
    if (!from.empty()) out.insert(from);
  }
}

}  // namespace

CharsetPreload::CharsetPreload() {
  std::set<std::string> charsets;
  std::error_code ec;
  for (const char* dir : kGconvDirs) {
    const std::filesystem::path d(dir);
    if (!std::filesystem::is_directory(d, ec)) continue;
    read_modules(d / "gconv-modules", charsets);
    for (const auto& e : std::filesystem::directory_iterator(d / "gconv-modules.d", ec)) {
      if (e.path().extension() == ".conf") read_modules(e.path(), charsets);
    }
    break;
  }
  for (const std::string& cs : charsets) {
    iconv_t cd = ::iconv_open("UTF-8", cs.c_str());
    if (cd != reinterpret_cast<iconv_t>(-1)) handles_.push_back(cd);
  }
}

CharsetPreload::~CharsetPreload() {
  for (iconv_t cd : handles_) ::iconv_close(cd);
}

}  // namespace sluice::isolation
