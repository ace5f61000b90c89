// A container that lies about itself and carries an executable. Each lie alone
// is suspicious (the policy's `lies`): a "corrupt" archive may still open in
// 7-Zip or WinRAR on the recipient's machine, and scanners that give up on it
// are what the lie is for. With an executable in or under the lying container,
// the lie is the evasion and the executable is its payload.
#include "analysis/anomalies/lies.hpp"

namespace sluice::analysis::anomalies {

LieDetector::LieDetector(std::set<std::string, std::less<>> lies) : lies_(std::move(lies)) {}

void LieDetector::inspect(const ArtifactTree& tree, FindingSink& sink) const {
  for (const Artifact& a : tree) {
    const Anomaly* lie = nullptr;
    for (const Anomaly& an : a.anomalies) {
      if (lies_.contains(an.id)) {
        lie = &an;
        break;
      }
    }
    if (lie == nullptr) continue;
    const ArtifactId exe = first_executable(tree, a);
    if (exe == kNoArtifact) continue;
    sink.add("container.lie_with_executable", Severity::high, exe,
             std::string(info(tree[exe].type).description) + (exe == a.id ? " that" : " inside a container that") +
                 " contradicts itself (" + lie->id + ")",
             {{"lie", lie->id}, {"lie_message", lie->message}, {"container", tree.evidence_path(a.id)}});
  }
}

// The artifact itself or the first executable below it, breadth-first. The
// tree is bounded by the engine's limits, so the walk is too.
ArtifactId LieDetector::first_executable(const ArtifactTree& tree, const Artifact& a) {
  if (is_executable(a.type)) return a.id;
  std::vector<ArtifactId> todo(a.children.begin(), a.children.end());
  for (std::size_t i = 0; i < todo.size(); ++i) {
    const Artifact& c = tree[todo[i]];
    if (is_executable(c.type)) return c.id;
    todo.insert(todo.end(), c.children.begin(), c.children.end());
  }
  return kNoArtifact;
}

}  // namespace sluice::analysis::anomalies
