// A container that lies about itself and carries an executable. Each lie alone
// is suspicious (the policy's `lies`): a "corrupt" archive may still open in
// 7-Zip or WinRAR on the recipient's machine, and scanners that give up on it
// are what the lie is for. With an executable in or under the lying container,
// the lie is the evasion and the executable is its payload.
#include "analysis/anomalies/lies.hpp"

#include "analysis/names/extensions.hpp"
#include "meta/archive.hpp"
#include "meta/zip.hpp"

namespace sluice::analysis::anomalies {
namespace {

// A member the lie kept unread (no bytes, or cut short) that is named as a
// program: what a damaged-looking archive hides from a scanner that gives up.
// Encrypted members are not counted: a missing password is no lie.
bool hidden_executable(const Artifact& c) {
  if (is_executable(c.type) || !(c.bytes.empty() || c.truncated)) return false;
  if (c.meta_flag(meta::archive::encrypted) || c.meta_flag(meta::zip::encrypted)) return false;
  return names::claim_of(names::last_extension(c.display_name())) == names::Claim::executable;
}

}  // namespace

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
    const Artifact& x = tree[exe];
    const std::string what = is_executable(x.type)
                                 ? std::string(info(x.type).description)
                                 : "a member named as a program (\"" + std::string(x.display_name()) + "\"), left unread,";
    sink.add("container.lie_with_executable", Severity::high, exe,
             what + (exe == a.id ? " that" : " inside a container that") + " contradicts itself (" + lie->id + ")",
             {{"lie", lie->id}, {"lie_message", lie->message}, {"container", tree.evidence_path(a.id)}});
  }
}

// The artifact itself or the first executable below it (read, or named as
// one and left unread), breadth-first. The tree is bounded by the engine's
// limits, so the walk is too.
ArtifactId LieDetector::first_executable(const ArtifactTree& tree, const Artifact& a) {
  if (is_executable(a.type)) return a.id;
  std::vector<ArtifactId> todo(a.children.begin(), a.children.end());
  for (std::size_t i = 0; i < todo.size(); ++i) {
    const Artifact& c = tree[todo[i]];
    if (is_executable(c.type) || hidden_executable(c)) return c.id;
    todo.insert(todo.end(), c.children.begin(), c.children.end());
  }
  return kNoArtifact;
}

}  // namespace sluice::analysis::anomalies
