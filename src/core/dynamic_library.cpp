#include "core/dynamic_library.hpp"

#include <dlfcn.h>

namespace sluice::core {

Result<DynamicLibrary> DynamicLibrary::open(const char* soname) {
  // RTLD_LOCAL: the library's symbols stay out of the global scope, so a
  // library opened later cannot bind to them by accident.
  void* h = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (h == nullptr) {
    const char* why = ::dlerror();
    return fail(Errc::io, 0,
                std::string("cannot load ") + soname + ": " + (why != nullptr ? why : "unknown dynamic loader error"));
  }
  return DynamicLibrary(h, soname);
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
