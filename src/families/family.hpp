#pragma once
// Malware family configuration extractors. Extracting a configuration means
// decrypting and parsing attacker bytes, so it runs on the unpacker side (the
// PE unpacker calls record_families() in pe_hook.hpp); detectors only read the
// meta it leaves. A family is one constant descriptor: a name, its two finding
// IDs and a pure function from a PE's resources and bytes to a FamilyResult.
// The table in families.cpp lists them by hand, with no registration magic.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/byte_view.hpp"
#include "sluice/finding.hpp"
#include "sluice/limits.hpp"
#include "meta/families.hpp"

namespace sluice::families {

// One resource of the PE as the family sees it: names as the PE parser renders
// them ("RCDATA", "SETTINGS", "#300") and a view of the bytes present in the file.
struct ResourceView {
  std::string_view type;
  std::string_view name;
  std::uint32_t lang = 0;
  std::uint64_t file_offset = 0;
  ByteView bytes;
};

struct PeSubject {
  ByteView file;                          // the whole PE
  std::span<const ResourceView> resources;
};

struct C2Endpoint {
  std::string host;  // valid UTF-8, as configured (a name or an address literal)
  std::uint16_t port = 0;
  bool tls = false;
};

struct FamilyConfig {
  std::string generation;  // which layout decoded: the family's own label
  std::vector<std::pair<std::string, std::string>> fields;  // ordered, keys without prefix
  std::vector<C2Endpoint> c2;
};

struct FamilyResult {
  std::optional<FamilyConfig> config;
  std::vector<std::string> markers;  // the family's known strings found in the file
  std::vector<Anomaly> issues;
};

// Decoded bytes are charged here before they are produced. In the engine this is
// the scan's Budget (UnpackContext::bounded_size); tests and the fuzzer use
// LimitsBudget. allow() returns how many of `wanted` bytes may be decoded.
class DecodeBudget {
 public:
  virtual ~DecodeBudget() = default;
  [[nodiscard]] virtual std::uint64_t allow(std::uint64_t wanted, std::uint64_t encoded,
                                            std::string_view what) = 0;
};

// A budget that knows only the per-artifact cap: for tests and the fuzzer.
class LimitsBudget final : public DecodeBudget {
 public:
  explicit LimitsBudget(const Limits& limits) noexcept : limits_(limits) {}
  std::uint64_t allow(std::uint64_t wanted, std::uint64_t, std::string_view) override {
    if (wanted > limits_.max_artifact_bytes) {
      capped_ = true;
      return limits_.max_artifact_bytes;
    }
    return wanted;
  }
  [[nodiscard]] bool capped() const noexcept { return capped_; }

 private:
  const Limits& limits_;
  bool capped_ = false;
};

struct Family {
  std::string_view name;             // meta `family` value and the `<name>.*` meta prefix
  std::string_view config_finding;   // raised when a configuration decoded
  std::string_view strings_finding;  // raised when only the known strings were seen
  FamilyResult (*examine)(const PeSubject& pe, const Limits& limits, DecodeBudget& budget);
  const meta::FamilyKeys* keys;  // what it records, under `<name>.`
};

// Every family, in the order they are tried. Constant data.
[[nodiscard]] std::span<const Family> all_families() noexcept;

}  // namespace sluice::families
