#include "core/own_files.hpp"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deferred_libraries.hpp"

namespace sluice::core {
namespace {

std::string real_path(const char* path) {
  char buf[PATH_MAX];
  return ::realpath(path, buf) != nullptr ? std::string(buf) : std::string();
}

std::string program_dir() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  const std::string_view exe(buf, static_cast<std::size_t>(n));
  const auto slash = exe.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(exe.substr(0, slash));
}

}  // namespace

std::vector<std::string> own_file_candidates(std::string_view name) {
  const std::string dir = program_dir();
  std::vector<std::string> tried;
  if (dir.empty()) return tried;
  tried.push_back(dir + "/../" + deferred::k_own_libdir + "/" + std::string(name));
  // Only a program that runs from inside the build tree takes the build's copy.
  const std::string build = real_path(deferred::k_build_dir);
  if (!build.empty() && (dir == build || dir.starts_with(build + "/"))) {
    tried.push_back(build + "/" + std::string(name));
  }
  return tried;
}

std::string find_own_program(std::string_view name) {
  for (const std::string& path : own_file_candidates(name)) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0) return path;
  }
  return {};
}

}  // namespace sluice::core
