#pragma once
// The record a sandboxed scan worker sends back: one whole ScanResult (tree,
// findings, verdict), built on the primitives of core/wire (ADR 0006's worker
// record). Bytes travel only where the parent does not have them already: an
// artifact that is a view into the input or into an ancestor is sent as a
// reference; decoded bytes inline; a sparse disk as its present extents.
// Artifact::text (the readable text detectors used) is not sent: the findings
// are already made.
#include <cstdint>
#include <vector>

#include "sluice/engine.hpp"

namespace sluice::isolation {

[[nodiscard]] std::vector<std::uint8_t> encode_result(const ScanResult& result);

// Decodes a record from a worker that ran attacker-driven code, so the record
// is hostile: every count, id, enum and range is checked, and nothing is
// returned unless the whole record parsed. `input` is the parent's copy of the
// scanned bytes (the root, and what references point into); the result's
// tree keeps `record` alive as the owner of inline bytes. `limits` bounds
// counts the engine itself would never exceed.
[[nodiscard]] Result<ScanResult> decode_result(std::vector<std::uint8_t>&& record, ByteView input,
                                               const Limits& limits);

}  // namespace sluice::isolation
