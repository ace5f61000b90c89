#pragma once
// The one shape of a pure parser's answer (docs/ARCHITECTURE.md, "Adding a
// format"): the model it read plus what it found odd on the way. A parser
// either fails outright (Result's error: not this format, or too damaged to
// model at all) or returns a model, possibly partial, with its anomalies.
//
//   Result<Parsed<M>> parse(ByteView bytes, const Limits& limits);
//
// The one variant, for parsers that walk a tree whose size the attacker picks
// (FAT, ISO 9660/UDF, NTFS, MIME): they take the scan's core::Budget, which
// carries the same Limits plus the deadline they must watch.
//
//   Result<Parsed<M>> parse(ByteView bytes, const core::Budget& budget);
#include <utility>
#include <vector>

#include "sluice/finding.hpp"

namespace sluice {

template <class M>
struct Parsed {
  M model;
  std::vector<Anomaly> anomalies;
};

}  // namespace sluice
