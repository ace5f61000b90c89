// fuzz_isolate: bytes straight into the parser of the record a worker process
// sends back (core/isolate). The worker ran attacker-driven library code, so
// its record is hostile input like any attachment: whatever it says, replay
// must stay within the tree's bookkeeping and never read out of bounds.
#include <cstdint>
#include <cstdlib>

#include "core/isolate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sluice::Limits limits;
  limits.max_children = 2'000;
  limits.max_artifacts = 5'000;
  sluice::core::Budget budget(limits, sluice::core::Budget::Clock::now());
  sluice::ArtifactTree tree;
  const std::uint8_t parent[] = {'R', 'a', 'r', '!'};
  const auto root = tree.add_root(sluice::ByteView(parent, sizeof parent), "file", {});
  sluice::core::UnpackContext ctx(tree, root, budget);
  (void)sluice::core::replay_record(ctx, sluice::ByteView(data, size));
  if (tree[root].children.size() > limits.max_children) std::abort();
  return 0;
}
