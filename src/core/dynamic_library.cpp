#include "core/dynamic_library.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <string_view>
#include <vector>

#include "core/own_files.hpp"

namespace sluice::core {

namespace {

// RTLD_LOCAL: the library's symbols stay out of the global scope, so a
// library opened later cannot bind to them by accident.
constexpr int kFlags = RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE;

std::unexpected<Error> not_preloaded(const char* soname) {
  return fail(Errc::io, 0, std::string(soname) + " was not loaded before the sandbox was entered (not installed?)");
}

}  // namespace

Result<DynamicLibrary> DynamicLibrary::open(const char* soname, LibrarySearch search) {
  const bool loaded_only = search == LibrarySearch::loaded_only;
  void* h = ::dlopen(soname, kFlags | (loaded_only ? RTLD_NOLOAD : 0));
  if (h == nullptr) {
    const char* why = ::dlerror();
    if (loaded_only) return not_preloaded(soname);
    return fail(Errc::io, 0,
                std::string("cannot load ") + soname + ": " + (why != nullptr ? why : "unknown dynamic loader error"));
  }
  return DynamicLibrary(h, soname);
}

Result<DynamicLibrary> DynamicLibrary::open_own(const char* soname, LibrarySearch search) {
  auto mapped = open(soname, LibrarySearch::loaded_only);
  if (mapped || search == LibrarySearch::loaded_only) return mapped;
  const std::vector<std::string> tried = own_file_candidates(soname);
  std::string why = "not beside the program";
  for (const std::string& path : tried) {
    if (::access(path.c_str(), F_OK) != 0) continue;
    if (void* h = ::dlopen(path.c_str(), kFlags)) return DynamicLibrary(h, soname);
    const char* e = ::dlerror();
    why = e != nullptr ? e : "unknown dynamic loader error";
  }
  std::string where;
  for (const std::string& path : tried) where += (where.empty() ? "" : ", ") + path;
  return fail(Errc::io, 0, std::string("cannot load ") + soname + " (" + where + "): " + why);
}

DynamicLibrary& DynamicLibrary::operator=(DynamicLibrary&& o) noexcept {
  if (this != &o) {
    if (handle_ != nullptr) ::dlclose(handle_);
    handle_ = std::exchange(o.handle_, nullptr);
    soname_ = std::move(o.soname_);
  }
  return *this;
}

DynamicLibrary::~DynamicLibrary() {
  if (handle_ != nullptr) ::dlclose(handle_);  // a reference dropped; RTLD_NODELETE keeps the mapping
}

void* DynamicLibrary::address(const char* name) const noexcept { return ::dlsym(handle_, name); }

std::unexpected<Error> DynamicLibrary::missing(const char* name) const {
  return fail(Errc::io, 0, soname_ + " has no symbol " + name + " (a different version than Sluice was built with?)");
}

}  // namespace sluice::core
