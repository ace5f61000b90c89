#pragma once
// The engine: bytes in, an explained verdict out. An Engine is immutable after
// construction and scan() is reentrant, so one Engine serves many threads.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/artifact.hpp"
#include "sluice/byte_view.hpp"
#include "sluice/finding.hpp"
#include "sluice/policy.hpp"
#include "sluice/result.hpp"

namespace sluice {

struct ScanOptions {
  // Skip sniffing the root and treat it as this type: fuzzers use it so that
  // mutated inputs keep reaching the parser under test.
  std::optional<FileType> root_type;
  // The caller read only the first max_input_bytes of a larger input: the
  // scan records the limit hit, so the verdict can never be clean.
  bool input_cut = false;
  // The scan already runs in a sandboxed worker (sluice::WorkerPool): readers
  // that would fork a process of their own (RAR 5, docs/adr/0006) read in
  // place, since the worker's death is already contained (docs/adr/0011).
  bool sandboxed = false;
  // The message is arriving now, in the mail flow (the milter and its HTTP
  // API): a page's scripts see the scan's time, not what the message's own
  // fields say. Postfix shows a milter no Received field of its own, so the
  // newest one there is the sender's (docs/adr/0043).
  bool in_flight = false;
};

struct ScanResult {
  std::string input;
  ArtifactTree tree;
  std::vector<Finding> findings;  // sorted: highest score first, then tree order
  Verdict verdict = Verdict::clean;
  double score = 0;
  std::chrono::microseconds elapsed{0};
  std::optional<Error> error;  // set when the input could not be scanned at all
  // What the model read (docs/model.md), when one ran in this process: the
  // campaign store keeps it as training data instead of computing it again.
  // Not carried back from sandboxed workers (readers compute it then).
  std::vector<float> features;
  std::string feature_version;
};

class Engine {
 public:
  // `formats`: names of the unpackers to enable (empty: all). Unknown names are
  // an error so a config cannot disable scanning by a typo.
  static Result<Engine> create(Config config, std::vector<std::string> formats = {});

  // Scans bytes the caller keeps alive for the lifetime of the result.
  [[nodiscard]] ScanResult scan(ByteView input, std::string input_name,
                                const ScanOptions& options = {}) const;
  // Scans bytes the result takes ownership of (no copy).
  [[nodiscard]] ScanResult scan(std::vector<std::uint8_t>&& input, std::string input_name,
                                const ScanOptions& options = {}) const;

  [[nodiscard]] const Config& config() const noexcept;
  [[nodiscard]] std::vector<std::string> format_names() const;

  struct Impl;

 private:
  friend struct EngineFactory;  // src/engine/engine_factory.hpp: tests build engines from parts
  explicit Engine(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

[[nodiscard]] std::string_view version() noexcept;

}  // namespace sluice
