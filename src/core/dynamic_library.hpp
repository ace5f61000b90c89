#pragma once
// A shared library opened on first use instead of by the dynamic loader at
// every start. The libraries only some runs need (The Sleuth Kit for NTFS and
// exFAT volumes, libpq for a PostgreSQL campaign store, hiredis for the queue,
// XGBoost for training) and their dependency trees cost a one-file scan about
// half of its start-up when they are mapped and relocated up front (ADR 0030).
// Opened with RTLD_NODELETE: libraries with thread-local state or threads of
// their own (TSK, XGBoost's OpenMP pool) are never unmapped under them.
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "sluice/result.hpp"

namespace sluice::core {

// Where a library may come from. A sandboxed worker's filter kills it at the
// first file it opens (docs/adr/0011): there only a library its pool loaded
// before forking can be had, and one that was not is an error, not a death.
enum class LibrarySearch : bool { files, loaded_only };

class DynamicLibrary {
 public:
  // `soname` is the name the build found (generated/deferred_libraries.hpp).
  [[nodiscard]] static Result<DynamicLibrary> open(const char* soname, LibrarySearch search = LibrarySearch::files);
  // One of Sluice's own libraries (libsluice-pdf.so, docs/adr/0031). It is on
  // no search path: the one already loaded under `soname` (a sandboxed worker,
  // which cannot open files, finds the one its pool opened), else the one
  // installed beside the running program (<program dir>/../<libdir>/sluice),
  // else, for a program inside the build tree, the build tree's. Never a
  // directory the user happens to be in.
  [[nodiscard]] static Result<DynamicLibrary> open_own(const char* soname,
                                                      LibrarySearch search = LibrarySearch::files);

  DynamicLibrary(DynamicLibrary&& o) noexcept
      : handle_(std::exchange(o.handle_, nullptr)), soname_(std::move(o.soname_)) {}
  DynamicLibrary& operator=(DynamicLibrary&& o) noexcept;
  DynamicLibrary(const DynamicLibrary&) = delete;
  DynamicLibrary& operator=(const DynamicLibrary&) = delete;
  ~DynamicLibrary();

  // Resolves `name` into `slot`, typed by the declaration the caller compiled
  // against (decltype(&::function)), so a call through it is checked as a
  // direct call would be.
  template <class Fn>
  [[nodiscard]] Status bind(Fn*& slot, const char* name) const {
    void* p = address(name);
    if (p == nullptr) return missing(name);
    slot = reinterpret_cast<Fn*>(p);
    return {};
  }

  [[nodiscard]] const std::string& soname() const noexcept { return soname_; }

 private:
  DynamicLibrary(void* handle, std::string soname) noexcept : handle_(handle), soname_(std::move(soname)) {}
  [[nodiscard]] void* address(const char* name) const noexcept;
  [[nodiscard]] std::unexpected<Error> missing(const char* name) const;

  void* handle_ = nullptr;
  std::string soname_;
};

// Binds a table of functions, stopping at the first that is missing:
//   Binder b(lib); b(api.connect, "PQconnectdb"); … ; if (!b.status()) …
class Binder {
 public:
  explicit Binder(const DynamicLibrary& lib) noexcept : lib_(lib) {}
  template <class Fn>
  void operator()(Fn*& slot, const char* name) {
    if (status_) status_ = lib_.bind(slot, name);
  }
  [[nodiscard]] const Status& status() const noexcept { return status_; }

 private:
  const DynamicLibrary& lib_;
  Status status_;
};

// A library's function table: from the library opened (or the error), makes
// an Api that keeps it (Api(DynamicLibrary), member `lib`) and fills it with
// bind_all(api, binder); the first missing function is the error.
template <class Api, class BindAll>
[[nodiscard]] Result<std::shared_ptr<const Api>> load_table(Result<DynamicLibrary> lib, BindAll bind_all) {
  if (!lib) return std::unexpected(lib.error());
  auto api = std::make_shared<Api>(std::move(*lib));
  Binder b(api->lib);
  bind_all(*api, b);
  if (!b.status()) return std::unexpected(b.status().error());
  return std::shared_ptr<const Api>(std::move(api));
}
template <class Api, class BindAll>
[[nodiscard]] Result<std::shared_ptr<const Api>> load_table(const char* soname, BindAll bind_all) {
  return load_table<Api>(DynamicLibrary::open(soname), std::move(bind_all));
}

// A table (an Api with `static load(LibrarySearch)`) loaded by the first
// caller that needs it and kept for the owner's life — an unpacker's, so the
// engine's. It loads once per process, and a process either is a sandboxed
// worker or is not, so the first caller's search is every caller's.
template <class Api>
class LazyTable {
 public:
  [[nodiscard]] Result<std::shared_ptr<const Api>> get(LibrarySearch search) const {
    std::call_once(once_, [this, search] { table_ = Api::load(search); });
    return table_;
  }

 private:
  mutable std::once_flag once_;
  mutable Result<std::shared_ptr<const Api>> table_ = fail(Errc::unsupported, 0, "not loaded");
};

}  // namespace sluice::core
