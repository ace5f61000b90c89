#pragma once
// Test-only helpers shared by the disk-image tests (fat, partition, vhd, vhdx):
// zlib gunzip of fixtures/corpora in memory, an in-memory `xxd -r`, tree
// queries. Header-only, included by *_test.cpp only.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/hash.hpp"
#include "sluice/engine.hpp"
#include "test_support.hpp"

namespace sluice::testing::disk {

inline std::vector<std::uint8_t> gunzip(const std::vector<std::uint8_t>& in) {
  std::vector<std::uint8_t> out;
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return out;
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  std::vector<std::uint8_t> chunk(1 << 20);
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = chunk.data();
    zs.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    out.insert(out.end(), chunk.data(), chunk.data() + (chunk.size() - zs.avail_out));
  }
  inflateEnd(&zs);
  EXPECT_EQ(rc, Z_STREAM_END);
  return out;
}

inline std::vector<std::uint8_t> load(const std::filesystem::path& p) {
  auto bytes = read_file(p);
  if (p.extension() == ".gz") return gunzip(bytes);
  return bytes;
}

// `xxd -r` in memory. The dosfstools dumps describe sparse images of up to
// 1 GiB whose last line only sets the size; with `trim` the image ends after
// the last line that carries a non-zero byte (the volume then reads as
// truncated, which the caller expects).
inline std::vector<std::uint8_t> xxd_decode(const std::string& text, bool trim) {
  std::vector<std::uint8_t> out;
  std::size_t used = 0;
  std::size_t pos = 0;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    const std::string_view line(text.data() + pos, nl - pos);
    pos = nl + 1;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::uint64_t off = 0;
    for (char c : line.substr(0, colon)) off = off * 16 + static_cast<std::uint64_t>(hex(c));
    // Hex pairs until the two-space gap before the ASCII column.
    const std::size_t end = line.find("  ", colon + 2);
    const std::string_view body = line.substr(colon + 1, end == std::string_view::npos ? std::string_view::npos : end - colon - 1);
    std::vector<std::uint8_t> bytes;
    int hi = -1;
    for (char c : body) {
      const int v = hex(c);
      if (v < 0) continue;
      if (hi < 0) {
        hi = v;
      } else {
        bytes.push_back(static_cast<std::uint8_t>(hi * 16 + v));
        hi = -1;
      }
    }
    bool nonzero = false;
    for (auto b : bytes) nonzero |= b != 0;
    if (trim && !nonzero) continue;
    if (out.size() < off + bytes.size()) out.resize(off + bytes.size());
    std::copy(bytes.begin(), bytes.end(), out.begin() + static_cast<std::ptrdiff_t>(off));
    used = std::max<std::size_t>(used, off + bytes.size());
  }
  out.resize(used);
  return out;
}

inline std::string sha256_of(ByteView b) { return to_hex(core::compute_hashes(b).sha256); }
inline std::string sha1_of(ByteView b) { return to_hex(core::compute_hashes(b).sha1); }

using sluice::testing::has_anomaly;
inline std::vector<std::string> anomaly_ids(const ScanResult& r, std::string_view prefix) {
  std::vector<std::string> out;
  for (const auto& a : r.tree) {
    for (const auto& an : a.anomalies) {
      if (an.id.starts_with(prefix)) out.push_back(an.id);
    }
  }
  return out;
}

inline const Artifact* by_name(const ScanResult& r, std::string_view name) {
  for (const auto& a : r.tree) {
    if (!a.names.empty() && a.names.front().value == name) return &a;
  }
  return nullptr;
}

inline bool meta_true(const Artifact& a, std::string_view key) {
  const MetaValue* v = a.find_meta(key);
  return v != nullptr && std::holds_alternative<bool>(*v) && std::get<bool>(*v);
}

inline std::string meta_string(const Artifact& a, std::string_view key) {
  const MetaValue* v = a.find_meta(key);
  return v != nullptr && std::holds_alternative<std::string>(*v) ? std::get<std::string>(*v) : std::string{};
}

inline std::int64_t meta_int(const Artifact& a, std::string_view key) {
  const MetaValue* v = a.find_meta(key);
  return v != nullptr && std::holds_alternative<std::int64_t>(*v) ? std::get<std::int64_t>(*v) : -1;
}

inline std::string hello_sha256() { return sha256_hex(read_file(fixture("pe/hello.exe"))); }

// The first PE executable whose bytes equal pe/hello.exe, anywhere in the tree.
inline const Artifact* find_hello(const ScanResult& r) {
  const std::string want = hello_sha256();
  for (const auto& a : r.tree) {
    if (a.type == FileType::pe_exe && sha256_of(a.bytes) == want) return &a;
  }
  return nullptr;
}

inline ScanResult scan(std::vector<std::uint8_t> bytes, std::string name) {
  return default_engine().scan(std::move(bytes), std::move(name));
}

}  // namespace sluice::testing::disk
