// Converter modules stay mapped once loaded (charset.cpp): glibc alone
// unloads a module two closes after its last user and loads it again for the
// next text in that charset.
#include "codecs/text/charset.hpp"

#include <gtest/gtest.h>
#include <link.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sluice::codecs::text {
namespace {

int count_module(dl_phdr_info* info, std::size_t, void* data) {
  auto* seen = static_cast<std::pair<std::string_view, int>*>(data);
  const std::string_view name = info->dlpi_name != nullptr ? info->dlpi_name : "";
  if (name.find("/gconv/") != std::string_view::npos && name.ends_with(seen->first)) ++seen->second;
  return 0;
}

bool mapped(std::string_view module) {
  std::pair<std::string_view, int> seen{module, 0};
  ::dl_iterate_phdr(count_module, &seen);
  return seen.second > 0;
}

TEST(Charset, AConverterModuleStaysMappedAfterItsTextIsDone) {
  // "Ÿ" (0xBE in ISO-8859-15): decoded through the ISO8859-15 module.
  const Utf8Text t = to_utf8("iso-8859-15", "\xBE", 64);
  ASSERT_TRUE(t.known);
  EXPECT_EQ(t.text, "\xC5\xB8");
  ASSERT_TRUE(mapped("/ISO8859-15.so")) << "glibc loads the module for the text";
  // Texts in other charsets: each close lets glibc unload what nobody uses.
  for (const char* cs : {"koi8-r", "iso-8859-2", "windows-1251", "iso-8859-7", "iso-8859-5", "windows-1250"}) {
    EXPECT_TRUE(to_utf8(cs, "\xE1\xE2\xE3", 64).known) << cs;
  }
  EXPECT_TRUE(mapped("/ISO8859-15.so")) << "the module was unloaded, and the next such text loads it again";
  EXPECT_EQ(to_utf8("iso-8859-15", "\xBE", 64).text, "\xC5\xB8");
}

// Every charset glibc has a module for (gconv-modules and its .d folder).
std::vector<std::string> module_charsets() {
  std::vector<std::string> out;
  const std::string dir = "/usr/lib/x86_64-linux-gnu/gconv";
  std::vector<std::string> files = {dir + "/gconv-modules"};
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/gconv-modules.d", ec)) files.push_back(e.path());
  for (const std::string& f : files) {
    std::ifstream in(f);
    for (std::string line; std::getline(in, line);) {
      std::istringstream words(line);
      std::string kind, from, to;
      if (!(words >> kind >> from >> to) || kind != "module" || to != "INTERNAL") continue;
      while (!from.empty() && from.back() == '/') from.pop_back();
      out.push_back(from);
    }
  }
  return out;
}

// One thread loads module after module while another converts a text whose
// module is loaded, pinning what is loaded each time: the pinning once took
// the loader's locks in the opposite order to a load and hung both (-j 2).
TEST(Charset, ConvertingWhileAnotherThreadLoadsModulesDoesNotDeadlock) {
  const std::vector<std::string> charsets = module_charsets();
  ASSERT_GT(charsets.size(), 100u) << "glibc's converter modules (libc6)";
  ASSERT_TRUE(to_utf8("iso-8859-15", "\xBE", 64).known);
  std::atomic<bool> loading{true};
  std::atomic<int> finished{0};
  std::thread loader([&] {
    for (const std::string& cs : charsets) (void)to_utf8(cs, "\xE1\xE2\xE3", 64);
    loading = false;
    ++finished;
  });
  std::thread converter([&] {
    while (loading.load()) (void)to_utf8("iso-8859-15", "\xBE", 64);
    ++finished;
  });
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (finished.load() < 2 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (finished.load() < 2) {
    std::fprintf(stderr, "Charset: the converting threads are stuck in the dynamic loader\n");
    std::abort();  // they cannot be joined; the failure must not wait for the suite's timeout
  }
  loader.join();
  converter.join();
}

}  // namespace
}  // namespace sluice::codecs::text
