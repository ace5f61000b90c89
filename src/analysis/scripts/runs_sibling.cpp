// A script that starts a file lying beside it: the mailed-archive shape of
// "Invoice.js runs rundll32 on helper.dll", the script counterpart of
// lnk.runs_sibling. The script unpacker lists the file names a script names
// (`script.references`); this detector compares them with the other members
// of the container that holds the script.
#include <string>

#include "analysis/detector.hpp"
#include "analysis/scripts/indicator_detector.hpp"
#include "core/text.hpp"
#include "meta/script.hpp"

namespace sluice::analysis::scripts {
namespace {

bool is_script(FileType t) noexcept {
  switch (t) {
    case FileType::script_js: case FileType::script_vbs: case FileType::script_hta: case FileType::script_bat:
    case FileType::script_ps1: case FileType::script_wsf: case FileType::script_encoded:
      return true;
    default: return false;
  }
}

std::string base_name(std::string_view path) {
  const auto slash = path.find_last_of("/\\");
  if (slash != std::string_view::npos) path.remove_prefix(slash + 1);
  if (const auto semi = path.rfind(';'); semi != std::string_view::npos) path = path.substr(0, semi);
  return core::ascii_lower(path);
}

// The container a script was found in: the first ancestor that is not itself
// script text (an HTA's block or a decoded VBE belongs to the file's folder).
// Bounded by the tree's size: parents always have smaller ids.
ArtifactId container_of(const ArtifactTree& tree, ArtifactId id) {
  ArtifactId cur = tree[id].parent;
  while (cur != kNoArtifact && is_script(tree[cur].type)) cur = tree[cur].parent;
  return cur;
}

// The member of `container` whose subtree holds `id` (the script itself, or
// the HTA that holds the block): not a sibling of the script.
ArtifactId member_of(const ArtifactTree& tree, ArtifactId container, ArtifactId id) {
  ArtifactId cur = id;
  while (cur != kNoArtifact && tree[cur].parent != container) cur = tree[cur].parent;
  return cur;
}

class RunsSibling final : public Detector {
 public:
  std::string_view name() const noexcept override { return "scripts"; }

  void inspect(const ArtifactTree& tree, FindingSink& sink) const override {
    for (const Artifact& a : tree) {
      if (!is_script(a.type) || a.duplicate_of) continue;
      std::vector<std::string> refs;
      for (const Meta& m : a.meta) {
        if (m.key != meta::script::references) continue;
        if (const auto* s = std::get_if<std::string>(&m.value)) refs.push_back(core::ascii_lower(*s));
      }
      if (refs.empty()) continue;
      const ArtifactId container = container_of(tree, a.id);
      if (container == kNoArtifact) continue;
      const ArtifactId self = member_of(tree, container, a.id);
      for (ArtifactId c : tree[container].children) {
        if (c == self) continue;
        const Artifact& sib = tree[c];
        const std::string sib_name = base_name(sib.display_name());
        if (sib_name.size() < 3) continue;
        for (const std::string& r : refs) {
          if (r != sib_name) continue;
          sink.add("script.runs_sibling", Severity::high, a.id,
                   "the script names " + std::string(sib.display_name()) + ", which lies beside it in " +
                       std::string(info(tree[container].type).description),
                   {{"sibling", tree.evidence_path(sib.id)}, {"reference", r}});
          break;
        }
      }
    }
  }
};

}  // namespace

Status register_detector(Detectors& d, const Config&) {
  d.push_back(std::make_unique<IndicatorDetector>());
  d.push_back(std::make_unique<RunsSibling>());
  return {};
}

}  // namespace sluice::analysis::scripts
