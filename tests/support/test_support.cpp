#include "test_support.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "core/hash.hpp"

namespace sluice::testing {

std::vector<std::uint8_t> read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << p;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::filesystem::path fixture(const std::string& rel) {
  return std::filesystem::path(SLUICE_FIXTURES_DIR) / rel;
}

std::filesystem::path corpora() {
  const std::filesystem::path p(SLUICE_CORPORA_DIR);
  return std::filesystem::is_directory(p) ? p : std::filesystem::path{};
}

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

std::string sha256_hex(const std::vector<std::uint8_t>& bytes) {
  return to_hex(core::compute_hashes(ByteView(bytes.data(), bytes.size())).sha256);
}

Engine engine_with(const Limits& limits) {
  auto cfg = default_config();
  EXPECT_TRUE(cfg.has_value());
  cfg->limits = limits;
  auto e = Engine::create(std::move(*cfg));
  EXPECT_TRUE(e.has_value());
  return std::move(*e);
}

Engine engine_only(std::vector<std::string> formats, const Limits* limits) {
  auto cfg = default_config();
  EXPECT_TRUE(cfg.has_value());
  if (limits != nullptr) cfg->limits = *limits;
  auto e = Engine::create(std::move(*cfg), std::move(formats));
  EXPECT_TRUE(e.has_value());
  return std::move(*e);
}

Engine engine_with_toml(std::string_view toml) {
  auto cfg = apply_config(*default_config(), toml, "test");
  auto e = cfg ? Engine::create(std::move(*cfg)) : std::unexpected(cfg.error());
  if (!e) {
    // The test fails here, and goes on with the built-in engine rather than
    // reading an engine that is not there.
    ADD_FAILURE() << "configuring the engine with\n" << toml << "failed: " << e.error().what;
    return default_engine();
  }
  return std::move(*e);
}

Engine default_engine() {
  auto cfg = default_config();
  EXPECT_TRUE(cfg.has_value()) << (cfg ? "" : cfg.error().what);
  return engine_with(cfg->limits);
}

std::vector<std::uint8_t> gzip_bytes(const std::vector<std::uint8_t>& bytes) { return deflated(bytes, 15 + 16); }

std::vector<std::uint8_t> deflated(const std::vector<std::uint8_t>& bytes, int window_bits) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::vector<std::uint8_t> out(deflateBound(&zs, bytes.size()) + 64);
  zs.next_in = const_cast<Bytef*>(bytes.data());
  zs.avail_in = static_cast<uInt>(bytes.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string command_output(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  pclose(p);
  return out;
}

std::string meta_text(const Artifact& a, std::string_view key) {
  const MetaValue* v = a.find_meta(key);
  if (v == nullptr) return "<missing>";
  if (const auto* i = std::get_if<std::int64_t>(v)) return std::to_string(*i);
  if (const auto* b = std::get_if<bool>(v)) return *b ? "true" : "false";
  return sluice::meta_text(*v);  // text, an address header's text, a digest's hex
}

bool has_finding(const ScanResult& r, std::string_view id) {
  for (const auto& f : r.findings) {
    if (f.id == id) return true;
  }
  return false;
}

bool has_finding(const ScanResult& r, ArtifactId artifact, std::string_view id) {
  return std::any_of(r.findings.begin(), r.findings.end(),
                     [&](const Finding& f) { return f.artifact == artifact && f.id == id; });
}

const Artifact* find_by_type(const ScanResult& r, FileType t) {
  for (const auto& a : r.tree) {
    if (a.type == t) return &a;
  }
  return nullptr;
}

bool has_anomaly(const Artifact& a, std::string_view id) {
  for (const Anomaly& x : a.anomalies) {
    if (x.id == id) return true;
  }
  return false;
}

bool has_anomaly(const ScanResult& r, std::string_view id) {
  for (const Artifact& a : r.tree) {
    if (has_anomaly(a, id)) return true;
  }
  return false;
}

std::vector<std::string> meta_all(const Artifact& a, std::string_view key) { return a.meta_strings(key); }

bool contains(const std::vector<std::string>& v, std::string_view s) {
  for (const std::string& x : v) {
    if (x == s) return true;
  }
  return false;
}

}  // namespace sluice::testing
