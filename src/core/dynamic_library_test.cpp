// Libraries opened on first use (docs/adr/0030): what the build recorded opens,
// functions come back typed and callable, and what is missing is an error
// that names it, never a crash.
#include "core/dynamic_library.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include "deferred_libraries.hpp"

namespace sluice::core {
namespace {

TEST(DynamicLibrary, EveryDeferredLibraryTheBuildFoundOpens) {
  for (const char* soname : {deferred::k_tsk, deferred::k_pq, deferred::k_hiredis, deferred::k_xgboost}) {
    auto lib = DynamicLibrary::open(soname);
    ASSERT_TRUE(lib) << lib.error().what;
    EXPECT_EQ(lib->soname(), soname);
  }
}

TEST(DynamicLibrary, AFunctionIsTheOneTheLoaderWouldHaveBound) {
  auto lib = DynamicLibrary::open("libz.so.1");
  ASSERT_TRUE(lib) << lib.error().what;
  decltype(&::zlibVersion) version = nullptr;
  ASSERT_TRUE(lib->bind(version, "zlibVersion"));
  ASSERT_NE(version, nullptr);
  EXPECT_STREQ(version(), ::zlibVersion());
}

TEST(DynamicLibrary, AMissingLibraryIsAnErrorThatNamesIt) {
  auto lib = DynamicLibrary::open("libsluice-not-installed.so.7");
  ASSERT_FALSE(lib);
  EXPECT_EQ(lib.error().code, Errc::io);
  EXPECT_NE(lib.error().what.find("libsluice-not-installed.so.7"), std::string::npos) << lib.error().what;
}

// A sandboxed worker may only take what its pool mapped before forking
// (docs/adr/0011, 0031): a library that is not mapped is an error there.
TEST(DynamicLibrary, LoadedOnlyTakesWhatIsMappedAndNothingElse) {
  auto z = DynamicLibrary::open("libz.so.1", LibrarySearch::loaded_only);  // linked: mapped at start
  ASSERT_TRUE(z) << z.error().what;
  auto missing = DynamicLibrary::open("libsluice-not-installed.so.7", LibrarySearch::loaded_only);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().what.find("not loaded before the sandbox"), std::string::npos) << missing.error().what;
  auto own = DynamicLibrary::open_own("libsluice-not-installed.so", LibrarySearch::loaded_only);
  ASSERT_FALSE(own);
  EXPECT_NE(own.error().what.find("not loaded before the sandbox"), std::string::npos) << own.error().what;
}

// Sluice's own PDF reader (ADR 0031): a program inside the build tree finds
// the build's copy; once mapped, a loaded-only search finds it too.
TEST(DynamicLibrary, TheBuildTreesOwnLibraryOpensFromAProgramInsideIt) {
  auto pdf = DynamicLibrary::open_own(deferred::k_sluice_pdf);
  ASSERT_TRUE(pdf) << pdf.error().what;
  void (*entry)() = nullptr;
  EXPECT_TRUE(pdf->bind(entry, "sluice_pdf_read_document"));
  auto again = DynamicLibrary::open_own(deferred::k_sluice_pdf, LibrarySearch::loaded_only);
  EXPECT_TRUE(again) << again.error().what;
  auto missing = DynamicLibrary::open_own("libsluice-not-installed.so");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().what.find(std::string(deferred::k_own_libdir) + "/libsluice-not-installed.so"),
            std::string::npos)
      << missing.error().what;
}

TEST(DynamicLibrary, TheBinderStopsAtTheFirstMissingSymbolAndNamesIt) {
  auto lib = DynamicLibrary::open("libz.so.1");
  ASSERT_TRUE(lib);
  decltype(&::zlibVersion) version = nullptr;
  decltype(&::zlibVersion) missing = nullptr;
  decltype(&::zlibCompileFlags) flags = nullptr;
  Binder b(*lib);
  b(version, "zlibVersion");
  b(missing, "zlibVersionOfSluice");
  b(flags, "zlibCompileFlags");
  ASSERT_FALSE(b.status());
  EXPECT_NE(b.status().error().what.find("zlibVersionOfSluice"), std::string::npos);
  EXPECT_NE(version, nullptr);
  EXPECT_EQ(missing, nullptr);
  EXPECT_EQ(flags, nullptr);  // not bound after the first failure
}

struct ZlibTable {
  decltype(&::zlibVersion) version = nullptr;
  decltype(&::zlibCompileFlags) flags = nullptr;
  DynamicLibrary lib;
  explicit ZlibTable(DynamicLibrary l) : lib(std::move(l)) {}
};

TEST(DynamicLibrary, ATableIsWholeOrAnError) {
  auto whole = load_table<ZlibTable>("libz.so.1", [](ZlibTable& t, Binder& b) {
    b(t.version, "zlibVersion");
    b(t.flags, "zlibCompileFlags");
  });
  ASSERT_TRUE(whole) << whole.error().what;
  EXPECT_STREQ((*whole)->version(), ::zlibVersion());
  EXPECT_EQ((*whole)->flags(), ::zlibCompileFlags());
  auto partial = load_table<ZlibTable>("libz.so.1", [](ZlibTable& t, Binder& b) {
    b(t.version, "zlibVersion");
    b(t.flags, "zlibFlagsOfSluice");
  });
  ASSERT_FALSE(partial);
  EXPECT_NE(partial.error().what.find("zlibFlagsOfSluice"), std::string::npos);
  EXPECT_FALSE((load_table<ZlibTable>("libsluice-not-installed.so.7", [](ZlibTable&, Binder&) {})));
}

TEST(DynamicLibrary, MovedFromOwnsNothing) {
  auto lib = DynamicLibrary::open("libz.so.1");
  ASSERT_TRUE(lib);
  DynamicLibrary moved(std::move(*lib));
  decltype(&::zlibVersion) version = nullptr;
  EXPECT_TRUE(moved.bind(version, "zlibVersion"));
  DynamicLibrary other = std::move(moved);
  EXPECT_TRUE(other.bind(version, "zlibVersion"));
}

}  // namespace
}  // namespace sluice::core
