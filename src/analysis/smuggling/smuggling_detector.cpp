// html.smuggling: an HTML or SVG document whose script builds a file and makes
// the browser save it (the facts come from src/formats/html: children located
// "smuggled" with `html.saved_as`), or that carries an encoded archive, disk
// image or program in its script without being seen to save it. What the saved
// file holds is judged by the container rules as for any attachment.
#include "analysis/detector.hpp"
#include "analysis/smuggling/links.hpp"
#include "meta/html.hpp"

namespace sluice::analysis::smuggling {
namespace {

bool markup(FileType t) { return t == FileType::html || t == FileType::svg; }

bool built_file(FileType t) {
  return t != FileType::unknown && t != FileType::text && info(t).cls != TypeClass::media;
}

bool dangerous(FileType t) {
  const TypeClass c = info(t).cls;
  return c == TypeClass::archive || c == TypeClass::disk_image || c == TypeClass::executable;
}

class SmugglingDetector final : public Detector {
 public:
  std::string_view name() const noexcept override { return "smuggling"; }
  void inspect(const ArtifactTree& tree, FindingSink& sink) const override {
    for (const Artifact& page : tree) {
      if (!markup(page.type)) continue;
      bool saved = false;
      for (ArtifactId c : page.children) {
        const Artifact& child = tree[c];
        const std::string how = child.meta_string(meta::html::saved_as);
        if (how.empty()) continue;
        saved = true;
        // A page that exports its table as CSV or text is a web app, not a
        // dropper: only files a victim could open to run something count.
        if (!built_file(child.type)) continue;
        const std::string name(child.display_name());
        Evidence ev{{"saved_as", name.empty() ? std::string("(no name)") : name},
                    {"how", how},
                    {"type", std::string(to_string(child.type))},
                    {"size", std::to_string(child.bytes.size())}};
        const std::string blob_type = child.meta_string(meta::html::blob_type);
        if (!blob_type.empty()) ev.emplace_back("blob_type", blob_type);
        sink.add("html.smuggling", Severity::high, child.id,
                 std::string(page.type == FileType::svg ? "an SVG image's" : "an HTML page's") +
                     " script builds " + std::string(info(child.type).description) +
                     (name.empty() ? std::string() : " and saves it as \"" + name + "\"") + " (" + how + ")",
                 std::move(ev));
      }
      if (saved) continue;
      for (ArtifactId c : page.children) {
        const Artifact& child = tree[c];
        const std::string encoding = child.meta_string(meta::html::encoding);
        if (encoding.empty() || !dangerous(child.type)) continue;
        sink.add("html.smuggling", Severity::medium, child.id,
                 std::string(page.type == FileType::svg ? "an SVG image" : "an HTML page") + " carries " +
                     std::string(info(child.type).description) + " encoded in " + child.locator + " (" + encoding + ")",
                 {{"encoding", encoding}, {"type", std::string(to_string(child.type))},
                  {"size", std::to_string(child.bytes.size())}});
      }
    }
    inspect_links(tree, sink);
  }
};

}  // namespace

Status register_detector(Detectors& d, const Config&) {
  d.push_back(std::make_unique<SmugglingDetector>());
  return {};
}

}  // namespace sluice::analysis::smuggling
