#pragma once
// Caps on attacker-controlled counts inside one parsed structure, one group per
// format (or codec). They are part of `sluice::Limits` (limits.hpp) so every
// bound the engine enforces lives in one struct; a parser receives the whole
// `Limits` and reads its own group. Hitting one of these is reported by the
// parser as an anomaly or, where it names a LimitKind, as a limit hit. A
// format gets a group when its parser moves to the contract (docs/adr/0027)
// and has a cap of its own; caps the engine already has (max_children,
// max_name_length) are read from Limits directly.
//
// What is NOT here: numbers the formats' specifications fix (FAT12's 4,084
// clusters, VHDX's 256 MiB block size, a deflate code's 15 bits). Those are
// facts about the format, declared in its layout.hpp, not caps we chose.
#include <cstdint>

namespace sluice {

// Imports, exports and resources are capped by max_children each, strings by
// max_name_length (limits.hpp).
struct PeLimits {
  std::uint32_t max_sections = 96;  // the Windows loader refuses more than 96
};

struct PartitionLimits {
  // Logical partitions in one extended (EBR) chain: Linux's msdos.c stops at a
  // similar number; a real disk never has more than a few dozen logical drives.
  std::uint32_t max_logical = 256;
};

}  // namespace sluice
