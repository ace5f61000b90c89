// Executable content that arrived inside a container. Mail gateways block .exe
// attachments by name, so attackers wrap them; the wrapper is the tell. Inside a
// container that strips Mark-of-the-Web (ISO, IMG, VHD ...) it is worse: the
// victim's double-click runs it without SmartScreen's warning.
#include "analysis/detector.hpp"
#include "analysis/executables/unsigned_vendor_claim.hpp"

namespace sluice::analysis::executables {

void inspect_disk_images(const ArtifactTree& tree, FindingSink& sink);

namespace {

bool has_motw_stripping_ancestor(const ArtifactTree& tree, const Artifact& a, ArtifactId& which) {
  for (ArtifactId p = a.parent; p != kNoArtifact; p = tree[p].parent) {
    if (strips_mark_of_the_web(tree[p].type)) {
      which = p;
      return true;
    }
  }
  return false;
}

// "a gzip stream", "an ISO 9660 disc image".
std::string with_article(std::string_view noun) {
  const bool vowel = !noun.empty() && std::string_view("AEIOUaeiou").find(noun.front()) != std::string_view::npos;
  return std::string(vowel ? "an " : "a ") + std::string(noun);
}

class ExecutableInContainer final : public Detector {
 public:
  std::string_view name() const noexcept override { return "executables"; }
  void inspect(const ArtifactTree& tree, FindingSink& sink) const override {
    inspect_disk_images(tree, sink);
    for (const Artifact& a : tree) {
      if (a.parent == kNoArtifact || !is_executable(a.type)) continue;
      const Artifact& parent = tree[a.parent];
      Evidence ev{{"type", std::string(to_string(a.type))},
                  {"container", std::string(to_string(parent.type))},
                  {"sha256", to_hex(a.hashes.sha256)}};
      ArtifactId image = kNoArtifact;
      if (has_motw_stripping_ancestor(tree, a, image)) {
        ev.emplace_back("motw_container", tree.evidence_path(image));
        sink.add("container.executable_in_image", Severity::high, a.id,
                 std::string(info(a.type).description) + " inside " +
                     with_article(info(tree[image].type).description) +
                     ", which Windows opens without Mark-of-the-Web",
                 std::move(ev));
      } else {
        sink.add("container.executable", Severity::medium, a.id,
                 std::string(info(a.type).description) + " inside " +
                     with_article(info(parent.type).description),
                 std::move(ev));
      }
    }
  }
};

}  // namespace

Status register_detector(Detectors& d, const Config&) {
  d.push_back(std::make_unique<ExecutableInContainer>());
  d.push_back(std::make_unique<UnsignedVendorClaim>());
  return {};
}

}  // namespace sluice::analysis::executables
