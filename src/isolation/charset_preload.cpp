#include "isolation/charset_preload.hpp"

#include <dlfcn.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <cstdlib>
#include <thread>
#include <vector>

namespace sluice::isolation {
namespace {

// Where Debian and other glibc systems keep the converters.
constexpr const char* kGconvDirs[] = {
    "/usr/lib/x86_64-linux-gnu/gconv", "/usr/lib/aarch64-linux-gnu/gconv",
    "/usr/lib/i386-linux-gnu/gconv",   "/usr/lib64/gconv",
    "/usr/lib/gconv",
};

// "module FROM// TO// FILE COST": every charset a module converts to glibc's
// INTERNAL form, and the module's file (FILE.so beside the configuration
// unless absolute, as glibc resolves it); opening each charset once loads
// every module file.
void read_modules(const std::filesystem::path& file, const std::filesystem::path& dir,
                  std::set<std::string>& charsets, std::set<std::string>& files) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string kind, from, to, module;
    if (!(words >> kind >> from >> to >> module) || kind != "module" || to != "INTERNAL") continue;
    while (!from.empty() && from.back() == '/') from.pop_back();
    if (from.empty()) continue;
    charsets.insert(from);
    files.insert(module.front() == '/' ? module : (dir / (module + ".so")).string());
  }
}

// Each module file opened once with RTLD_NODELETE before glibc opens it for
// iconv: when the handles are closed (a pool that ends, a milter reloading),
// glibc drops its references but nothing is unmapped. Unmapping 250 modules
// cost as much as loading them on this project's VM (≈ 40 ms of a process's
// start-up in every `sluice worker` and `scan --isolate`, docs/adr/0030),
// and a pool made again after a reload would load them all again.
void pin(const std::set<std::string>& files) {
  for (const std::string& f : files) {
    if (void* h = ::dlopen(f.c_str(), RTLD_LAZY | RTLD_LOCAL | RTLD_NODELETE)) ::dlclose(h);
  }
}

}  // namespace

// glibc's malloc reads /proc/sys/vm/overcommit_memory the first time it
// shrinks the heap of a thread's arena, and keeps the answer in a static. A
// worker respawned from one of the caller's threads allocates in that
// thread's arena, so without this its first shrink would be an open() — found
// scanning the libarchive corpus with --isolate -j2. A short-lived thread
// frees enough (100 KiB blocks stay below every mmap threshold) to make its
// arena shrink once, here, before any fork. Where the thresholds have grown
// so far that this frees too little to trim, no worker heap can trim either.
void prime_arena_shrink_check() {
  std::thread([] {
    std::vector<void*> blocks;
    for (int i = 0; i < 480; ++i) blocks.push_back(std::malloc(100 * 1024));
    for (void* b : blocks) std::free(b);
  }).join();
}

CharsetPreload::CharsetPreload() {
  prime_arena_shrink_check();
  std::set<std::string> charsets;
  std::set<std::string> files;
  std::error_code ec;
  for (const char* dir : kGconvDirs) {
    const std::filesystem::path d(dir);
    if (!std::filesystem::is_directory(d, ec)) continue;
    read_modules(d / "gconv-modules", d, charsets, files);
    for (const auto& e : std::filesystem::directory_iterator(d / "gconv-modules.d", ec)) {
      if (e.path().extension() == ".conf") read_modules(e.path(), d, charsets, files);
    }
    break;
  }
  pin(files);
  for (const std::string& cs : charsets) {
    iconv_t cd = ::iconv_open("UTF-8", cs.c_str());
    if (cd != reinterpret_cast<iconv_t>(-1)) handles_.push_back(cd);
  }
}

CharsetPreload::~CharsetPreload() {
  for (iconv_t cd : handles_) ::iconv_close(cd);
}

}  // namespace sluice::isolation
