#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sluice/engine.hpp"

// A test that needs a corpus, tool or package that is not there: skipped on a
// developer's machine, a failure in CI (CI=true), so the suite cannot pass in CI
// having compared nothing. Streams its reason like GTEST_SKIP().
#define SLUICE_SKIP_UNLESS_CI()                                                              \
  return ::testing::internal::AssertHelper(::sluice::testing::in_ci()                        \
                                               ? ::testing::TestPartResult::kFatalFailure    \
                                               : ::testing::TestPartResult::kSkip,           \
                                           __FILE__, __LINE__, "missing in this environment") = \
             ::testing::Message()

namespace sluice::testing {

[[nodiscard]] std::vector<std::uint8_t> read_file(const std::filesystem::path& p);
[[nodiscard]] std::filesystem::path fixture(const std::string& rel);
// ../shared/corpora when present; empty otherwise (CI has it).
[[nodiscard]] std::filesystem::path corpora();
// CI=true in the environment: missing corpora and tools fail instead of skipping.
[[nodiscard]] bool in_ci();
[[nodiscard]] std::string sha256_hex(const std::vector<std::uint8_t>& bytes);
[[nodiscard]] Engine default_engine();
[[nodiscard]] Engine engine_with(const Limits& limits);
// The built-in configuration with `toml` applied on top ("[report]\nhashes = …").
[[nodiscard]] Engine engine_with_toml(std::string_view toml);
// Only these unpackers: a format's structural tests stay independent of what
// other formats later find inside its children.
[[nodiscard]] Engine engine_only(std::vector<std::string> formats, const Limits* limits = nullptr);
// `bytes` compressed by zlib (a real third-party writer) at level 9, in the
// framing `window_bits` selects: -15 raw deflate (ZIP members), 15 + 16 gzip.
[[nodiscard]] std::vector<std::uint8_t> deflated(const std::vector<std::uint8_t>& bytes, int window_bits);
// gzip of `bytes` made by zlib.
[[nodiscard]] std::vector<std::uint8_t> gzip_bytes(const std::vector<std::uint8_t>& bytes);
[[nodiscard]] bool has_finding(const ScanResult& r, std::string_view id);
// A finding with `id` on one artifact.
[[nodiscard]] bool has_finding(const ScanResult& r, ArtifactId artifact, std::string_view id);
// Standard output of a shell command (an oracle such as lnkinfo or pefile).
[[nodiscard]] std::string command_output(const std::string& cmd);
// A meta value as text ("<missing>" when absent), for comparing with oracles.
[[nodiscard]] std::string meta_text(const Artifact& a, std::string_view key);
[[nodiscard]] const Artifact* find_by_type(const ScanResult& r, FileType t);
// Whether the artifact itself carries the anomaly (not its children).
[[nodiscard]] bool has_anomaly(const Artifact& a, std::string_view id);
// Anywhere in the scan's tree.
[[nodiscard]] bool has_anomaly(const ScanResult& r, std::string_view id);
// Every string value under a repeated meta key, in order (ioc.url, say).
[[nodiscard]] std::vector<std::string> meta_all(const Artifact& a, std::string_view key);
[[nodiscard]] bool contains(const std::vector<std::string>& v, std::string_view s);

}  // namespace sluice::testing
