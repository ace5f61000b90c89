// A disc or disk image that arrived by mail or inside an attachment. Weak
// alone (some people do mail ISOs), it is the context that makes everything
// inside it stronger: the files escape Mark-of-the-Web.
#include "analysis/detector.hpp"

namespace sluice::analysis::executables {

void inspect_disk_images(const ArtifactTree& tree, FindingSink& sink) {
  for (const Artifact& a : tree) {
    if (a.parent == kNoArtifact || !strips_mark_of_the_web(a.type)) continue;
    // Report the outermost image only: the partitions and volumes inside it
    // are the same delivery.
    bool nested = false;
    for (ArtifactId p = a.parent; p != kNoArtifact; p = tree[p].parent) {
      nested = nested || strips_mark_of_the_web(tree[p].type);
    }
    if (nested) continue;
    sink.add("container.disk_image", Severity::low, a.id,
             std::string(info(a.type).description) +
                 " delivered as an attachment: files inside it carry no Mark-of-the-Web",
             {{"type", std::string(to_string(a.type))}, {"size", std::to_string(a.bytes.size())}});
  }
}

}  // namespace sluice::analysis::executables
